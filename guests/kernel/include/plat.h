/*
 * What the portable core asks of a platform layer (hvm/ or pv/). Everything
 * that differs between an S-mode kernel on emulated hardware and a U-mode
 * kernel on hypercalls sits behind these functions; the core never touches a
 * CSR, a device register or a hypercall itself.
 *
 * Frames are named by their pseudo-physical frame number (pfn: 0 = the first
 * page of the domain's RAM). A page-table entry holds a platform-specific
 * number instead (a guest-physical page on HVM, a machine frame on PV), hence
 * plat_pfn_to_ppn / plat_ppn_to_pfn.
 */
#ifndef KERNEL_PLAT_H
#define KERNEL_PLAT_H

#include <stddef.h>
#include <stdint.h>
#include "trapframe.h"

#define NO_PFN ((uint64_t)-1)

/* The platform's boot code calls this once the platform is up; never returns. */
void kernel_main(const char *cmdline) __attribute__((noreturn));

/* Console. */
void plat_console_write(const char *s, size_t n);

/* Memory: the frames the kernel may allocate, and how to reach them. */
void plat_free_frames(uint64_t *first_pfn, uint64_t *end_pfn);
void *plat_pfn_to_kva(uint64_t pfn);
uint64_t plat_pfn_to_ppn(uint64_t pfn);
uint64_t plat_ppn_to_pfn(uint64_t ppn); /* NO_PFN for a frame that is not ours */

/*
 * Page tables. A fresh frame becomes a table of `level` (2 = root) with
 * plat_pt_prepare; entries only change through plat_pt_set; plat_pt_release
 * turns a table that nothing references any more back into a plain frame.
 */
void plat_pt_prepare(uint64_t pfn, int level);
void plat_pt_set(uint64_t table_pfn, unsigned index, uint64_t pte);
void plat_pt_release(uint64_t pfn, int level);
void plat_as_activate(uint64_t root_pfn); /* NO_PFN: no user address space */

/*
 * Runs the user program from `tf` until it traps (system call, fault,
 * interrupt or upcall); the trap's context is then in `tf`.
 */
void plat_run_user(struct trapframe *tf);

/* An interrupt or event upcall (tf->cause has bit 63 set): handle it. */
void plat_interrupt(uint64_t cause);
/*
 * Waits for something to happen (an interrupt or event) and handles it. The
 * caller re-checks its condition; spurious returns are fine.
 */
void plat_idle(void);

/* Time: virtual nanoseconds since boot; one-shot timer at an absolute time. */
uint64_t plat_now_ns(void);
void plat_timer_set(uint64_t deadline_ns); /* 0 cancels */

/* Block device: 512-byte sectors, a buffer of contiguous kernel memory. */
uint64_t plat_disk_sectors(void); /* 0 without a disk */
int plat_disk_io(int write, uint64_t sector, void *buf, uint32_t count);
#define PLAT_DISK_MAX_SECTORS 32 /* per plat_disk_io call */

/* NIC: whole Ethernet frames. */
int plat_net_mac(uint8_t mac[6]); /* 0 with a NIC, -1 without */
int plat_net_send(const void *frame, uint32_t len);
int plat_net_recv(void *buf, uint32_t cap); /* frame length, 0 if none waiting */

/* Ends the domain: ok = clean poweroff, else a crash. */
void plat_shutdown(int ok) __attribute__((noreturn));

/* What the core offers the platform layers. */
void kernel_timer_fired(void); /* the timer interrupt or VIRQ_TIMER upcall */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
uint64_t frame_alloc(void); /* a zeroed frame, NO_PFN when out of memory */
void frame_free(uint64_t pfn);

#endif
