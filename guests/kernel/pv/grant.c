/*
 * Our grant table, v1 (§7): one frame the hypervisor maps where we ask,
 * 512 entries of { u16 flags; u16 domid; u32 frame }. The drivers grant
 * their ring and buffer pages to the backends (domain 0).
 */
#include "pv.h"
#include "plat.h"

#define GNTTABOP_setup_table 2
#define GTF_permit_access 1
#define GTF_readonly 4
#define GTF_reading 8
#define GTF_writing 16
#define NR_ENTRIES 512
#define FIRST_REF 8 /* Xen keeps refs 0-7 for the toolstack; so do we */

struct grant_entry {
	volatile uint16_t flags;
	volatile uint16_t domid;
	volatile uint32_t frame;
};

static struct grant_entry *table;
static uint8_t used[NR_ENTRIES];

void grant_init(void)
{
	uint64_t va = pv_kernel_window();
	uint64_t frame_va[1] = { va };
	struct {
		uint16_t dom, pad;
		uint32_t nr_frames;
		int16_t status;
		uint16_t pad2[3];
		uint64_t frame_list;
	} op = { DOMID_SELF, 0, 1, 0, { 0, 0, 0 }, (uint64_t)frame_va };
	long rc = hypercall(HYPERVISOR_grant_table_op, GNTTABOP_setup_table, (uint64_t)&op, 1, 0);
	if (rc < 0 || op.status != 0)
		pv_fatal("grant_table_op setup_table", rc < 0 ? rc : op.status);
	table = (struct grant_entry *)va;
}

uint32_t grant_access(uint16_t domid, uint64_t mfn, int readonly)
{
	for (uint32_t ref = FIRST_REF; ref < NR_ENTRIES; ref++) {
		if (used[ref])
			continue;
		used[ref] = 1;
		table[ref].domid = domid;
		table[ref].frame = (uint32_t)mfn;
		/* Frame and domid must be visible before the grant becomes valid. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		table[ref].flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
		return ref;
	}
	pv_fatal("grant table full", 0);
}

/*
 * Revokes a grant: clears permit_access only if the backend has no mapping
 * (GTF_reading/GTF_writing clear), as one atomic compare-and-swap on the
 * entry's first word (flags and domid), since the hypervisor sets those bits.
 */
int grant_end_access(uint32_t ref)
{
	volatile uint32_t *word = (volatile uint32_t *)&table[ref];
	uint32_t old = *word;
	for (;;) {
		if (old & (GTF_reading | GTF_writing))
			return -1;
		uint32_t want = old & 0xffff0000u; /* flags 0, domid kept */
		if (__atomic_compare_exchange_n(word, &old, want, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
	}
	used[ref] = 0;
	return 0;
}
