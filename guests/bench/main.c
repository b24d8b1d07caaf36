/*
 * Chronovisor's CPU benchmark guest: fixed, deterministic integer work
 * (CRC-32, a prime sieve, SHA-256) whose results are printed so any
 * machine running it can be checked against QEMU's output, and whose total
 * instruction count is printed from minstret.
 *
 * BENCH_SCALE (a build-time constant) multiplies every phase's work; the
 * default makes the whole run roughly 400 million instructions.
 */
#include <stdint.h>

#include "crc32.h"
#include "csr.h"
#include "finisher.h"
#include "guest.h"
#include "prng.h"
#include "selfcheck.h"
#include "sha256.h"
#include "sieve.h"
#include "uart.h"

#ifndef BENCH_SCALE
#define BENCH_SCALE 8
#endif
#if BENCH_SCALE < 1
#error "BENCH_SCALE must be at least 1"
#endif

#define DATA_BYTES (64u * 1024u)     /* the buffer CRC-32 and SHA-256 stream over */
#define CRC32_PASSES (24u * BENCH_SCALE)
#define SIEVE_ROUNDS (1u * BENCH_SCALE)
#define SHA256_PASSES (2u * BENCH_SCALE)

static uint8_t data[DATA_BYTES];

static void put_field(const char *name, uint64_t value)
{
	uart_puts(name);
	uart_put_dec(value);
}

/* The CRC is chained across passes, so the result covers every byte processed. */
static void run_crc32(void)
{
	uint64_t start = read_minstret();
	uint32_t crc = 0;

	for (uint32_t pass = 0; pass < CRC32_PASSES; pass++)
		crc = crc32_update(crc, data, DATA_BYTES);
	uint64_t insns = read_minstret() - start;

	put_field("crc32: bytes=", (uint64_t)CRC32_PASSES * DATA_BYTES);
	uart_puts(" crc=");
	uart_put_hex(crc, 8);
	put_field(" insns=", insns);
	uart_puts("\n");
}

/* Every round must reproduce the known answer, so the sieve checks itself. */
static int run_sieve(void)
{
	uint64_t start = read_minstret();
	struct sieve_result result = { 0, 0 };

	for (uint32_t round = 0; round < SIEVE_ROUNDS; round++) {
		result = sieve_run(SIEVE_MAX_LIMIT);
		if (result.count != SIEVE_EXPECTED_COUNT || result.sum != SIEVE_EXPECTED_SUM) {
			put_field("sieve: FAIL round=", round);
			put_field(" primes=", result.count);
			put_field(" sum=", result.sum);
			uart_puts("\n");
			return 0;
		}
	}
	uint64_t insns = read_minstret() - start;

	put_field("sieve: limit=", SIEVE_MAX_LIMIT);
	put_field(" rounds=", SIEVE_ROUNDS);
	put_field(" primes=", result.count);
	put_field(" sum=", result.sum);
	put_field(" insns=", insns);
	uart_puts("\n");
	return 1;
}

/* One message made of SHA256_PASSES copies of the data buffer. */
static void run_sha256(void)
{
	uint64_t start = read_minstret();
	struct sha256 ctx;
	uint8_t digest[SHA256_DIGEST_BYTES];

	sha256_init(&ctx);
	for (uint32_t pass = 0; pass < SHA256_PASSES; pass++)
		sha256_update(&ctx, data, DATA_BYTES);
	sha256_final(&ctx, digest);
	uint64_t insns = read_minstret() - start;

	put_field("sha256: bytes=", (uint64_t)SHA256_PASSES * DATA_BYTES);
	uart_puts(" digest=");
	for (int i = 0; i < SHA256_DIGEST_BYTES; i++)
		uart_put_hex(digest[i], 2);
	put_field(" insns=", insns);
	uart_puts("\n");
}

uint32_t guest_main(uint64_t hartid, const void *fdt)
{
	(void)hartid;
	(void)fdt;

	put_field("chronovisor bench: scale=", BENCH_SCALE);
	uart_puts("\n");

	crc32_init();
	prng_fill(data, DATA_BYTES);

	const char *failed = selfcheck_run();
	if (failed) {
		uart_puts("selfcheck: FAIL ");
		uart_puts(failed);
		uart_puts("\n");
		return GUEST_EXIT_SELFCHECK;
	}
	uart_puts("selfcheck: ok\n");

	run_crc32();
	if (!run_sieve())
		return GUEST_EXIT_SELFCHECK;
	run_sha256();

	/* Everything since reset, including QEMU's reset-vector instructions. */
	put_field("minstret=", read_minstret());
	uart_puts("\nbench: pass\n");
	return GUEST_EXIT_PASS;
}
