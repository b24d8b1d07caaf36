/*
 * Reset entry for our M-mode guests, loaded as the -bios image at RAM_BASE.
 *
 * QEMU virt's reset vector (and Chronovisor's boot protocol) jumps here with
 * a0 = hartid and a1 = FDT address. Hart 0 runs the guest; any other hart
 * parks in wfi forever, because these guests are single-threaded and have no
 * per-hart stacks.
 *
 * Contract with C: guest_main(hartid, fdt) returns an exit code that goes
 * straight to the test finisher (0 = pass).
 */
	.section .text.start, "ax"
	.globl _start
_start:
	csrr	t0, mhartid
	bnez	t0, park

	/* gp must be set before any C runs; relaxation would turn this la into mv gp, gp. */
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	la	sp, __stack_top

	/* Catch anything unexpected and report it instead of hanging. */
	la	t0, trap_entry
	csrw	mtvec, t0

	/*
	 * mstatus.FS = Initial: QEMU resets it to Off, and rv64gc code generation
	 * is free to use FP registers, which would then trap.
	 */
	li	t0, 1 << 13
	csrs	mstatus, t0

	/* .bss is not part of the raw image: zero it (16-byte aligned by link.ld). */
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	sd	zero, 8(t0)
	addi	t0, t0, 16
	j	1b
2:
	/* a0/a1 still hold hartid and the FDT address from the reset vector. */
	call	guest_main
	tail	finisher_exit

park:
	wfi
	j	park

	/* mtvec in direct mode needs 4-byte alignment. */
	.balign 4
trap_entry:
	la	sp, __stack_top		/* the trapping context's sp may be the problem */
	csrr	a0, mcause
	csrr	a1, mepc
	csrr	a2, mtval
	tail	trap_report
