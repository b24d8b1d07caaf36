/* SBI calls (SBI spec v2.0 chapter 3: a7 = EID, a6 = FID, a0..a5 arguments). */
#include "hvm.h"

#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434E

struct sbiret sbi_call(long eid, long fid, long a0, long a1, long a2)
{
	register long r0 __asm__("a0") = a0;
	register long r1 __asm__("a1") = a1;
	register long r2 __asm__("a2") = a2;
	register long r6 __asm__("a6") = fid;
	register long r7 __asm__("a7") = eid;
	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){ r0, r1 };
}

/* TIME.set_timer (§6.1): also clears the pending supervisor timer interrupt. */
void sbi_set_timer(uint64_t stime)
{
	sbi_call(SBI_EXT_TIME, 0, (long)stime, 0, 0);
}

/* SRST.system_reset (§10.1): shutdown, with reason "system failure" for a failed run. */
void sbi_shutdown(int failure)
{
	sbi_call(SBI_EXT_SRST, 0, 0, failure ? 1 : 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

/* DBCN.console_write (§12.1): only when the device tree has no UART. */
void sbi_console_write(const char *s, uint64_t n)
{
	while (n > 0) {
		struct sbiret r = sbi_call(SBI_EXT_DBCN, 0, (long)n, (long)(uintptr_t)s, 0);
		if (r.error || r.value <= 0)
			return;
		s += r.value;
		n -= (uint64_t)r.value;
	}
}
