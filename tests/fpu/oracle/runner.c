/*
 * Freestanding RV64 oracle runner for the FPU golden vectors, run under qemu-riscv64.
 *
 * stdin:  32-byte records { u32 stub; u32 pad; u64 a; u64 b; u64 c } (little-endian)
 * stdout: 16-byte records { u64 result; u64 fflags }
 *
 * Each stub (generated into stubs.S by regenerate.ts) loads a/b/c into f0/f1/f2 and a into
 * x5, clears fflags, executes one F/D instruction with a static rounding mode and stores the
 * destination (f3 or x6, all 64 bits) and the accrued fflags. Raw Linux syscalls only:
 * read = 63, write = 64, exit = 93.
 */
typedef unsigned long u64;
typedef void (*stub_fn)(const u64 *in, u64 *out);

extern const stub_fn fp_stubs[];
extern const u64 fp_stub_count;

static long sys3(long n, long a, long b, long c) {
  register long a0 asm("a0") = a;
  register long a1 asm("a1") = b;
  register long a2 asm("a2") = c;
  register long a7 asm("a7") = n;
  asm volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
  return a0;
}

static __attribute__((noreturn)) void quit(long code) {
  sys3(93, code, 0, 0);
  for (;;) {
  }
}

#define RECORDS 4096
static u64 inbuf[RECORDS * 4];
static u64 outbuf[RECORDS * 2];

static long read_full(char *buf, long n) {
  long got = 0;
  while (got < n) {
    long r = sys3(63, 0, (long)(buf + got), n - got);
    if (r < 0) quit(3);
    if (r == 0) break;
    got += r;
  }
  return got;
}

static void write_full(const char *buf, long n) {
  while (n > 0) {
    long w = sys3(64, 1, (long)buf, n);
    if (w <= 0) quit(4);
    buf += w;
    n -= w;
  }
}

void _start(void) {
  for (;;) {
    long got = read_full((char *)inbuf, sizeof inbuf);
    if (got % 32 != 0) quit(5);
    long n = got / 32;
    for (long i = 0; i < n; i++) {
      u64 idx = inbuf[i * 4] & 0xffffffffu;
      if (idx >= fp_stub_count) quit(2);
      fp_stubs[idx](&inbuf[i * 4], &outbuf[i * 2]);
    }
    write_full((const char *)outbuf, n * 16);
    if (got < (long)sizeof inbuf) quit(0);
  }
}
