/*
 * Kernel console output. A message is formatted into a buffer and written
 * at once: on PV each write is a console_io hypercall, on HVM each chunk
 * costs a UART status check, so one write per message keeps exits and
 * trace events down.
 */
#include <stdarg.h>
#include "kernel.h"

struct kbuf {
	char buf[192];
	size_t len;
};

static void kbuf_put(void *ctx, const char *s, size_t n)
{
	struct kbuf *b = ctx;
	while (n--) {
		if (b->len == sizeof b->buf) {
			plat_console_write(b->buf, b->len);
			b->len = 0;
		}
		b->buf[b->len++] = *s++;
	}
}

static void vkprintf(const char *fmt, va_list ap)
{
	struct kbuf b;
	b.len = 0;
	fmt_format(kbuf_put, &b, fmt, ap);
	if (b.len)
		plat_console_write(b.buf, b.len);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;
	kprintf("kernel: panic: ");
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	plat_shutdown(0);
}
