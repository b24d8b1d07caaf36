/* See fdt.h. The blob is big-endian; cells are read byte by byte (no alignment assumed). */
#include "fdt.h"
#include "lib.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

uint32_t fdt_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)fdt_be32(p) << 32 | fdt_be32(p + 4);
}

static void set_prop(struct fdt_node *n, const char *name, const uint8_t *v, uint32_t len)
{
	if (strcmp(name, "compatible") == 0) {
		n->compat = (const char *)v;
		n->compat_len = len;
	} else if (strcmp(name, "reg") == 0) {
		if (len >= 16) {
			n->reg_base = be64(v);
			n->reg_size = be64(v + 8);
		}
		if (len >= 4)
			n->cpu_reg = fdt_be32(v);
	} else if (strcmp(name, "interrupts") == 0 && len >= 4) {
		n->irq = fdt_be32(v);
	} else if (strcmp(name, "phandle") == 0 && len == 4) {
		n->phandle = fdt_be32(v);
	} else if (strcmp(name, "interrupts-extended") == 0) {
		n->ints_ext = v;
		n->ints_ext_len = len;
	} else if (strcmp(name, "local-mac-address") == 0 && len == 6) {
		n->mac = v;
	} else if (strcmp(name, "timebase-frequency") == 0) {
		n->timebase = len == 8 ? be64(v) : len == 4 ? fdt_be32(v) : 0;
	} else if (strcmp(name, "bootargs") == 0) {
		n->bootargs = (const char *)v;
	} else if (strcmp(name, "read-only") == 0) {
		n->read_only = 1;
	}
}

int fdt_parse(const void *fdt, struct fdt_node *nodes, int max, uint32_t *total_size)
{
	const uint8_t *b = fdt;
	if (fdt_be32(b) != FDT_MAGIC)
		return -1;
	*total_size = fdt_be32(b + 4);
	const uint8_t *p = b + fdt_be32(b + 8);
	const char *strings = (const char *)b + fdt_be32(b + 12);
	int count = 0, depth = 0;
	int stack[16];
	for (;;) {
		uint32_t tok = fdt_be32(p);
		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;
			size_t len = strlen(name);
			p += (len + 4) & ~3UL; /* name, NUL, padding to 4 */
			if (depth >= 16)
				return -1;
			int idx = -1;
			if (count < max) {
				idx = count++;
				struct fdt_node *n = &nodes[idx];
				memset(n, 0, sizeof *n);
				size_t k = len < sizeof n->name - 1 ? len : sizeof n->name - 1;
				memcpy(n->name, name, k);
				n->depth = depth;
				n->parent = depth ? stack[depth - 1] : -1;
			}
			stack[depth++] = idx;
		} else if (tok == FDT_END_NODE) {
			if (depth == 0)
				return -1;
			depth--;
		} else if (tok == FDT_PROP) {
			uint32_t len = fdt_be32(p), nameoff = fdt_be32(p + 4);
			const uint8_t *v = p + 8;
			p = v + ((len + 3) & ~3U);
			int idx = depth ? stack[depth - 1] : -1;
			if (idx >= 0)
				set_prop(&nodes[idx], strings + nameoff, v, len);
		} else if (tok == FDT_NOP) {
			continue;
		} else if (tok == FDT_END) {
			return count;
		} else {
			return -1;
		}
	}
}

int fdt_is_compatible(const struct fdt_node *n, const char *what)
{
	const char *s = n->compat;
	uint32_t left = n->compat_len;
	while (s && left > 0) {
		size_t len = strlen(s);
		if (strcmp(s, what) == 0)
			return 1;
		if (len + 1 > left)
			break;
		s += len + 1;
		left -= (uint32_t)len + 1;
	}
	return 0;
}
