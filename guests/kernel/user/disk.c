/*
 * Disk workload: check the committed image's label (sector 0), check that
 * the scratch area starts zeroed (the disk is copy-on-write, so every run
 * starts from the same image), write a deterministic pattern in requests of
 * several sizes, read it back in one request and compare checksums.
 */
#include "ulib.h"

#define LABEL "CHRONOVISOR TEST DISK 1"
#define FIRST 8    /* first scratch sector */
#define COUNT 64   /* sectors written and read back */
#define SEED  0xd15c0001u

static uint8_t wbuf[COUNT * 512], rbuf[COUNT * 512];

int disk_workload(void)
{
	int64_t sectors = sys_disk_info();
	if (sectors < 0) {
		printf("disk: skipped (no disk)\n");
		return 0;
	}
	if (sys_disk_read(0, rbuf, 1) != 0) {
		printf("disk: FAILED reading sector 0\n");
		return 1;
	}
	int labelled = memcmp(rbuf, LABEL, sizeof LABEL - 1) == 0;
	printf("disk: %ld sectors, label %s, sector 0 crc32=%08x\n", (long)sectors, labelled ? "\"" LABEL "\"" : "missing", crc32(0, rbuf, 512));
	if (!labelled || sectors < FIRST + COUNT)
		return 1;

	if (sys_disk_read(FIRST, rbuf, COUNT) != 0) {
		printf("disk: FAILED reading sectors %d-%d\n", FIRST, FIRST + COUNT - 1);
		return 1;
	}
	int zero = 1;
	for (unsigned i = 0; i < sizeof rbuf; i++)
		zero &= rbuf[i] == 0;
	printf("disk: sectors %d-%d before writing: %s\n", FIRST, FIRST + COUNT - 1, zero ? "all zero" : "NOT ZERO");

	fill_pattern(wbuf, sizeof wbuf, SEED);
	/* Request sizes 1, 3, 8, 16 and 36 sectors: single sectors and multi-request transfers. */
	static const unsigned sizes[] = { 1, 3, 8, 16, 36 };
	unsigned at = 0;
	for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		if (sys_disk_write(FIRST + at, wbuf + at * 512, sizes[i]) != 0) {
			printf("disk: FAILED writing %u sectors at %u\n", sizes[i], FIRST + at);
			return 1;
		}
		at += sizes[i];
	}
	uint32_t wcrc = crc32(0, wbuf, sizeof wbuf);
	printf("disk: wrote %d sectors in 5 requests, crc32=%08x\n", COUNT, wcrc);

	memset(rbuf, 0, sizeof rbuf);
	if (sys_disk_read(FIRST, rbuf, COUNT) != 0) {
		printf("disk: FAILED reading back\n");
		return 1;
	}
	uint32_t rcrc = crc32(0, rbuf, sizeof rbuf);
	int same = memcmp(rbuf, wbuf, sizeof wbuf) == 0;
	printf("disk: read back %d sectors, crc32=%08x, %s\n", COUNT, rcrc, same ? "match" : "MISMATCH");
	return !(zero && same && rcrc == wcrc);
}
