/*
 * The user program's header (read by core/proc.c: magic, version, entry,
 * end of the read/execute part, end of .bss) and its entry point. The
 * kernel enters _start in U-mode with sp at the top of a fresh stack and
 * zeroed .bss; main's return value becomes the exit status.
 */
	.section .text.start, "ax"
	.word	0x52455355		/* "USER" */
	.word	1
	.quad	_start
	.quad	__text_end
	.quad	__end

	.globl _start
_start:
	call	main
	/* exit(status): a0 already holds main's return value. */
	li	a7, 0
	ecall
1:	j	1b
