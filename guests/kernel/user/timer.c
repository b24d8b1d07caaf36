/*
 * Timer-heavy loop: a periodic tick while the user program computes (every
 * tick interrupts U-mode and goes through the kernel's trap path), then
 * ticks the kernel waits for in sleeps (idle: WFI on HVM, a blocking
 * hypercall on PV). The kernel stops the tick after the requested count, so
 * the counts printed are exact on any platform.
 */
#include "ulib.h"

#define BUSY_TICKS 200
#define BUSY_US 250
#define SLEEP_TICKS 300
#define SLEEP_US 1000
#define SLEEPS 30

int timer_workload(void)
{
	static uint8_t work[256];
	uint32_t crc = 0;
	uint64_t rounds = 0;

	int64_t t0 = sys_time_us();
	sys_timer_start(BUSY_US, BUSY_TICKS);
	while (sys_ticks() < BUSY_TICKS) {
		fill_pattern(work, sizeof work, (uint32_t)rounds + 1);
		crc = crc32(crc, work, sizeof work);
		rounds++;
	}
	int64_t t1 = sys_time_us();
	int64_t busy = sys_ticks();
	int busy_ok = busy == BUSY_TICKS && t1 - t0 >= BUSY_TICKS * BUSY_US;
	printf("timer: %ld ticks of %dus while computing, %s\n", (long)busy, BUSY_US, busy_ok ? "ok" : "WRONG");

	sys_timer_start(SLEEP_US, SLEEP_TICKS);
	int64_t t2 = sys_time_us();
	int monotonic = 1;
	int64_t last = 0;
	for (int i = 0; i < SLEEPS; i++) {
		int64_t now = sys_sleep_ticks(SLEEP_TICKS / SLEEPS);
		monotonic &= now > last;
		last = now;
	}
	int64_t t3 = sys_time_us();
	int sleep_ok = last == SLEEP_TICKS && monotonic && t3 - t2 >= SLEEP_TICKS * SLEEP_US;
	printf("timer: %ld ticks of %dus in %d kernel sleeps, %s\n", (long)last, SLEEP_US, SLEEPS, sleep_ok ? "ok" : "WRONG");
	printf("timer: %d ticks in total, %s\n", BUSY_TICKS + SLEEP_TICKS, busy_ok && sleep_ok ? "ok" : "WRONG");
	return !(busy_ok && sleep_ok);
}
