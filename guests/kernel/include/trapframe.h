/*
 * The saved context of the user program. Its layout is the PV ABI's trap
 * frame (docs/PV-ABI.md section 6.2) so the PV layer can hand it to the
 * hypervisor's iret as it is; the HVM trap vector fills the same fields from
 * the S-mode CSRs.
 */
#ifndef KERNEL_TRAPFRAME_H
#define KERNEL_TRAPFRAME_H

#ifndef __ASSEMBLER__
#include <stdint.h>

struct trapframe {
	uint64_t regs[32]; /* x0..x31; regs[0] is ignored */
	uint64_t pc;       /* where the user program resumes */
	uint64_t cause;    /* RISC-V cause; bit 63 set for interrupts and upcalls */
	uint64_t tval;
	uint64_t mode;     /* 1: user (the only mode the core ever resumes) */
	uint64_t upcall_mask; /* PV: the event mask iret restores (0 when returning to user) */
};
#endif

#define TF_PC    256
#define TF_CAUSE 264
#define TF_TVAL  272
#define TF_MODE  280
#define TF_UPCALL_MASK 288
#define TF_SIZE  296

/* Register numbers used by the system-call path. */
#define REG_SP 2
#define REG_A0 10
#define REG_A1 11
#define REG_A7 17

#endif
