/*
 * The PV platform layer's view of the Chronovisor PV ABI (docs/PV-ABI.md;
 * section numbers below are that document's) and its internal interfaces.
 */
#ifndef KERNEL_PV_H
#define KERNEL_PV_H

#define KERNEL_BASE 0xffffffc000000000UL /* §3.1 */
#define EVENT_UPCALL 0x8000000000000010UL /* §5.2: cause of an upcall */

/* Hypercall numbers (§2.1). */
#define HYPERVISOR_mmu_update 1
#define HYPERVISOR_stack_switch 3
#define HYPERVISOR_set_callbacks 4
#define HYPERVISOR_memory_op 12
#define HYPERVISOR_multicall 13
#define HYPERVISOR_update_va_mapping 14
#define HYPERVISOR_set_timer_op 15
#define HYPERVISOR_xen_version 17
#define HYPERVISOR_console_io 18
#define HYPERVISOR_grant_table_op 20
#define HYPERVISOR_iret 23
#define HYPERVISOR_mmuext_op 26
#define HYPERVISOR_sched_op 29
#define HYPERVISOR_event_channel_op 32

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <stddef.h>

#define DOMID_SELF 0x7ff0
#define DOM0 0

/* §3.3 */
struct start_info {
	char magic[32];
	uint64_t nr_pages;
	uint64_t shared_info; /* VA */
	uint32_t flags;
	uint32_t domid;
	uint64_t store_mfn;
	uint32_t store_evtchn;
	uint32_t console_evtchn;
	uint64_t console_mfn;
	uint64_t pt_base; /* VA of the kernel root */
	uint64_t nr_pt_frames;
	uint64_t mfn_list; /* VA of u64 mfn[nr_pages] */
	uint64_t mod_start;
	uint64_t mod_len;
	uint64_t first_free_pfn;
	char cmd_line[1024];
};

/* §5.1 */
struct vcpu_info {
	volatile uint8_t evtchn_upcall_pending;
	volatile uint8_t evtchn_upcall_mask;
	uint8_t pad[6];
	volatile uint64_t evtchn_pending_sel;
	uint64_t reserved[6];
};

struct shared_info {
	struct vcpu_info vcpu_info[32];
	volatile uint64_t evtchn_pending[64];
	volatile uint64_t evtchn_mask[64];
	uint64_t wc_sec, wc_nsec;
	volatile uint64_t system_time;
};

/* mmuext_op commands (§4.3) */
#define MMUEXT_PIN_L1_TABLE 0
#define MMUEXT_PIN_L2_TABLE 1
#define MMUEXT_PIN_L3_TABLE 2
#define MMUEXT_UNPIN_TABLE 4
#define MMUEXT_NEW_BASEPTR 5
#define MMUEXT_TLB_FLUSH_LOCAL 6
#define MMUEXT_NEW_USER_BASEPTR 15
#define UVMF_INVLPG 2

#define SCHEDOP_yield 0
#define SCHEDOP_block 1
#define SCHEDOP_shutdown 2
#define SCHEDOP_poll 3
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_crash 3

#define EVTCHNOP_bind_virq 1
#define EVTCHNOP_send 4
#define EVTCHNOP_alloc_unbound 6
#define EVTCHNOP_unmask 9
#define VIRQ_TIMER 0

#define CONSOLEIO_write 0
#define XENVER_version 0

/* hypercall.c */
long hypercall(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
long hyp_mmu_update(uint64_t ptr, uint64_t val);
long hyp_mmuext(uint32_t cmd, uint64_t arg1);
long hyp_update_va_mapping(uint64_t va, uint64_t val);
long hyp_evtchn_op(int cmd, void *arg);
long hyp_sched_op(int cmd, void *arg);
void hyp_console_write(const char *s, size_t n);

/* platform.c */
extern struct start_info *start_info;
extern struct shared_info *shared_info;
void pv_fatal(const char *what, long rc) __attribute__((noreturn));

/* mm.c */
void mm_init(void);
uint64_t mfn_to_pfn(uint64_t mfn); /* NO_PFN if not ours */
uint64_t pfn_to_mfn(uint64_t pfn);
void *mfn_to_kva(uint64_t mfn);
uint64_t kva_to_mfn(const void *kva);
uint64_t pv_pages_used(void);
void *pv_alloc_page(void); /* zeroed, before the core takes over the free frames */
uint64_t pv_kernel_window(void); /* VA of 2 MiB of invalid kernel entries for hypervisor-installed maps */

/* evtchn.c: ports the kernel listens on; handlers run with upcalls masked. */
typedef void (*evtchn_handler)(unsigned port);
void evtchn_init(void);
void evtchn_bind(unsigned port, evtchn_handler h); /* also unmasks it */
unsigned evtchn_bind_virq(unsigned virq, evtchn_handler h);
unsigned evtchn_alloc_unbound(unsigned remote_dom, evtchn_handler h);
void evtchn_notify(unsigned port);
void evtchn_dispatch(void); /* handles every pending, unmasked port */
uint64_t evtchn_upcalls(void);
void evtchn_count_upcall(void);

/* grant.c: our grant table (v1), for granting pages to the backends (domain 0). */
void grant_init(void);
uint32_t grant_access(uint16_t domid, uint64_t mfn, int readonly);
int grant_end_access(uint32_t ref); /* 0, or -1 while the grant is still mapped */

/* xenstore.c */
void xs_init(void);
int xs_read(const char *path, char *out, size_t cap); /* length, or -1 */
int xs_write(const char *path, const char *value);
int xs_directory(const char *path, char *out, size_t cap); /* NUL-separated names; count or -1 */
int xs_watch(const char *path, const char *token);
void xs_wait_event(void); /* idles until a watch event arrives */
int xs_read_int(const char *path, uint64_t *out);
int xs_write_int(const char *path, uint64_t v);

/* blkfront.c / netfront.c */
int blkfront_init(void);
uint64_t blkfront_requests(void);
int netfront_init(void);

#endif
#endif
