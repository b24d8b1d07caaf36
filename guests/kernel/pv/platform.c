/*
 * The PV platform: the kernel runs deprivileged in U-mode, knows it is
 * virtualized and reaches everything through hypercalls. Boot reads
 * start_info, builds the reverse frame map, registers the trap and event
 * callbacks, binds VIRQ_TIMER, sets up the grant table and xenstore, and
 * connects blkfront and netfront before handing over to the core.
 */
#include "pv.h"
#include "plat.h"
#include "lib.h"

#define START_INFO_MAGIC "chronovisor-pv-1.0"

struct start_info *start_info;
struct shared_info *shared_info;
static uint64_t timer_virqs;

extern char pv_trap_callback[], pv_event_callback[], __trap_stack_top[];

void plat_console_write(const char *s, size_t n)
{
	hyp_console_write(s, n);
}

void pv_fatal(const char *what, long rc)
{
	panic("%s failed (%ld)", what, rc);
}

static void timer_event(unsigned port)
{
	(void)port;
	timer_virqs++;
	kernel_timer_fired();
}

void pv_main(struct start_info *si)
{
	start_info = si;
	if (strncmp(si->magic, START_INFO_MAGIC, sizeof START_INFO_MAGIC) != 0) {
		hyp_console_write("pv: start_info has the wrong magic\n", 35);
		struct {
			uint32_t reason;
		} sd = { SHUTDOWN_crash };
		hyp_sched_op(SCHEDOP_shutdown, &sd);
	}
	shared_info = (struct shared_info *)si->shared_info;
	long version = hypercall(HYPERVISOR_xen_version, XENVER_version, 0, 0, 0);
	kprintf("pv: U-mode kernel in domain %u, %lu MiB, PV ABI %ld.%ld\n", si->domid, si->nr_pages >> 8, version >> 16, version & 0xffff);

	mm_init();
	long rc = hypercall(HYPERVISOR_set_callbacks, (uint64_t)pv_event_callback, (uint64_t)pv_trap_callback, 0, 0);
	if (rc < 0)
		pv_fatal("set_callbacks", rc);
	/* Traps from the user program land on a small stack of their own (entry.S never uses it for long). */
	rc = hypercall(HYPERVISOR_stack_switch, (uint64_t)__trap_stack_top, 0, 0, 0);
	if (rc < 0)
		pv_fatal("stack_switch", rc);
	evtchn_init();
	unsigned timer_port = evtchn_bind_virq(VIRQ_TIMER, timer_event);
	grant_init();
	xs_init();
	kprintf("pv: VIRQ_TIMER on event channel %u, xenstore on %u\n", timer_port, si->store_evtchn);
	if (blkfront_init() < 0)
		kprintf("pv: no vbd in xenstore\n");
	if (netfront_init() < 0)
		kprintf("pv: no vif in xenstore\n");
	kernel_main(si->cmd_line);
}

/* A trap or upcall while the kernel itself ran (entry.S); only an upcall is expected. */
void pv_kernel_trap(struct trapframe *tf)
{
	if (tf->cause == EVENT_UPCALL) {
		evtchn_count_upcall();
		evtchn_dispatch();
		return;
	}
	panic("trap in the kernel: cause 0x%lx, pc 0x%lx, tval 0x%lx", tf->cause, tf->pc, tf->tval);
}

uint64_t plat_now_ns(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t * 100; /* `time` counts at the 10 MHz timebase */
}

void plat_timer_set(uint64_t deadline_ns)
{
	/* Rounded up to a whole timebase tick, so `time` has reached it when VIRQ_TIMER fires. */
	uint64_t d = deadline_ns ? (deadline_ns + 99) / 100 * 100 : 0;
	long rc = hypercall(HYPERVISOR_set_timer_op, d, 0, 0, 0);
	if (rc < 0)
		pv_fatal("set_timer_op", rc);
}

void plat_shutdown(int ok)
{
	kprintf("pv: %lu upcalls, %lu timer virqs, %lu blkif requests; shutting down through sched_op\n", evtchn_upcalls(), timer_virqs,
		blkfront_requests());
	struct {
		uint32_t reason;
	} sd = { ok ? SHUTDOWN_poweroff : SHUTDOWN_crash };
	hyp_sched_op(SCHEDOP_shutdown, &sd);
	for (;;)
		hyp_sched_op(SCHEDOP_block, 0);
}
