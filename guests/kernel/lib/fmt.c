/*
 * A printf subset shared by the kernel (kprintf) and the user program
 * (printf): enough for result lines, nothing locale- or float-related.
 */
#include "lib.h"

static void put_num(fmt_sink put, void *ctx, uint64_t v, unsigned base, int neg, int width, char pad)
{
	char buf[24];
	int n = 0;
	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	int len = n + (neg ? 1 : 0);
	/* "-0042" with zero padding, "  -42" with spaces. */
	if (neg && pad == '0')
		put(ctx, "-", 1);
	for (; len < width; len++)
		put(ctx, &pad, 1);
	if (neg && pad != '0')
		put(ctx, "-", 1);
	while (n > 0)
		put(ctx, &buf[--n], 1);
}

void fmt_format(fmt_sink put, void *ctx, const char *fmt, va_list ap)
{
	while (*fmt) {
		const char *start = fmt;
		while (*fmt && *fmt != '%')
			fmt++;
		if (fmt > start)
			put(ctx, start, (size_t)(fmt - start));
		if (!*fmt)
			break;
		fmt++;
		char pad = ' ';
		int width = 0, longs = 0;
		if (*fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l')
			longs++, fmt++;
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n = strlen(s);
			for (int i = (int)n; i < width; i++)
				put(ctx, " ", 1);
			put(ctx, s, n);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			put(ctx, &c, 1);
			break;
		}
		case 'd': {
			int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_num(put, ctx, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, pad);
			break;
		}
		case 'u':
			put_num(put, ctx, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, 0, width, pad);
			break;
		case 'x':
			put_num(put, ctx, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, 0, width, pad);
			break;
		case 'p':
			put(ctx, "0x", 2);
			put_num(put, ctx, (uint64_t)va_arg(ap, void *), 16, 0, width, pad);
			break;
		case '%':
			put(ctx, "%", 1);
			break;
		default: /* unknown conversion: show it rather than guess */
			put(ctx, fmt - 1, 2);
			break;
		}
		if (*fmt)
			fmt++;
	}
}

struct sbuf {
	char *buf;
	size_t cap, len;
};

static void sbuf_put(void *ctx, const char *s, size_t n)
{
	struct sbuf *b = ctx;
	while (n--) {
		if (b->len + 1 < b->cap)
			b->buf[b->len] = *s;
		b->len++;
		s++;
	}
}

int snprintf_(char *buf, size_t cap, const char *fmt, ...)
{
	struct sbuf b = { buf, cap, 0 };
	va_list ap;
	va_start(ap, fmt);
	fmt_format(sbuf_put, &b, fmt, ap);
	va_end(ap);
	if (cap)
		buf[b.len < cap ? b.len : cap - 1] = 0;
	return (int)b.len;
}
