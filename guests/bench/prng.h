/*
 * Deterministic test data: xorshift32 (Marsaglia 2003). The tests regenerate
 * the same bytes on the host to check the guest's CRC and SHA-256 results
 * independently, so the generator and seed are part of the guest's contract.
 */
#ifndef BENCH_PRNG_H
#define BENCH_PRNG_H

#include <stddef.h>
#include <stdint.h>

#define PRNG_SEED 0x2545f491u

/* Fills buf with successive xorshift32 outputs, each stored little-endian. */
static inline void prng_fill(uint8_t *buf, size_t len)
{
	uint32_t x = PRNG_SEED;

	for (size_t i = 0; i < len; i += 4) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		for (size_t b = 0; b < 4 && i + b < len; b++)
			buf[i + b] = (uint8_t)(x >> (8 * b));
	}
}

#endif
