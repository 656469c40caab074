/*
 * The NDJSON commit body sent while it is made (docs/internals/upload.md,
 * "The commit engine", step 9): the lines without file content are text
 * kept in memory; the base64 content of a regular file is read from its
 * descriptor (or buffer) while the request goes out, in bounded pieces,
 * so the memory used does not grow with the files. The length is known in
 * advance (base64 of n bytes is 4 * ceil(n / 3) characters): the request
 * has a Content-Length, as the official client's.
 *
 * The bytes are those of commit_payload.h's functions (the same lines in
 * the same order).
 */
#ifndef HF_UPLOAD_COMMIT_BODY_H
#define HF_UPLOAD_COMMIT_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json_out.h"

typedef struct hf__body_part {
	size_t pre, pre_len;      /* text before the content: offset in the body's text */
	int fd;                   /* content from this descriptor (pread), or -1 */
	const unsigned char *data;/* ... or from memory */
	uint64_t size;            /* content bytes (0: a line without content) */
	size_t post, post_len;    /* text after the content */
	const char *name;         /* the content's file, for messages (the caller's) */
	void *item;               /* with fd -1 and no data: opened through the body's open() */
} hf__body_part;

typedef struct hf__commit_body {
	hf__buf text;             /* every line's text, without contents */
	hf__body_part *parts;
	size_t n, cap;
	uint64_t length;          /* the whole body */
	/* Reading state */
	size_t part;
	int stage;                /* 0 pre, 1 content, 2 post */
	uint64_t off;             /* in the current stage */
	hf__b64_stream b64;
	hf__buf pending;          /* produced, not yet handed out */
	size_t pending_pos;
	int changed;              /* a file gave fewer bytes than its size */
	const char *changed_name; /* ... that file's name */
	int failed;               /* out of memory or a read error */
	/*
	 * Files are opened only while their content is read (a commit may hold
	 * more files than a process may open): open(item) gives a descriptor,
	 * or -1 when the file is not the one hashed (then "changed"); close(item)
	 * gives it back. Set both before reading when parts have items.
	 */
	int (*open)(void *item);
	void (*close)(void *item);
	int open_fd;              /* the current part's descriptor from open(), or -1 */
} hf__commit_body;

void hf__commit_body_init(hf__commit_body *b);
void hf__commit_body_dispose(hf__commit_body *b);

/* Close the text of the current part: what was appended to b->text since
 * the last call becomes one part without content. 0 or -1. */
int hf__commit_body_text(hf__commit_body *b);
/* A "file" line whose content is read from fd (or data when fd < 0, or
 * the descriptor b->open(item) gives when item is not NULL), size bytes;
 * name (kept, not copied) names the file in messages. 0 or -1. */
int hf__commit_body_file(hf__commit_body *b, const char *path, const char *name, int fd,
			 const void *data, void *item, uint64_t size);

/* The request body callbacks (http.h hf__read_fn / hf__rewind_fn). */
size_t hf__commit_body_read(char *buf, size_t size, void *payload);
int hf__commit_body_rewind(void *payload);

#endif
