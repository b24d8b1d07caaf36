/*
 * Memory on HVM: the kernel runs identity-mapped through two global
 * gigapages in every root table (root entry 0: devices at 0..1 GiB; entry 2:
 * RAM from 0x80000000), which the user program cannot touch (U = 0). The
 * user range, root entry 1, is the core's (core/vm.c). Page tables are plain
 * memory here: an update is a store and an sfence.vma.
 */
#include "hvm.h"
#include "plat.h"
#include "riscv.h"
#include "lib.h"

#define SATP_SV39 (8UL << 60)
#define KERNEL_ROOT_DEVICES 0
#define KERNEL_ROOT_RAM 2

static uint64_t kernel_root[PT_ENTRIES] __attribute__((aligned(4096)));
static uint64_t free_first, free_end;

extern char __kernel_end[];

void mm_init(uint64_t ram_size, uint64_t free_limit)
{
	kernel_root[KERNEL_ROOT_DEVICES] = (0UL >> 12) << PTE_PPN_SHIFT | PTE_V | PTE_R | PTE_W | PTE_G | PTE_A | PTE_D;
	kernel_root[KERNEL_ROOT_RAM] = (RAM_BASE >> 12) << PTE_PPN_SHIFT | PTE_V | PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D;
	csr_write(satp, SATP_SV39 | ((uint64_t)(uintptr_t)kernel_root >> 12));
	__asm__ volatile("sfence.vma" ::: "memory");
	free_first = ((uint64_t)(uintptr_t)__kernel_end - RAM_BASE) / PAGE_SIZE;
	uint64_t end = (free_limit < RAM_BASE + ram_size ? free_limit : RAM_BASE + ram_size) - RAM_BASE;
	free_end = end / PAGE_SIZE;
}

void plat_free_frames(uint64_t *first_pfn, uint64_t *end_pfn)
{
	*first_pfn = free_first;
	*end_pfn = free_end;
}

void *plat_pfn_to_kva(uint64_t pfn)
{
	return (void *)(RAM_BASE + pfn * PAGE_SIZE);
}

uint64_t plat_pfn_to_ppn(uint64_t pfn)
{
	return RAM_BASE / PAGE_SIZE + pfn;
}

uint64_t plat_ppn_to_pfn(uint64_t ppn)
{
	uint64_t pfn = ppn - RAM_BASE / PAGE_SIZE;
	return ppn >= RAM_BASE / PAGE_SIZE && pfn < free_end ? pfn : NO_PFN;
}

void plat_pt_prepare(uint64_t pfn, int level)
{
	/* A new root carries the kernel's gigapages so traps need no satp switch. */
	if (level == 2) {
		uint64_t *t = plat_pfn_to_kva(pfn);
		t[KERNEL_ROOT_DEVICES] = kernel_root[KERNEL_ROOT_DEVICES];
		t[KERNEL_ROOT_RAM] = kernel_root[KERNEL_ROOT_RAM];
	}
}

void plat_pt_set(uint64_t table_pfn, unsigned index, uint64_t pte)
{
	((volatile uint64_t *)plat_pfn_to_kva(table_pfn))[index] = pte;
	/* Order the store before later walks and drop stale translations (spec 4.2.1). */
	__asm__ volatile("sfence.vma" ::: "memory");
}

void plat_pt_release(uint64_t pfn, int level)
{
	(void)pfn;
	(void)level;
}

void plat_as_activate(uint64_t root_pfn)
{
	uint64_t root = root_pfn == NO_PFN ? (uint64_t)(uintptr_t)kernel_root >> 12 : plat_pfn_to_ppn(root_pfn);
	csr_write(satp, SATP_SV39 | root);
	__asm__ volatile("sfence.vma" ::: "memory");
}
