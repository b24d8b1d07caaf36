/* Known-answer tests run before the timed work: a wrong answer fails the run. */
#ifndef BENCH_SELFCHECK_H
#define BENCH_SELFCHECK_H

#include <stdint.h>

/* Expected sieve result below SIEVE_MAX_LIMIT (pi(10^6) and the sum of those primes). */
#define SIEVE_EXPECTED_COUNT 78498u
#define SIEVE_EXPECTED_SUM 37550402023ull

/* Returns the name of the first failing check, or 0 when all pass. */
const char *selfcheck_run(void);

#endif
