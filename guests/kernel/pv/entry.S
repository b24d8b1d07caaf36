/*
 * The PV trap path (§6). The hypervisor delivers traps and upcalls to the
 * registered callbacks with the interrupted context in the vCPU's trap frame
 * (a0 points to it) and upcalls masked. A trap from the user program is
 * copied into that program's trapframe and the kernel resumes where it
 * called plat_run_user, as on HVM. plat_run_user leaves through iret, whose
 * frame says "user mode, upcalls unmasked": the unmask and the return to
 * user happen atomically, so no upcall can hit the kernel in between.
 * Traps from the kernel itself are unexpected except for an upcall, which
 * is handled on the current stack and returned from with iret.
 */
#include "pv.h"
#include "trapframe.h"

#define FRAME_SPACE ((TF_SIZE + 15) & ~15)

	.section .bss
	.balign 8
kernel_context:			/* ra, sp, s0..s11 of plat_run_user's caller */
	.space 8 * 14
user_tf:			/* the trapframe plat_run_user entered */
	.space 8

	.text
	.balign 4
	.globl pv_trap_callback, pv_event_callback
pv_trap_callback:
pv_event_callback:
	ld	t0, TF_MODE(a0)
	beqz	t0, from_kernel

	la	t1, user_tf
	ld	t1, 0(t1)
	li	t2, TF_SIZE / 8
1:	ld	t3, 0(a0)
	sd	t3, 0(t1)
	addi	a0, a0, 8
	addi	t1, t1, 8
	addi	t2, t2, -1
	bnez	t2, 1b

	la	t0, kernel_context
	ld	ra, 0(t0)
	ld	sp, 8(t0)
	ld	s0, 16(t0)
	ld	s1, 24(t0)
	ld	s2, 32(t0)
	ld	s3, 40(t0)
	ld	s4, 48(t0)
	ld	s5, 56(t0)
	ld	s6, 64(t0)
	ld	s7, 72(t0)
	ld	s8, 80(t0)
	ld	s9, 88(t0)
	ld	s10, 96(t0)
	ld	s11, 104(t0)
	ret				/* "return" from plat_run_user */

from_kernel:
	/* Keep a private copy: another trap would overwrite the hypervisor's frame. */
	addi	sp, sp, -FRAME_SPACE
	mv	t1, sp
	li	t2, TF_SIZE / 8
2:	ld	t3, 0(a0)
	sd	t3, 0(t1)
	addi	a0, a0, 8
	addi	t1, t1, 8
	addi	t2, t2, -1
	bnez	t2, 2b
	mv	a0, sp
	call	pv_kernel_trap		/* returns only for an upcall it handled */
	mv	a0, sp
	li	a7, HYPERVISOR_iret
	ecall
3:	j	3b

/* void plat_run_user(struct trapframe *tf) */
	.globl plat_run_user
plat_run_user:
	la	t0, kernel_context
	sd	ra, 0(t0)
	sd	sp, 8(t0)
	sd	s0, 16(t0)
	sd	s1, 24(t0)
	sd	s2, 32(t0)
	sd	s3, 40(t0)
	sd	s4, 48(t0)
	sd	s5, 56(t0)
	sd	s6, 64(t0)
	sd	s7, 72(t0)
	sd	s8, 80(t0)
	sd	s9, 88(t0)
	sd	s10, 96(t0)
	sd	s11, 104(t0)
	la	t0, user_tf
	sd	a0, 0(t0)
	li	t0, 1
	sd	t0, TF_MODE(a0)
	sd	zero, TF_UPCALL_MASK(a0)
	li	a7, HYPERVISOR_iret
	ecall				/* iret(tf): does not return here */
4:	j	4b
