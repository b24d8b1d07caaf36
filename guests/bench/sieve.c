/*
 * Byte-per-number sieve: strided stores across a 1 MB array (cache- and
 * TLB-unfriendly on real hardware; on an interpreter it exercises the store
 * path and tight branch loops).
 */
#include "sieve.h"

static uint8_t composite[SIEVE_MAX_LIMIT];

struct sieve_result sieve_run(uint32_t limit)
{
	struct sieve_result result = { 0, 0 };

	/* Plain loop rather than memset: this guest links no libc. */
	for (uint32_t i = 0; i < limit; i++)
		composite[i] = 0;
	for (uint32_t p = 2; (uint64_t)p * p < limit; p++) {
		if (composite[p])
			continue;
		for (uint32_t m = p * p; m < limit; m += p)
			composite[m] = 1;
	}
	for (uint32_t i = 2; i < limit; i++) {
		if (!composite[i]) {
			result.count++;
			result.sum += i;
		}
	}
	return result;
}
