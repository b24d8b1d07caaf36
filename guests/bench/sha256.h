/* SHA-256 (FIPS 180-4), streaming interface. */
#ifndef BENCH_SHA256_H
#define BENCH_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_BYTES 32

struct sha256 {
	uint32_t state[8];
	uint8_t block[64]; /* bytes not yet compressed */
	uint32_t used;     /* how many of block[] are filled */
	uint64_t length;   /* total message bytes so far */
};

void sha256_init(struct sha256 *ctx);
void sha256_update(struct sha256 *ctx, const uint8_t *data, size_t len);
void sha256_final(struct sha256 *ctx, uint8_t digest[SHA256_DIGEST_BYTES]);

#endif
