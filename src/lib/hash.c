#include "hash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

hf__hash_kind hf__hash_kind_for_etag(const char *etag)
{
	size_t n = etag ? strlen(etag) : 0;

	return n == 64 ? HF__HASH_SHA256 : n == 40 ? HF__HASH_GIT_SHA1 : (hf__hash_kind)0;
}

int hf__hash_init(hf__hash *h, hf__hash_kind kind, uint64_t size)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const EVP_MD *md = kind == HF__HASH_SHA256 ? EVP_sha256() : EVP_sha1();

	h->ctx = NULL;
	h->kind = kind;
	if (!ctx || EVP_DigestInit_ex(ctx, md, NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	h->ctx = ctx;
	if (kind == HF__HASH_GIT_SHA1) {
		char header[48];
		int n = snprintf(header, sizeof(header), "blob %llu", (unsigned long long)size);

		/* The header's terminating NUL is part of what git hashes. */
		if (hf__hash_update(h, header, (size_t)n + 1) < 0) {
			hf__hash_dispose(h);
			return -1;
		}
	}
	return 0;
}

int hf__hash_update(hf__hash *h, const void *data, size_t len)
{
	return EVP_DigestUpdate(h->ctx, data, len) == 1 ? 0 : -1;
}

int hf__hash_final_hex(hf__hash *h, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	int rc = EVP_DigestFinal_ex(h->ctx, md, &n) == 1 ? 0 : -1;

	hf__hash_dispose(h);
	out[0] = '\0';
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * n] = '\0';
	return 0;
}

void hf__hash_dispose(hf__hash *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

int hf__hash_fd(int fd, hf__hash_kind kind, uint64_t size, char out[65])
{
	const size_t chunk = 1 << 20;
	char *buf = malloc(chunk);
	uint64_t off = 0;
	hf__hash h;

	if (!buf)
		return -ENOMEM;
	if (hf__hash_init(&h, kind, size) < 0) {
		free(buf);
		return -1;
	}
	while (off < size) {
		size_t want = size - off < chunk ? (size_t)(size - off) : chunk;
		ssize_t n = pread(fd, buf, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? -errno : -EIO;

			hf__hash_dispose(&h);
			free(buf);
			return err;
		}
		hf__hash_update(&h, buf, (size_t)n);
		off += (uint64_t)n;
	}
	free(buf);
	return hf__hash_final_hex(&h, out);
}
