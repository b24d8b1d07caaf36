/*
 * The HVM trap path. While the user program runs, sscratch holds its trap
 * frame; in the kernel it holds 0. A trap from U-mode saves every register
 * into the frame and resumes the kernel where plat_run_user was called, as
 * if that call returned; so the kernel is one thread, entered from the user
 * program only through this vector. Kernel-mode traps are bugs: reported.
 */
#include "hvm.h"
#include "trapframe.h"

#define SAVE(r, i) sd r, (8 * i)(sp)
#define LOAD(r, i) ld r, (8 * i)(a0)

	.section .bss
	.balign 8
kernel_context:			/* ra, sp, s0..s11 of plat_run_user's caller */
	.space 8 * 14

	.text
	.balign 4
	.globl trap_vector
trap_vector:
	csrrw	sp, sscratch, sp
	beqz	sp, from_kernel
	SAVE(ra, 1)
	SAVE(gp, 3)
	SAVE(tp, 4)
	SAVE(t0, 5)
	SAVE(t1, 6)
	SAVE(t2, 7)
	SAVE(s0, 8)
	SAVE(s1, 9)
	SAVE(a0, 10)
	SAVE(a1, 11)
	SAVE(a2, 12)
	SAVE(a3, 13)
	SAVE(a4, 14)
	SAVE(a5, 15)
	SAVE(a6, 16)
	SAVE(a7, 17)
	SAVE(s2, 18)
	SAVE(s3, 19)
	SAVE(s4, 20)
	SAVE(s5, 21)
	SAVE(s6, 22)
	SAVE(s7, 23)
	SAVE(s8, 24)
	SAVE(s9, 25)
	SAVE(s10, 26)
	SAVE(s11, 27)
	SAVE(t3, 28)
	SAVE(t4, 29)
	SAVE(t5, 30)
	SAVE(t6, 31)
	csrr	t0, sscratch		/* the user's sp */
	SAVE(t0, 2)
	csrw	sscratch, zero
	csrr	t0, sepc
	sd	t0, TF_PC(sp)
	csrr	t0, scause
	sd	t0, TF_CAUSE(sp)
	csrr	t0, stval
	sd	t0, TF_TVAL(sp)
	li	t0, 1
	sd	t0, TF_MODE(sp)

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
	csrrw	sp, sscratch, sp	/* sp back; sscratch 0 again */
	csrr	a0, scause
	csrr	a1, sepc
	csrr	a2, stval
	j	hvm_kernel_trap

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

	csrw	sscratch, a0
	ld	t0, TF_PC(a0)
	csrw	sepc, t0
	/* sret to U-mode with interrupts on: SPP = 0, SPIE = 1. */
	li	t0, SSTATUS_SPP
	csrc	sstatus, t0
	li	t0, SSTATUS_SPIE
	csrs	sstatus, t0

	LOAD(ra, 1)
	LOAD(sp, 2)
	LOAD(gp, 3)
	LOAD(tp, 4)
	LOAD(t0, 5)
	LOAD(t1, 6)
	LOAD(t2, 7)
	LOAD(s0, 8)
	LOAD(s1, 9)
	LOAD(a1, 11)
	LOAD(a2, 12)
	LOAD(a3, 13)
	LOAD(a4, 14)
	LOAD(a5, 15)
	LOAD(a6, 16)
	LOAD(a7, 17)
	LOAD(s2, 18)
	LOAD(s3, 19)
	LOAD(s4, 20)
	LOAD(s5, 21)
	LOAD(s6, 22)
	LOAD(s7, 23)
	LOAD(s8, 24)
	LOAD(s9, 25)
	LOAD(s10, 26)
	LOAD(s11, 27)
	LOAD(t3, 28)
	LOAD(t4, 29)
	LOAD(t5, 30)
	LOAD(t6, 31)
	LOAD(a0, 10)
	sret
