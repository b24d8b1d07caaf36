/*
 * Freestanding string functions. GCC emits calls to memset/memcpy for struct
 * copies and large initialisers even with -ffreestanding, so they must exist.
 */
#include "lib.h"

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	/* Word stores for the page clearing that dominates the kernel's memsets. */
	if (((uintptr_t)d & 7) == 0 && c == 0) {
		for (; n >= 8; n -= 8, d += 8)
			*(uint64_t *)d = 0;
	}
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)d = *(const uint64_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (uint8_t)*a - (uint8_t)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++) {
		if (*a != *b)
			return (uint8_t)*a - (uint8_t)*b;
		if (*a == 0)
			return 0;
	}
	return 0;
}

int cmdline_get(const char *cmdline, const char *key, char *out, size_t cap)
{
	size_t klen = strlen(key);
	const char *p = cmdline;
	while (*p) {
		while (*p == ' ')
			p++;
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			p += klen + 1;
			size_t n = 0;
			while (p[n] && p[n] != ' ' && n + 1 < cap) {
				out[n] = p[n];
				n++;
			}
			out[n] = 0;
			return 1;
		}
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

uint64_t parse_u64(const char *s)
{
	uint64_t v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return *s ? 0 : v;
}
