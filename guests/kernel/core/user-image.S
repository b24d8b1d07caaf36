/*
 * The user program, built once (user/) and embedded unchanged in both
 * kernel builds: the same bytes run on HVM and PV. USER_BIN is its path,
 * given by the Makefile.
 */
	.section .rodata.user_image, "a"
	.balign 4096
	.globl user_image, user_image_end
user_image:
	.incbin USER_BIN
user_image_end:
