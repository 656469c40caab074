/* The NDJSON commit body, produced while it is sent (commit_body.h). */
#include "commit_body.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commit_payload.h"

/* Content read per step: a multiple of 3, so no base64 carry in between. */
#define STEP ((size_t)3 << 14)

void hf__commit_body_init(hf__commit_body *b)
{
	hf__b64_stream st = HF__B64_STREAM_INIT;

	memset(b, 0, sizeof(*b));
	b->text.max = (size_t)-1 / 2;
	b->b64 = st;
	b->open_fd = -1;
}

/* Give back the current part's descriptor from open(). */
static void release(hf__commit_body *b)
{
	if (b->open_fd >= 0 && b->close && b->part < b->n)
		b->close(b->parts[b->part].item);
	b->open_fd = -1;
}

void hf__commit_body_dispose(hf__commit_body *b)
{
	release(b);
	hf__buf_dispose(&b->text);
	hf__buf_dispose(&b->pending);
	free(b->parts);
	memset(b, 0, sizeof(*b));
}

static hf__body_part *new_part(hf__commit_body *b)
{
	hf__body_part *p;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		hf__body_part *np = realloc(b->parts, cap * sizeof(*np));

		if (!np)
			return NULL;
		b->parts = np;
		b->cap = cap;
	}
	p = &b->parts[b->n++];
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	return p;
}

/* Where the text not yet in a part starts. */
static size_t text_mark(const hf__commit_body *b)
{
	const hf__body_part *p;

	if (!b->n)
		return 0;
	p = &b->parts[b->n - 1];
	return p->post_len ? p->post + p->post_len : p->pre + p->pre_len;
}

int hf__commit_body_text(hf__commit_body *b)
{
	size_t start = text_mark(b);
	hf__body_part *p;

	if (b->text.len == start)
		return 0;
	if (!(p = new_part(b)))
		return -1;
	p->pre = start;
	p->pre_len = b->text.len - start;
	b->length += p->pre_len;
	return 0;
}

int hf__commit_body_file(hf__commit_body *b, const char *path, const char *name, int fd,
			 const void *data, void *item, uint64_t size)
{
	hf__body_part *p;
	size_t pre, mid;

	if (hf__commit_body_text(b) || (fd < 0 && !data && !item && size))
		return -1;
	pre = b->text.len;
	if (hf__commit_file_begin(&b->text, path))
		return -1;
	mid = b->text.len;
	if (hf__commit_file_end(&b->text, path) || !(p = new_part(b)))
		return -1;
	p->pre = pre;
	p->pre_len = mid - pre;
	p->fd = fd;
	p->data = data;
	p->size = size;
	p->post = mid;
	p->post_len = b->text.len - mid;
	p->name = name;
	p->item = item;
	b->length += p->pre_len + 4 * ((size + 2) / 3) + p->post_len;
	return 0;
}

int hf__commit_body_rewind(void *payload)
{
	hf__commit_body *b = payload;
	hf__b64_stream st = HF__B64_STREAM_INIT;

	release(b);
	b->part = 0;
	b->stage = 0;
	b->off = 0;
	b->b64 = st;
	b->pending.len = 0;
	b->pending_pos = 0;
	b->changed = b->failed = 0;
	b->changed_name = NULL;
	return 0;
}

/* Make the next piece into b->pending. 0, 1 at the end, -1 on failure. */
static int produce(hf__commit_body *b)
{
	unsigned char chunk[STEP];

	b->pending.len = 0;
	b->pending_pos = 0;
	while (b->part < b->n) {
		const hf__body_part *p = &b->parts[b->part];

		if (b->stage == 0) {
			b->stage = 1;
			b->off = 0;
			if (p->pre_len)
				return hf__buf_append(&b->pending, b->text.data + p->pre, p->pre_len);
		} else if (b->stage == 1) {
			size_t want = p->size - b->off < STEP ? (size_t)(p->size - b->off) : STEP;
			ssize_t got;

			if (!want) {
				b->stage = 2;
				release(b);
				if (p->size && hf__b64_stream_final(&b->b64, &b->pending))
					return -1;
				if (b->pending.len)
					return 0;
				continue;
			}
			if (p->fd < 0 && p->item && b->open_fd < 0) {
				b->open_fd = b->open ? b->open(p->item) : -1;
				if (b->open_fd < 0) {
					b->changed = 1;
					b->changed_name = p->name;
					return -1;
				}
			}
			if (p->fd >= 0 || p->item) {
				int fd = p->fd >= 0 ? p->fd : b->open_fd;

				do
					got = pread(fd, chunk, want, (off_t)b->off);
				while (got < 0 && errno == EINTR);
				if (got <= 0) {
					if (got == 0) {
						b->changed = 1;
						b->changed_name = p->name;
					}
					return -1;
				}
				b->off += (uint64_t)got;
				return hf__b64_stream_update(&b->b64, &b->pending, chunk, (size_t)got);
			}
			b->off += want;
			return hf__b64_stream_update(&b->b64, &b->pending, p->data + (b->off - want), want);
		} else {
			b->part++;
			b->stage = 0;
			if (p->post_len)
				return hf__buf_append(&b->pending, b->text.data + p->post, p->post_len);
		}
	}
	return 1;
}

size_t hf__commit_body_read(char *buf, size_t size, void *payload)
{
	hf__commit_body *b = payload;
	size_t out = 0;

	while (out < size) {
		size_t left = b->pending.len - b->pending_pos, k;

		if (!left) {
			int r = produce(b);

			if (r < 0) {
				if (!b->changed)
					b->failed = 1;
				return (size_t)-1;
			}
			if (r > 0)
				break;
			continue;
		}
		k = left < size - out ? left : size - out;
		memcpy(buf + out, b->pending.data + b->pending_pos, k);
		b->pending_pos += k;
		out += k;
	}
	return out;
}
