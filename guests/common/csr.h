/* The few CSR reads our M-mode guests need. */
#ifndef GUEST_CSR_H
#define GUEST_CSR_H

#include <stdint.h>

/*
 * Instructions retired. Under QEMU -icount shift=0 this equals QEMU's
 * instruction counter, which is what Chronovisor's virtual time follows.
 */
static inline uint64_t read_minstret(void)
{
	uint64_t value;

	__asm__ volatile("csrr %0, minstret" : "=r"(value));
	return value;
}

#endif
