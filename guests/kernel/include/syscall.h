/*
 * The system-call ABI between the user program and the kernel: `ecall` from
 * U-mode with the number in a7 and arguments in a0..a5; the result comes back
 * in a0, negative values being -errno. The same ABI on both platforms is what
 * lets one user binary run unchanged on the HVM and the PV build.
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#define SYS_EXIT        0  /* (status) */
#define SYS_WRITE       1  /* (buf, len) -> len: console output */
#define SYS_GETPID      2
#define SYS_CMDLINE     3  /* (buf, cap) -> length of the kernel command line */
#define SYS_MAP         4  /* (va, npages) -> 0: fresh zeroed read/write pages */
#define SYS_UNMAP       5  /* (va, npages) -> 0 */
#define SYS_FORK        6  /* () -> child pid, 0 in the child */
#define SYS_WAIT        7  /* (pid, &status) -> pid */
#define SYS_DISK_INFO   8  /* () -> sectors, -ENODEV without a disk */
#define SYS_DISK_READ   9  /* (sector, buf, count) -> 0 */
#define SYS_DISK_WRITE  10 /* (sector, buf, count) -> 0 */
#define SYS_NET_INFO    11 /* (mac[6]) -> 0, -ENODEV without a NIC */
#define SYS_NET_SEND    12 /* (frame, len) -> 0 */
#define SYS_NET_RECV    13 /* (buf, cap, timeout_us) -> length, 0 on timeout */
#define SYS_TIMER_START 14 /* (interval_us, ticks) -> 0: tick `ticks` times, then stop */
#define SYS_TICKS       15 /* () -> ticks since the last SYS_TIMER_START */
#define SYS_SLEEP_TICKS 16 /* (n) -> ticks: wait in the kernel until n more ticks */
#define SYS_TIME_US     17 /* () -> virtual microseconds since boot */
#define SYS_MAPPED      18 /* (va) -> 1 if mapped, 0 if not */

/* Errors, Linux/Xen numbering. */
#define E_PERM   1
#define E_NOENT  2
#define E_SRCH   3
#define E_IO     5
#define E_NOMEM  12
#define E_FAULT  14
#define E_BUSY   16
#define E_EXIST  17
#define E_NODEV  19
#define E_INVAL  22
#define E_NOSYS  38
#define E_TIMEDOUT 110

/* Exit status the kernel reports for a process it killed for a fault. */
#define EXIT_KILLED_BASE 0x100 /* + cause */

/* The user address space: the second gigabyte of Sv39 (see core/vm.c). */
#define USER_BASE      0x40000000UL
#define USER_END       0x80000000UL
#define USER_STACK_TOP 0x7ff00000UL
#define USER_STACK_PAGES 8

#endif
