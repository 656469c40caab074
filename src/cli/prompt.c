/* Terminal prompts: the hidden token prompt and yes/no questions. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

#define CLI_LINE_MAX 4096

/* Terminal state to restore if Ctrl-C arrives while echo is off. */
static int tty_fd = -1;
static struct termios tty_saved;
static volatile sig_atomic_t tty_echo_off;

static void restore_and_reraise(int sig)
{
	if (tty_echo_off)
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Read one line from fd into a heap string, without the newline. */
static char *read_line_fd(int fd)
{
	char *buf = malloc(CLI_LINE_MAX);
	size_t n = 0;

	if (!buf)
		return NULL;
	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (n == 0) {
				free(buf);
				return NULL;
			}
			break;
		}
		if (ch == '\n')
			break;
		if (n + 1 >= CLI_LINE_MAX)
			continue; /* Longer lines are cut, never overflowed. */
		buf[n++] = ch;
	}
	buf[n] = '\0';
	return buf;
}

int cli_interactive(void)
{
	int fd;

	if (!isatty(STDIN_FILENO))
		return 0;
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

char *cli_prompt_secret(const char *prompt)
{
	struct termios noecho;
	struct sigaction sa, old_int, old_term;
	char *line;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	tty_fd = fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_and_reraise;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (tcgetattr(fd, &tty_saved) == 0) {
		noecho = tty_saved;
		noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		noecho.c_lflag |= ICANON;
		if (tcsetattr(fd, TCSAFLUSH, &noecho) == 0)
			tty_echo_off = 1;
	}
	/*
	 * The prompt comes after echo is off (as Python's getpass does): a
	 * token typed as soon as the prompt shows is neither echoed nor
	 * discarded by TCSAFLUSH.
	 */
	if (write(fd, prompt, strlen(prompt)) < 0)
		line = NULL;
	else
		line = read_line_fd(fd);
	if (tty_echo_off) {
		tcsetattr(fd, TCSAFLUSH, &tty_saved);
		tty_echo_off = 0;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (write(fd, "\n", 1) < 0) {
		/* Nothing to do: the newline is cosmetic. */
	}
	close(fd);
	tty_fd = -1;
	return line;
}

int cli_prompt_yes_no(const char *question, int def)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	int answer = def;
	char *line;

	if (fd < 0)
		return def;
	if (write(fd, question, strlen(question)) >= 0 && write(fd, " ", 1) >= 0) {
		line = read_line_fd(fd);
		if (line) {
			char *p = line;

			while (*p == ' ' || *p == '\t' || *p == '\r')
				p++;
			if (*p == 'y' || *p == 'Y')
				answer = 1;
			else if (*p == 'n' || *p == 'N')
				answer = 0;
			free(line);
		}
	}
	close(fd);
	return answer;
}

char *cli_read_stdin_line(void)
{
	return read_line_fd(STDIN_FILENO);
}
