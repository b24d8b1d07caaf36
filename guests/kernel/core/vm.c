/*
 * User address spaces as Sv39 page tables, built the same way on both
 * platforms. The core reads tables directly (on PV they are mapped read-only
 * into the kernel, on HVM read-write) but changes them only through
 * plat_pt_set, which is a plain store plus fence on HVM and a validated
 * mmu_update hypercall on PV.
 *
 * Only the user range USER_BASE..USER_END (one Sv39 gigabyte, root entry 1)
 * belongs to the core; the HVM layer keeps its own kernel mappings in other
 * root entries of every root.
 */
#include "syscall.h"
#include "kernel.h"

static uint64_t *table(uint64_t pfn)
{
	return plat_pfn_to_kva(pfn);
}

static int user_va(uint64_t va)
{
	return va >= USER_BASE && va < USER_END && (va & (PAGE_SIZE - 1)) == 0;
}

int as_create(struct as *as)
{
	uint64_t root = frame_alloc();
	if (root == NO_PFN)
		return -E_NOMEM;
	plat_pt_prepare(root, 2);
	as->root = root;
	as->pages = 0;
	return 0;
}

/* The level-0 table mapping `va`, created on the way if `create`. */
static uint64_t walk(struct as *as, uint64_t va, int create)
{
	uint64_t t = as->root;
	for (int level = 2; level > 0; level--) {
		uint64_t pte = table(t)[VPN(va, level)];
		if (pte & PTE_V) {
			t = plat_ppn_to_pfn(PTE_PPN(pte));
			if (t == NO_PFN)
				panic("page table at level %d names a frame that is not ours", level);
			continue;
		}
		if (!create)
			return NO_PFN;
		uint64_t child = frame_alloc();
		if (child == NO_PFN)
			return NO_PFN;
		plat_pt_prepare(child, level - 1);
		plat_pt_set(t, VPN(va, level), (plat_pfn_to_ppn(child) << PTE_PPN_SHIFT) | PTE_V);
		t = child;
	}
	return t;
}

int as_map(struct as *as, uint64_t va, uint64_t pfn, uint64_t perm)
{
	if (!user_va(va))
		return -E_INVAL;
	uint64_t l0 = walk(as, va, 1);
	if (l0 == NO_PFN)
		return -E_NOMEM;
	if (table(l0)[VPN(va, 0)] & PTE_V)
		return -E_EXIST;
	/* A and D preset: a hart may fault on clear A/D bits (Svade), and we never age pages. */
	plat_pt_set(l0, VPN(va, 0), (plat_pfn_to_ppn(pfn) << PTE_PPN_SHIFT) | perm | PTE_V | PTE_U | PTE_A | PTE_D);
	as->pages++;
	return 0;
}

uint64_t as_lookup(struct as *as, uint64_t va, uint64_t *pte_out)
{
	if (va < USER_BASE || va >= USER_END)
		return NO_PFN;
	uint64_t l0 = walk(as, va, 0);
	if (l0 == NO_PFN)
		return NO_PFN;
	uint64_t pte = table(l0)[VPN(va, 0)];
	if (!(pte & PTE_V))
		return NO_PFN;
	if (pte_out)
		*pte_out = pte;
	return plat_ppn_to_pfn(PTE_PPN(pte));
}

int as_unmap(struct as *as, uint64_t va)
{
	if (!user_va(va))
		return -E_INVAL;
	uint64_t l0 = walk(as, va, 0);
	if (l0 == NO_PFN || !(table(l0)[VPN(va, 0)] & PTE_V))
		return -E_NOENT;
	uint64_t pfn = plat_ppn_to_pfn(PTE_PPN(table(l0)[VPN(va, 0)]));
	plat_pt_set(l0, VPN(va, 0), 0);
	frame_free(pfn);
	as->pages--;
	return 0;
}

/*
 * Tears the tables down leaves first, so that on PV every table has lost all
 * its references (and its page-table type) before it becomes a plain frame.
 */
void as_destroy(struct as *as)
{
	uint64_t root = as->root;
	for (unsigned i2 = VPN(USER_BASE, 2); i2 <= VPN(USER_END - 1, 2); i2++) {
		uint64_t e2 = table(root)[i2];
		if (!(e2 & PTE_V))
			continue;
		uint64_t l1 = plat_ppn_to_pfn(PTE_PPN(e2));
		for (unsigned i1 = 0; i1 < PT_ENTRIES; i1++) {
			uint64_t e1 = table(l1)[i1];
			if (!(e1 & PTE_V))
				continue;
			uint64_t l0 = plat_ppn_to_pfn(PTE_PPN(e1));
			for (unsigned i0 = 0; i0 < PT_ENTRIES; i0++) {
				uint64_t e0 = table(l0)[i0];
				if (!(e0 & PTE_V))
					continue;
				plat_pt_set(l0, i0, 0);
				frame_free(plat_ppn_to_pfn(PTE_PPN(e0)));
			}
			plat_pt_set(l1, i1, 0);
			plat_pt_release(l0, 0);
			frame_free(l0);
		}
		plat_pt_set(root, i2, 0);
		plat_pt_release(l1, 1);
		frame_free(l1);
	}
	plat_pt_release(root, 2);
	frame_free(root);
	as->root = NO_PFN;
	as->pages = 0;
}

/* fork: every user page of `src` copied into a fresh frame at the same address. */
int as_copy(struct as *dst, struct as *src)
{
	for (unsigned i2 = VPN(USER_BASE, 2); i2 <= VPN(USER_END - 1, 2); i2++) {
		uint64_t e2 = table(src->root)[i2];
		if (!(e2 & PTE_V))
			continue;
		uint64_t l1 = plat_ppn_to_pfn(PTE_PPN(e2));
		for (unsigned i1 = 0; i1 < PT_ENTRIES; i1++) {
			uint64_t e1 = table(l1)[i1];
			if (!(e1 & PTE_V))
				continue;
			uint64_t l0 = plat_ppn_to_pfn(PTE_PPN(e1));
			for (unsigned i0 = 0; i0 < PT_ENTRIES; i0++) {
				uint64_t e0 = table(l0)[i0];
				if (!(e0 & PTE_V))
					continue;
				uint64_t va = ((uint64_t)i2 << 30) | ((uint64_t)i1 << 21) | ((uint64_t)i0 << 12);
				uint64_t pfn = frame_alloc();
				if (pfn == NO_PFN)
					return -E_NOMEM;
				memcpy(plat_pfn_to_kva(pfn), plat_pfn_to_kva(plat_ppn_to_pfn(PTE_PPN(e0))), PAGE_SIZE);
				int r = as_map(dst, va, pfn, e0 & (PTE_R | PTE_W | PTE_X));
				if (r < 0) {
					frame_free(pfn);
					return r;
				}
			}
		}
	}
	return 0;
}

/* Copies through the kernel's own mapping of each frame, checking the user's rights page by page. */
static int copy_user(struct as *as, uint64_t va, uint8_t *kbuf, uint64_t n, int to_user)
{
	while (n > 0) {
		uint64_t pte;
		uint64_t pfn = as_lookup(as, va & ~(PAGE_SIZE - 1), &pte);
		if (pfn == NO_PFN || !(pte & PTE_U) || !(pte & (to_user ? PTE_W : PTE_R)))
			return -E_FAULT;
		uint64_t off = va & (PAGE_SIZE - 1);
		uint64_t chunk = PAGE_SIZE - off < n ? PAGE_SIZE - off : n;
		uint8_t *k = (uint8_t *)plat_pfn_to_kva(pfn) + off;
		if (to_user)
			memcpy(k, kbuf, chunk);
		else
			memcpy(kbuf, k, chunk);
		va += chunk;
		kbuf += chunk;
		n -= chunk;
	}
	return 0;
}

int copy_from_user(struct as *as, void *dst, uint64_t va, uint64_t n)
{
	return copy_user(as, va, dst, n, 0);
}

int copy_to_user(struct as *as, uint64_t va, const void *src, uint64_t n)
{
	return copy_user(as, va, (uint8_t *)src, n, 1);
}
