/*
 * The PLIC (SiFive's layout, as on QEMU virt): one S-mode context per hart
 * in the domain's device tree, found through interrupts-extended rather than
 * assumed, because its number depends on how the platform lists contexts.
 */
#include "hvm.h"

#define PLIC_PRIORITY(irq) (4 * (irq))
#define PLIC_ENABLE(ctx)   (0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)    (0x200004 + 0x1000 * (ctx))

static uint64_t plic;
static unsigned ctx;

#define REG(off) (*(volatile uint32_t *)(plic + (off)))

void plic_init(uint64_t base, unsigned context)
{
	plic = base;
	ctx = context;
	REG(PLIC_THRESHOLD(ctx)) = 0;
}

void plic_enable(unsigned irq)
{
	if (!plic)
		return;
	REG(PLIC_PRIORITY(irq)) = 1;
	REG(PLIC_ENABLE(ctx) + 4 * (irq / 32)) |= 1u << (irq % 32);
}

unsigned plic_claim(void)
{
	return plic ? REG(PLIC_CLAIM(ctx)) : 0;
}

void plic_complete(unsigned irq)
{
	REG(PLIC_CLAIM(ctx)) = irq;
}
