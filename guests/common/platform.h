/*
 * The QEMU `virt` memory map, as far as our bare-metal guests use it.
 * Chronovisor's machine reproduces the same map (DESIGN.md §2), so one image
 * runs unchanged on QEMU and on our hart.
 */
#ifndef GUEST_PLATFORM_H
#define GUEST_PLATFORM_H

#define TEST_FINISHER_BASE 0x00100000UL /* sifive,test0: write to power off / reboot */
#define UART0_BASE         0x10000000UL /* ns16550a, byte-wide registers */
#define RAM_BASE           0x80000000UL /* -bios images are loaded and entered here */

#endif
