/*
 * cvblk, Chronovisor's emulated disk (docs/DEVICE-MODEL.md section 3). A
 * request completes during the store to COMMAND, so the driver polls
 * STATUS right after it; the interrupt is left disabled.
 */
#include "hvm.h"
#include "plat.h"

#define CVBLK_MAGIC 0x4b425643
#define R_MAGIC 0x00
#define R_VERSION 0x04
#define R_FEATURES 0x0c
#define R_CAPACITY 0x10 /* 64-bit, LO then HI */
#define R_SECTOR 0x20
#define R_BUFFER 0x28
#define R_COUNT 0x30
#define R_COMMAND 0x34
#define R_STATUS 0x38
#define R_INT_ACK 0x40
#define R_COMPLETED 0x48
#define CMD_READ 1
#define CMD_WRITE 2

static uint64_t base;
static uint64_t sectors;

#define REG(off) (*(volatile uint32_t *)(base + (off)))
#define REG64(off) (*(volatile uint64_t *)(base + (off)))

int cvblk_probe(const struct fdt_node *n)
{
	uint64_t b = n->reg_base;
	if (*(volatile uint32_t *)(b + R_MAGIC) != CVBLK_MAGIC || *(volatile uint32_t *)(b + R_VERSION) != 1)
		return -1;
	base = b;
	sectors = REG64(R_CAPACITY);
	return 0;
}

uint64_t plat_disk_sectors(void)
{
	return sectors;
}

uint64_t cvblk_requests(void)
{
	return base ? REG(R_COMPLETED) : 0;
}

int plat_disk_io(int write, uint64_t sector, void *buf, uint32_t count)
{
	if (!base)
		return -1;
	REG64(R_SECTOR) = sector;
	REG64(R_BUFFER) = (uint64_t)(uintptr_t)buf; /* identity-mapped: virtual = guest-physical */
	REG(R_COUNT) = count;
	REG(R_COMMAND) = write ? CMD_WRITE : CMD_READ;
	REG(R_INT_ACK) = 1;
	return (int)REG(R_STATUS);
}
