/*
 * PV entry (§3.2): the hypervisor enters the kernel in U-mode at its ELF
 * entry with a0 = the start_info VA, a1 = vCPU id and sp at the top of
 * memory; the kernel root maps all of the domain's memory at KERNEL_BASE.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	la	sp, __stack_top		/* pc-relative (medany): right at KERNEL_BASE too */
	mv	s0, a0
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:
	mv	a0, s0
	call	pv_main		/* does not return */
3:	j	3b
