/*
 * Memory on PV (§4): direct paging. Page tables hold machine frame numbers,
 * the kernel may read its tables (mapped read-only) but changes them only
 * through mmu_update, which validates every entry. The rules that shape this
 * file:
 *   - a frame is never both a page table and writable, so a frame the core
 *     turns into a table is first remapped read-only in the kernel's linear
 *     map (update_va_mapping), and made writable again once released;
 *   - a root must be pinned as l3 before NEW_USER_BASEPTR takes it, and
 *     unpinned (while not installed) before it is released;
 *   - lower tables get their type when a parent entry first points to them.
 * The pfn -> mfn map comes from start_info's mfn_list; the reverse map is a
 * hash table built at boot.
 */
#include "pv.h"
#include "plat.h"
#include "riscv.h"
#include "lib.h"

static uint64_t *mfn_list;
static uint64_t nr_pages;
static uint64_t next_boot_pfn; /* boot-time allocations before the core's allocator takes over */

struct m2p_slot {
	uint32_t mfn, pfn; /* mfn 0 = empty: frame 0 is never RAM */
};
static struct m2p_slot *m2p;
static uint64_t m2p_mask;

static uint64_t hash(uint64_t mfn)
{
	return (mfn * 0x9e3779b97f4a7c15UL) >> 40;
}

uint64_t pfn_to_mfn(uint64_t pfn)
{
	return pfn < nr_pages ? mfn_list[pfn] : 0;
}

uint64_t mfn_to_pfn(uint64_t mfn)
{
	for (uint64_t i = hash(mfn) & m2p_mask;; i = (i + 1) & m2p_mask) {
		if (m2p[i].mfn == mfn)
			return m2p[i].pfn;
		if (m2p[i].mfn == 0)
			return NO_PFN;
	}
}

void *mfn_to_kva(uint64_t mfn)
{
	uint64_t pfn = mfn_to_pfn(mfn);
	return pfn == NO_PFN ? 0 : plat_pfn_to_kva(pfn);
}

uint64_t kva_to_mfn(const void *kva)
{
	return pfn_to_mfn(((uint64_t)(uintptr_t)kva - KERNEL_BASE) / PAGE_SIZE);
}

/* A zeroed page for the platform layer's own use (rings, buffers), before the core runs. */
void *pv_alloc_page(void)
{
	if (next_boot_pfn >= nr_pages)
		pv_fatal("out of memory at boot", 0);
	void *p = plat_pfn_to_kva(next_boot_pfn++);
	memset(p, 0, PAGE_SIZE);
	return p;
}

uint64_t pv_pages_used(void)
{
	return next_boot_pfn;
}

void mm_init(void)
{
	nr_pages = start_info->nr_pages;
	mfn_list = (uint64_t *)start_info->mfn_list;
	next_boot_pfn = start_info->first_free_pfn;
	uint64_t slots = 1;
	while (slots < 2 * nr_pages)
		slots <<= 1;
	uint64_t pages = (slots * sizeof *m2p + PAGE_SIZE - 1) / PAGE_SIZE;
	m2p = plat_pfn_to_kva(next_boot_pfn);
	for (uint64_t i = 0; i < pages; i++)
		pv_alloc_page();
	m2p_mask = slots - 1;
	for (uint64_t pfn = 0; pfn < nr_pages; pfn++) {
		uint64_t mfn = mfn_list[pfn];
		if (mfn == 0 || mfn > 0xffffffffUL)
			pv_fatal("mfn_list has an MFN this kernel cannot index", (long)mfn);
		uint64_t i = hash(mfn) & m2p_mask;
		while (m2p[i].mfn)
			i = (i + 1) & m2p_mask;
		m2p[i].mfn = (uint32_t)mfn;
		m2p[i].pfn = (uint32_t)pfn;
	}
}

void plat_free_frames(uint64_t *first_pfn, uint64_t *end_pfn)
{
	*first_pfn = next_boot_pfn;
	*end_pfn = nr_pages;
	next_boot_pfn = nr_pages; /* the core owns the rest from now on */
}

void *plat_pfn_to_kva(uint64_t pfn)
{
	return (void *)(KERNEL_BASE + pfn * PAGE_SIZE);
}

uint64_t plat_pfn_to_ppn(uint64_t pfn)
{
	return pfn_to_mfn(pfn);
}

uint64_t plat_ppn_to_pfn(uint64_t ppn)
{
	return mfn_to_pfn(ppn);
}

/* The kernel root's level-0 entry for a linear-map address, read through the read-only tables. */
static uint64_t kernel_leaf(uint64_t va)
{
	const uint64_t *t = (const uint64_t *)start_info->pt_base;
	for (int level = 2; level > 0; level--) {
		uint64_t pte = t[VPN(va, level)];
		if (!(pte & PTE_V) || PTE_LEAF(pte))
			pv_fatal("the kernel's linear map is not made of 4 KiB leaves", (long)level);
		t = mfn_to_kva(PTE_PPN(pte));
		if (!t)
			pv_fatal("a kernel page table is not one of our frames", (long)level);
	}
	return t[VPN(va, 0)];
}

/* Makes the linear mapping of `pfn` writable or read-only, keeping its other bits. */
static void kmap_writable(uint64_t pfn, int writable)
{
	uint64_t va = (uint64_t)(uintptr_t)plat_pfn_to_kva(pfn);
	uint64_t pte = kernel_leaf(va);
	pte = writable ? pte | PTE_W | PTE_D : pte & ~PTE_W;
	long rc = hyp_update_va_mapping(va, pte);
	if (rc < 0)
		pv_fatal("update_va_mapping of the linear map", rc);
}

void plat_pt_prepare(uint64_t pfn, int level)
{
	kmap_writable(pfn, 0);
	if (level == 2) {
		long rc = hyp_mmuext(MMUEXT_PIN_L3_TABLE, pfn_to_mfn(pfn));
		if (rc < 0)
			pv_fatal("mmuext_op PIN_L3_TABLE", rc);
	}
}

void plat_pt_set(uint64_t table_pfn, unsigned index, uint64_t pte)
{
	long rc = hyp_mmu_update((pfn_to_mfn(table_pfn) << PAGE_SHIFT) + index * 8UL, pte);
	if (rc < 0)
		pv_fatal("mmu_update", rc);
}

void plat_pt_release(uint64_t pfn, int level)
{
	if (level == 2) {
		long rc = hyp_mmuext(MMUEXT_UNPIN_TABLE, pfn_to_mfn(pfn));
		if (rc < 0)
			pv_fatal("mmuext_op UNPIN_TABLE", rc);
	}
	kmap_writable(pfn, 1);
}

void plat_as_activate(uint64_t root_pfn)
{
	long rc = hyp_mmuext(MMUEXT_NEW_USER_BASEPTR, root_pfn == NO_PFN ? 0 : pfn_to_mfn(root_pfn));
	if (rc < 0)
		pv_fatal("mmuext_op NEW_USER_BASEPTR", rc);
}

/*
 * A kernel-only window for mappings the hypervisor installs (grant-table
 * frames): a fresh l1 table hooked into the kernel root's last 2 MiB of the
 * linear-map gigabyte, whose entries start out invalid.
 */
uint64_t pv_kernel_window(void)
{
	uint64_t window = KERNEL_BASE + (1UL << 30) - (2UL << 20);
	if (nr_pages * PAGE_SIZE > window - KERNEL_BASE)
		pv_fatal("no room for the kernel window above the linear map", 0);
	const uint64_t *root = (const uint64_t *)start_info->pt_base;
	uint64_t e2 = root[VPN(window, 2)];
	uint64_t *l2 = mfn_to_kva(PTE_PPN(e2));
	if (!(e2 & PTE_V) || !l2)
		pv_fatal("the kernel root has no table for the linear map", 0);
	void *l1 = pv_alloc_page();
	uint64_t l1_pfn = ((uint64_t)(uintptr_t)l1 - KERNEL_BASE) / PAGE_SIZE;
	kmap_writable(l1_pfn, 0);
	uint64_t slot = (PTE_PPN(e2) << PAGE_SHIFT) + VPN(window, 1) * 8UL;
	long rc = hyp_mmu_update(slot, (pfn_to_mfn(l1_pfn) << PTE_PPN_SHIFT) | PTE_V);
	if (rc < 0)
		pv_fatal("mmu_update hooking the kernel window's l1 table", rc);
	return window;
}
