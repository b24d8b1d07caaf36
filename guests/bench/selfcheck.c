/*
 * Standard test vectors for our CRC-32 and SHA-256, so a mistranslated
 * instruction shows up as "selfcheck: FAIL ..." with exit code 1 rather than
 * as a silently different checksum.
 */
#include "selfcheck.h"
#include "crc32.h"
#include "sha256.h"

static const uint8_t check_digits[] = "123456789";
#define CRC32_CHECK 0xcbf43926u /* CRC-32 of "123456789" (the catalogue's check value) */

/* FIPS 180-2 appendix B: a one-block and a two-block message. */
static const uint8_t abc[] = "abc";
static const uint8_t abc_digest[SHA256_DIGEST_BYTES] = {
	0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
	0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};
static const uint8_t two_block[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const uint8_t two_block_digest[SHA256_DIGEST_BYTES] = {
	0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26, 0x93, 0x0c, 0x3e, 0x60, 0x39,
	0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff, 0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4, 0x19, 0xdb, 0x06, 0xc1,
};

static int digest_equal(const uint8_t *a, const uint8_t *b)
{
	for (int i = 0; i < SHA256_DIGEST_BYTES; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* Feeding the message in two uneven pieces also exercises the partial-block path. */
static int sha256_matches(const uint8_t *msg, uint32_t len, const uint8_t *expected)
{
	struct sha256 ctx;
	uint8_t digest[SHA256_DIGEST_BYTES];

	sha256_init(&ctx);
	sha256_update(&ctx, msg, len / 3);
	sha256_update(&ctx, msg + len / 3, len - len / 3);
	sha256_final(&ctx, digest);
	return digest_equal(digest, expected);
}

const char *selfcheck_run(void)
{
	if (crc32_update(0, check_digits, sizeof check_digits - 1) != CRC32_CHECK)
		return "crc32(\"123456789\")";
	if (!sha256_matches(abc, sizeof abc - 1, abc_digest))
		return "sha256(\"abc\")";
	if (!sha256_matches(two_block, sizeof two_block - 1, two_block_digest))
		return "sha256(two-block message)";
	return 0;
}
