/*
 * What every unit of the fetch engine shares and calls, and nothing else:
 * the error record and the stop flag of one fetch, progress, the file mode
 * of new blobs, whole writes. A leaf: it calls no other fetch unit, so the
 * units above it (fetch_xfer, fetch_stream, fetch_ranged, fetch_verify,
 * fetch) form no cycle. docs/internals/download.md describes the engine.
 */
#include "fetch_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"

/* ---- file mode ---- */

static pthread_once_t mode_once = PTHREAD_ONCE_INIT;
static unsigned int file_mode = 0644;

/*
 * "Umask:\t0022\n" in /proc/self/status: the name, blanks, octal digits
 * up to 0777, the end of the line. Anything else leaves the default.
 */
static int parse_umask_line(const char *line, unsigned int *mask)
{
	const char *p = line + 6;
	unsigned long v;
	size_t len;

	if (strncmp(line, "Umask:", 6) != 0 || (*p != '\t' && *p != ' '))
		return -1;
	while (*p == '\t' || *p == ' ')
		p++;
	len = strcspn(p, "\n");
	if (hf__parse_octal(p, len, 0777, &v) != 0 || (p[len] == '\n' && p[len + 1] != '\0'))
		return -1;
	*mask = (unsigned int)v;
	return 0;
}

static void read_umask(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	unsigned int mask;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (parse_umask_line(line, &mask) == 0) {
			file_mode = 0666 & ~mask;
			break;
		}
	}
	fclose(f);
}

unsigned int hf__file_mode(void)
{
	pthread_once(&mode_once, read_umask);
	return file_mode;
}

/* ---- the error record and progress, for every thread ---- */

void hf__fetch_set_error(shared *s, int code, long http_status, const char *hint, const char *fmt,
			 ...)
{
	va_list ap;

	pthread_mutex_lock(&s->mu);
	if (!s->f->failure.code) {
		hf__failure *fl = &s->f->failure;

		fl->code = code;
		fl->status = http_status;
		snprintf(fl->hint, sizeof(fl->hint), "%s", hint ? hint : "");
		fl->remedy = code == HF_ENOSPC ? HF_REMEDY_FREE_SPACE : HF_REMEDY_NONE;
		va_start(ap, fmt);
		vsnprintf(fl->message, sizeof(fl->message), fmt, ap);
		va_end(ap);
	}
	s->stop = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

int hf__fetch_stopped(shared *s)
{
	int stop;

	pthread_mutex_lock(&s->mu);
	stop = s->stop || (s->f->cancel && atomic_load(s->f->cancel));
	pthread_mutex_unlock(&s->mu);
	return stop;
}

void hf__fetch_report_progress(shared *s, uint64_t n)
{
	uint64_t done;

	pthread_mutex_lock(&s->mu);
	s->received += n;
	done = s->start + s->received;
	pthread_mutex_unlock(&s->mu);
	if (s->f->progress)
		s->f->progress(s->f->progress_payload, done > s->f->size ? s->f->size : done);
}

/* ---- whole writes ---- */

/* 0, or the errno of the failed write. */
int hf__fetch_pwrite_all(int fd, const unsigned char *p, size_t len, uint64_t at)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		p += n;
		len -= (size_t)n;
		at += (uint64_t)n;
	}
	return 0;
}
