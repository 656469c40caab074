/* Streaming content hashes: sha256 (LFS files) and git blob sha1 (others). */
#ifndef HF_HASH_H
#define HF_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef enum hf__hash_kind {
	HF__HASH_SHA256 = 1,   /* etag of 64 hex */
	HF__HASH_GIT_SHA1 = 2  /* etag of 40 hex: sha1("blob <size>\0" + data) */
} hf__hash_kind;

typedef struct hf__hash {
	void *ctx; /* EVP_MD_CTX */
	hf__hash_kind kind;
} hf__hash;

/* The hash that names a blob with this etag (by its length), or 0. */
hf__hash_kind hf__hash_kind_for_etag(const char *etag);
/* Start a hash; size is the whole content's size (needed by git sha1). 0 or -1. */
int hf__hash_init(hf__hash *h, hf__hash_kind kind, uint64_t size);
int hf__hash_update(hf__hash *h, const void *data, size_t len);
/* Lower-case hex digest into out (65 bytes). 0 or -1. Disposes h. */
int hf__hash_final_hex(hf__hash *h, char out[65]);
void hf__hash_dispose(hf__hash *h);
/* Hash a whole file (of the given size) from an open descriptor. 0, or -errno / -1. */
int hf__hash_fd(int fd, hf__hash_kind kind, uint64_t size, char out[65]);

#endif
