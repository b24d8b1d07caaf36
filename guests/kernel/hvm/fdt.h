/*
 * A flattened-device-tree reader (devicetree spec v0.4 chapter 5), just
 * enough for this kernel: it collects the few properties the HVM layer needs
 * from every node into a flat table at boot.
 */
#ifndef KERNEL_FDT_H
#define KERNEL_FDT_H

#include <stdint.h>

struct fdt_node {
	char name[40];        /* e.g. "ethernet@10002000" */
	int depth;            /* 1 for children of the root */
	int parent;           /* index in the table, -1 for the root */
	const char *compat;   /* the compatible string list, NUL-separated */
	uint32_t compat_len;
	uint64_t reg_base, reg_size; /* first (address, size) pair, 2+2 cells */
	uint32_t irq;         /* first cell of `interrupts` */
	uint32_t phandle;
	uint32_t cpu_reg;     /* `reg` read as one cell (cpu nodes) */
	const uint8_t *ints_ext; /* interrupts-extended, big-endian cells */
	uint32_t ints_ext_len;
	const uint8_t *mac;   /* local-mac-address */
	uint64_t timebase;    /* timebase-frequency */
	const char *bootargs;
	int read_only;        /* has a read-only property */
};

#define FDT_MAX_NODES 48

/* Parses the blob at `fdt`; returns the number of nodes, -1 if it is not a device tree. */
int fdt_parse(const void *fdt, struct fdt_node *nodes, int max, uint32_t *total_size);
/* Whether `compatible` lists `what`. */
int fdt_is_compatible(const struct fdt_node *n, const char *what);
uint32_t fdt_be32(const uint8_t *p);

#endif
