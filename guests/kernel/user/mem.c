/*
 * Memory-management churn: map and unmap pages in rounds (every mapping is a
 * page-table update in the kernel: a store on HVM, a validated hypercall on
 * PV), then fork-like copies of the whole address space, and faults the
 * kernel must catch: a write to an unmapped page, to read-only code, and a
 * read of kernel memory. Each fault kills only the child that made it.
 */
#include "ulib.h"

#define CHURN_BASE 0x50000000UL
#define FORK_BASE  0x60000000UL
#define ROUNDS 16
#define PAGE 4096UL

static uint32_t page_crc(uint64_t va)
{
	return crc32(0, (const void *)va, PAGE);
}

static int page_is_zero(uint64_t va)
{
	const uint64_t *p = (const uint64_t *)va;
	for (unsigned i = 0; i < PAGE / 8; i++)
		if (p[i])
			return 0;
	return 1;
}

static int churn(void)
{
	uint32_t total = 0, crcs[16];
	unsigned mapped = 0, unmapped = 0, bad = 0;
	for (unsigned r = 0; r < ROUNDS; r++) {
		/* Four address ranges in turn, so page tables are emptied and reused. */
		uint64_t base = CHURN_BASE + (r % 4) * 0x200000UL + (r / 4) * 3 * PAGE;
		unsigned n = 4 + (r * 7) % 13;
		if (sys_map(base, n) != 0)
			return printf("mem: FAILED to map %u pages at 0x%lx\n", n, base), 1;
		mapped += n;
		for (unsigned i = 0; i < n; i++) {
			uint64_t va = base + i * PAGE;
			bad += !page_is_zero(va);
			fill_pattern((void *)va, PAGE, r * 1000 + i + 1);
			crcs[i] = page_crc(va);
			total = crc32(total, (const void *)va, PAGE);
		}
		/* Unmap the odd pages, check they are gone, map them again: they must come back zeroed. */
		for (unsigned i = 1; i < n; i += 2) {
			if (sys_unmap(base + i * PAGE, 1) != 0 || sys_mapped(base + i * PAGE) != 0)
				bad++;
			unmapped++;
		}
		for (unsigned i = 1; i < n; i += 2) {
			if (sys_map(base + i * PAGE, 1) != 0)
				bad++;
			mapped++;
			bad += !page_is_zero(base + i * PAGE);
		}
		for (unsigned i = 0; i < n; i += 2)
			bad += page_crc(base + i * PAGE) != crcs[i];
		if (sys_unmap(base, n) != 0)
			bad++;
		unmapped += n;
	}
	printf("mem: churn %d rounds, %u pages mapped, %u unmapped, crc32=%08x, %s\n", ROUNDS, mapped, unmapped, total, bad ? "ERRORS" : "ok");
	return bad != 0;
}

static int fork_copy(void)
{
	const unsigned n = 6;
	if (sys_map(FORK_BASE, n) != 0)
		return printf("mem: FAILED to map the fork buffer\n"), 1;
	fill_pattern((void *)FORK_BASE, n * PAGE, 0xf0f0f0f0u);
	uint32_t parent_crc = crc32(0, (const void *)FORK_BASE, n * PAGE);

	int64_t pid = sys_fork();
	if (pid == 0) {
		/* The child: it sees the parent's data in its own copy, then overwrites it. */
		uint32_t seen = crc32(0, (const void *)FORK_BASE, n * PAGE);
		fill_pattern((void *)FORK_BASE, n * PAGE, 0x0c0c0c0cu);
		int extra = sys_map(FORK_BASE + n * PAGE, 2) == 0;
		uint32_t wrote = crc32(0, (const void *)FORK_BASE, n * PAGE);
		printf("mem: fork child pid %ld sees crc32=%08x, writes crc32=%08x\n", (long)sys_getpid(), seen, wrote);
		sys_exit(seen == parent_crc && extra ? 42 : 1);
	}
	if (pid < 0)
		return printf("mem: FAILED to fork (%ld)\n", (long)pid), 1;
	int32_t status = -1;
	int64_t w = sys_wait(pid, &status);
	uint32_t after = crc32(0, (const void *)FORK_BASE, n * PAGE);
	int isolated = after == parent_crc && sys_mapped(FORK_BASE + n * PAGE) == 0;
	printf("mem: fork parent crc32=%08x before and %08x after, child exit %d, %s\n", parent_crc, after, (int)status,
	       w == pid && status == 42 && isolated ? "isolated ok" : "NOT ISOLATED");
	sys_unmap(FORK_BASE, n);
	return !(w == pid && status == 42 && isolated);
}

/* A child that makes one bad access; the kernel must kill it with `cause`. */
static int fault_child(const char *what, int kind, uint64_t va, int cause)
{
	int64_t pid = sys_fork();
	if (pid == 0) {
		if (kind == 0)
			*(volatile uint32_t *)va = 0xdead;
		else
			(void)*(volatile uint32_t *)va;
		sys_exit(0); /* reaching this is the failure */
	}
	int32_t status = -1;
	sys_wait(pid, &status);
	int ok = status == EXIT_KILLED_BASE + cause;
	printf("mem: child %s: status 0x%x, %s\n", what, (unsigned)status, ok ? "killed as expected" : "NOT KILLED");
	return !ok;
}

extern char _start[];

int mem_workload(void)
{
	int failed = churn();
	failed |= fork_copy();
	failed |= fault_child("writing an unmapped page", 0, CHURN_BASE + 0x1000000UL, 15);
	failed |= fault_child("writing its own code", 0, (uint64_t)_start, 15);
	/* Where the HVM kernel lives (mapped, supervisor-only) and where the PV kernel lives. */
	failed |= fault_child("reading 0x80200000", 1, 0x80200000UL, 13);
	failed |= fault_child("reading 0xffffffc000000000", 1, 0xffffffc000000000UL, 13);
	return failed;
}
