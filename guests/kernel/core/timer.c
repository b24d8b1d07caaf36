/*
 * One platform timer carries two things: the periodic tick the timer
 * workload counts, and the timeout of a wait (net receive). The tick stops
 * by itself after the requested number, so the count a program sees is exact
 * whatever the platform's interrupt latency.
 */
#include "kernel.h"

static uint64_t interval, ticks, ticks_target, next_tick, timeout;
static int ticking;

static void reprogram(void)
{
	uint64_t d = 0;
	if (ticking)
		d = next_tick;
	if (timeout && (d == 0 || timeout < d))
		d = timeout;
	plat_timer_set(d);
}

void timer_start(uint64_t interval_ns, uint64_t n)
{
	interval = interval_ns;
	ticks = 0;
	ticks_target = n;
	ticking = n > 0;
	next_tick = plat_now_ns() + interval;
	reprogram();
}

uint64_t timer_ticks(void)
{
	return ticks;
}

void timer_set_timeout(uint64_t deadline_ns)
{
	timeout = deadline_ns;
	reprogram();
}

/* The platform's timer interrupt or VIRQ_TIMER upcall. */
void kernel_timer_fired(void)
{
	uint64_t now = plat_now_ns();
	/* One tick per interrupt even if we are late: the count must not depend on latency. */
	if (ticking && now >= next_tick) {
		ticks++;
		next_tick += interval;
		if (next_tick <= now)
			next_tick = now + 1;
		if (ticks >= ticks_target)
			ticking = 0;
	}
	if (timeout && now >= timeout)
		timeout = 0;
	reprogram();
}

int timer_wait_ticks(uint64_t target)
{
	while (ticks < target) {
		if (!ticking)
			return -1;
		plat_idle();
	}
	return 0;
}
