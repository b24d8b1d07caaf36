/*
 * The HVM platform: an ordinary S-mode kernel on Chronovisor's emulated
 * machine (or QEMU virt under OpenSBI). Boot reads the device tree, turns on
 * Sv39, finds the PLIC, UART, cvblk and cvnet, and hands over to the core.
 * The kernel runs with sstatus.SIE = 0: interrupts are taken only while the
 * user program runs, or polled from sip after WFI when the kernel idles, so
 * the kernel never nests traps.
 */
#include "hvm.h"
#include "plat.h"
#include "lib.h"
#include "riscv.h"

static struct fdt_node nodes[FDT_MAX_NODES];
static uint64_t timebase = 10000000; /* Hz; the device tree's value replaces it */
static uint64_t timer_irqs, ext_irqs;

void plat_console_write(const char *s, size_t n)
{
	if (uart_present())
		uart_write(s, n);
	else
		sbi_console_write(s, n);
}

/* The PLIC context whose interrupts-extended entry is (this hart's intc, 9). */
static int plic_context(int n, const struct fdt_node *plic, uint64_t hartid)
{
	uint32_t intc = 0;
	for (int i = 0; i < n; i++) {
		const struct fdt_node *c = &nodes[i];
		if (fdt_is_compatible(c, "riscv,cpu-intc") && c->parent >= 0 && nodes[c->parent].cpu_reg == hartid)
			intc = c->phandle;
	}
	for (uint32_t k = 0; intc && k + 8 <= plic->ints_ext_len; k += 8)
		if (fdt_be32(plic->ints_ext + k) == intc && fdt_be32(plic->ints_ext + k + 4) == IRQ_S_EXT)
			return (int)(k / 8);
	return -1;
}

void hvm_main(uint64_t hartid, const void *fdt)
{
	uint32_t fdt_size = 0;
	int n = fdt_parse(fdt, nodes, FDT_MAX_NODES, &fdt_size);
	if (n < 0)
		sbi_shutdown(1); /* no console known yet: nothing to say it with */

	const char *bootargs = "";
	uint64_t ram_size = 0;
	for (int i = 0; i < n; i++) {
		const struct fdt_node *d = &nodes[i];
		if (fdt_is_compatible(d, "ns16550a") && !uart_present())
			uart_init(d->reg_base);
		if (strncmp(d->name, "memory@", 7) == 0 && d->reg_base == RAM_BASE)
			ram_size = d->reg_size;
		if (strcmp(d->name, "chosen") == 0 && d->bootargs)
			bootargs = d->bootargs;
		if (strcmp(d->name, "cpus") == 0 && d->timebase)
			timebase = d->timebase;
	}
	kprintf("hvm: S-mode kernel on hart %lu, %lu MiB of RAM, device tree at %p\n", hartid, ram_size >> 20, fdt);

	/* Free memory ends below the device tree, which Chronovisor and QEMU put near the top of RAM. */
	mm_init(ram_size, (uint64_t)(uintptr_t)fdt & ~(PAGE_SIZE - 1));

	for (int i = 0; i < n; i++) {
		const struct fdt_node *d = &nodes[i];
		if (fdt_is_compatible(d, "riscv,plic0") || fdt_is_compatible(d, "sifive,plic-1.0.0")) {
			int ctx = plic_context(n, d, hartid);
			if (ctx >= 0) {
				plic_init(d->reg_base, (unsigned)ctx);
				kprintf("hvm: PLIC at 0x%lx, S-mode context %d\n", d->reg_base, ctx);
			}
		}
	}
	for (int i = 0; i < n; i++) {
		const struct fdt_node *d = &nodes[i];
		if (fdt_is_compatible(d, "chronovisor,cvblk") && plat_disk_sectors() == 0 && cvblk_probe(d) == 0)
			kprintf("hvm: cvblk at 0x%lx: %lu sectors%s\n", d->reg_base, plat_disk_sectors(), d->read_only ? ", read-only" : "");
		if (fdt_is_compatible(d, "chronovisor,cvnet") && cvnet_probe(d) == 0) {
			uint8_t m[6];
			plat_net_mac(m);
			kprintf("hvm: cvnet at 0x%lx, irq %u, mac %02x:%02x:%02x:%02x:%02x:%02x\n", d->reg_base, d->irq, m[0], m[1], m[2], m[3], m[4], m[5]);
		}
	}

	sbi_set_timer(~0UL);
	csr_set(sie, SIE_STIE | SIE_SEIE);
	kernel_main(bootargs);
}

void hvm_kernel_trap(uint64_t scause, uint64_t sepc, uint64_t stval)
{
	panic("trap in the kernel: scause 0x%lx, sepc 0x%lx, stval 0x%lx", scause, sepc, stval);
}

uint64_t plat_now_ns(void)
{
	uint64_t t = csr_read(time);
	return t / timebase * 1000000000UL + t % timebase * 1000000000UL / timebase;
}

void plat_timer_set(uint64_t deadline_ns)
{
	if (deadline_ns == 0) {
		sbi_set_timer(~0UL);
		return;
	}
	/* Round up: firing early would make the core see "not yet" and wait for nothing. */
	uint64_t s = deadline_ns / 1000000000UL * timebase + (deadline_ns % 1000000000UL * timebase + 999999999UL) / 1000000000UL;
	sbi_set_timer(s);
}

void plat_interrupt(uint64_t cause)
{
	uint64_t code = cause & ~CAUSE_INTERRUPT;
	if (code == IRQ_S_TIMER) {
		timer_irqs++;
		kernel_timer_fired(); /* re-arms or disarms through set_timer, which clears STIP */
	} else if (code == IRQ_S_EXT) {
		ext_irqs++;
		for (unsigned irq; (irq = plic_claim()) != 0;) {
			cvnet_irq(irq);
			plic_complete(irq);
		}
	} else {
		panic("unexpected interrupt 0x%lx", cause);
	}
}

void plat_idle(void)
{
	/* SIE is 0: WFI still wakes on an enabled pending interrupt, which is then handled here. */
	__asm__ volatile("wfi");
	uint64_t pending = csr_read(sip) & csr_read(sie);
	if (pending & SIE_STIE)
		plat_interrupt(CAUSE_INTERRUPT | IRQ_S_TIMER);
	if (pending & SIE_SEIE)
		plat_interrupt(CAUSE_INTERRUPT | IRQ_S_EXT);
}

void plat_shutdown(int ok)
{
	kprintf("hvm: %lu timer and %lu external interrupts, %lu disk requests; shutting down through SBI SRST\n", timer_irqs, ext_irqs,
		cvblk_requests());
	sbi_shutdown(!ok);
}
