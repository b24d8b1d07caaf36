/*
 * The user program: it runs in U-mode in its own address space and reaches
 * the kernel only through system calls. It runs every workload and prints
 * their result lines; these never depend on the platform, which is how the
 * HVM and PV builds are compared.
 */
#include "ulib.h"

struct pbuf {
	char buf[256];
	uint64_t len;
};

static void pbuf_put(void *ctx, const char *s, size_t n)
{
	struct pbuf *b = ctx;
	while (n--) {
		if (b->len == sizeof b->buf) {
			syscall3(SYS_WRITE, (uint64_t)b->buf, b->len, 0);
			b->len = 0;
		}
		b->buf[b->len++] = *s++;
	}
}

/* One write system call per printf, so a line never interleaves with kernel output. */
void printf(const char *fmt, ...)
{
	struct pbuf b;
	b.len = 0;
	va_list ap;
	va_start(ap, fmt);
	fmt_format(pbuf_put, &b, fmt, ap);
	va_end(ap);
	if (b.len)
		syscall3(SYS_WRITE, (uint64_t)b.buf, b.len, 0);
}

void fill_pattern(void *buf, uint64_t n, uint32_t seed)
{
	uint32_t s = seed ? seed : 1;
	uint8_t *p = buf;
	for (uint64_t i = 0; i < n; i += 4) {
		uint32_t v = xorshift32(&s);
		for (uint64_t k = 0; k < 4 && i + k < n; k++)
			p[i + k] = (uint8_t)(v >> (8 * k));
	}
}

int main(void)
{
	static char cmdline[256];
	char role[16];
	sys_cmdline(cmdline, sizeof cmdline);
	printf("user: hello from user mode, pid %ld\n", (long)sys_getpid());

	int failed = 0;
	failed += disk_workload();
	failed += mem_workload();
	failed += timer_workload();
	if (cmdline_get(cmdline, "role", role, sizeof role))
		failed += net_workload(role);
	else
		printf("net: skipped (no role= on the command line)\n");
	printf("user: %d workload%s failed\n", failed, failed == 1 ? "" : "s");
	return failed;
}
