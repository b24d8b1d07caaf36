/*
 * Hypercalls (§2): `ecall` from the U-mode kernel, number in a7, arguments
 * in a0..a5, result in a0 (negative: -errno). Everything else is preserved.
 */
#include "pv.h"
#include "plat.h"

long hypercall(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t r0 __asm__("a0") = a0;
	register uint64_t r1 __asm__("a1") = a1;
	register uint64_t r2 __asm__("a2") = a2;
	register uint64_t r3 __asm__("a3") = a3;
	register long r7 __asm__("a7") = nr;
	__asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r7) : "memory");
	return (long)r0;
}

/* §4.2: one MMU_NORMAL_PT_UPDATE; `ptr` is the entry's machine address. */
long hyp_mmu_update(uint64_t ptr, uint64_t val)
{
	struct {
		uint64_t ptr, val;
	} req = { ptr, val };
	return hypercall(HYPERVISOR_mmu_update, (uint64_t)&req, 1, 0, DOMID_SELF);
}

/* §4.3: one mmuext_op. */
long hyp_mmuext(uint32_t cmd, uint64_t arg1)
{
	struct {
		uint32_t cmd, pad;
		uint64_t arg1, arg2;
	} op = { cmd, 0, arg1, 0 };
	return hypercall(HYPERVISOR_mmuext_op, (uint64_t)&op, 1, 0, DOMID_SELF);
}

long hyp_update_va_mapping(uint64_t va, uint64_t val)
{
	return hypercall(HYPERVISOR_update_va_mapping, va, val, UVMF_INVLPG, 0);
}

long hyp_evtchn_op(int cmd, void *arg)
{
	return hypercall(HYPERVISOR_event_channel_op, (uint64_t)cmd, (uint64_t)arg, 0, 0);
}

long hyp_sched_op(int cmd, void *arg)
{
	return hypercall(HYPERVISOR_sched_op, (uint64_t)cmd, (uint64_t)arg, 0, 0);
}

void hyp_console_write(const char *s, size_t n)
{
	hypercall(HYPERVISOR_console_io, CONSOLEIO_write, n, (uint64_t)s, 0);
}
