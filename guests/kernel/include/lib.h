/*
 * The little libc both the kernel and the user program link (lib/): string
 * functions GCC may call on its own, a printf-style formatter and CRC-32.
 */
#ifndef KERNEL_LIB_H
#define KERNEL_LIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* Finds `key=` in a space-separated command line; copies the value. */
int cmdline_get(const char *cmdline, const char *key, char *out, size_t cap);
/* Decimal string to number; returns 0 on anything that is not a number. */
uint64_t parse_u64(const char *s);

/*
 * printf subset: %s %c %d %u %x %p with `l`/`ll` and zero-padded widths
 * (%08x). Output goes to `put` in chunks.
 */
typedef void (*fmt_sink)(void *ctx, const char *s, size_t n);
void fmt_format(fmt_sink put, void *ctx, const char *fmt, va_list ap);
int snprintf_(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* CRC-32 (IEEE 802.3, reflected 0xEDB88320), chainable: crc32(crc32(0, a), b). */
uint32_t crc32(uint32_t crc, const void *data, size_t n);

/* xorshift32: the deterministic data every workload writes and checks. */
static inline uint32_t xorshift32(uint32_t *state)
{
	uint32_t x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

#endif
