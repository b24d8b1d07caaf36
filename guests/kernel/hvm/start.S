/*
 * HVM entry: Chronovisor (like OpenSBI on QEMU virt) enters the kernel in
 * S-mode (VS-mode, as the guest sees it: plain S-mode) with the MMU off,
 * a0 = hartid and a1 = the device tree's address.
 */
#include "hvm.h"

	.section .text.start, "ax"
	.globl _start
_start:
	/* This kernel is single-hart; others (if anyone starts them) park. */
	bnez	a0, park
	la	sp, __stack_top

	/* Any trap before the kernel is ready lands in trap_vector's kernel path. */
	la	t0, trap_vector
	csrw	stvec, t0
	csrw	sscratch, zero	/* 0 = "in the kernel", see trap.S */
	csrw	sie, zero

	/* sstatus.FS = Initial: rv64gc code may touch FP registers. */
	li	t0, SSTATUS_FS_INITIAL
	csrs	sstatus, t0

	/* .bss is not in the raw image. */
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:
	call	hvm_main	/* (hartid, fdt); does not return */
park:
	wfi
	j	park
