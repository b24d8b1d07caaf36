/* Power off through the sifive,test0 finisher; QEMU exits with the given status. */
#ifndef GUEST_FINISHER_H
#define GUEST_FINISHER_H

#include <stdint.h>

/* Exit codes our guests use; QEMU's process exit status is the code. */
#define GUEST_EXIT_PASS 0
#define GUEST_EXIT_SELFCHECK 1 /* a known-answer check failed */
#define GUEST_EXIT_TRAP 2      /* an unexpected M-mode trap was taken */

/* code 0 powers off with PASS, anything else with FAIL carrying the code. */
void __attribute__((noreturn)) finisher_exit(uint32_t code);

#endif
