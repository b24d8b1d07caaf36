/* Sieve of Eratosthenes over [0, limit). */
#ifndef BENCH_SIEVE_H
#define BENCH_SIEVE_H

#include <stdint.h>

#define SIEVE_MAX_LIMIT 1000000u

struct sieve_result {
	uint32_t count; /* primes below the limit */
	uint64_t sum;   /* their sum: catches a wrong mark the count might miss */
};

/* limit <= SIEVE_MAX_LIMIT; uses a static byte array of that size. */
struct sieve_result sieve_run(uint32_t limit);

#endif
