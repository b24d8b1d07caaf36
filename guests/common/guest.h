/* What every guest provides to common/start.S. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdint.h>

/* Runs on hart 0 in M-mode; the return value is the finisher exit code. */
uint32_t guest_main(uint64_t hartid, const void *fdt);

#endif
