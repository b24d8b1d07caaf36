/*
 * Frame allocator: a bitmap over the pseudo-physical frames the platform
 * leaves free. Lowest-free-first keeps every run's allocation order, and so
 * every page table the hypervisor sees, identical from run to run.
 */
#include "kernel.h"

#define MAX_FRAMES (256UL * 1024 * 1024 / PAGE_SIZE) /* up to 256 MiB of RAM */

static uint64_t bitmap[MAX_FRAMES / 64];
static uint64_t first, end, hint, used;

void frames_init(uint64_t first_pfn, uint64_t end_pfn)
{
	if (end_pfn > MAX_FRAMES)
		end_pfn = MAX_FRAMES;
	first = hint = first_pfn;
	end = end_pfn;
}

uint64_t frame_alloc(void)
{
	for (uint64_t pfn = hint; pfn < end; pfn++) {
		uint64_t bit = 1UL << (pfn % 64);
		if (bitmap[pfn / 64] & bit)
			continue;
		bitmap[pfn / 64] |= bit;
		hint = pfn + 1;
		used++;
		memset(plat_pfn_to_kva(pfn), 0, PAGE_SIZE);
		return pfn;
	}
	return NO_PFN;
}

void frame_free(uint64_t pfn)
{
	if (pfn < first || pfn >= end || !(bitmap[pfn / 64] & (1UL << (pfn % 64))))
		panic("freeing frame %lu that is not allocated", pfn);
	bitmap[pfn / 64] &= ~(1UL << (pfn % 64));
	if (pfn < hint)
		hint = pfn;
	used--;
}

uint64_t frames_in_use(void)
{
	return used;
}
