// The guest-visible constants of the PV ABI (docs/PV-ABI.md). Numbers follow Xen's public
// headers where the ABI says so (xen.h, memory.h, event_channel.h, grant_table.h, sched.h,
// vcpu.h, io/xs_wire.h, io/ring.h); layouts are this project's RISC-V ones.

/** xen_version(XENVER_version): ABI 1.0 (§ head). */
export const CHRONOVISOR_PV_ABI = 0x00010000n;
export const EXTRAVERSION = '-chronovisor';
export const START_INFO_MAGIC = 'chronovisor-pv-1.0';

/** Where a PV kernel is linked and the kernel root maps all memory (§3.1). */
export const KERNEL_BASE = 0xffffffc000000000n;
export const PAGE = 4096;

/** Hypercall numbers (§2.1, Xen's). */
export const HC = Object.freeze({
  mmu_update: 1,
  stack_switch: 3,
  set_callbacks: 4,
  memory_op: 12,
  multicall: 13,
  update_va_mapping: 14,
  set_timer_op: 15,
  xen_version: 17,
  console_io: 18,
  grant_table_op: 20,
  iret: 23,
  vcpu_op: 24,
  mmuext_op: 26,
  sched_op: 29,
  callback_op: 30,
  event_channel_op: 32,
} as const);

/** Errno values (§2.2), returned negated. */
export const E = Object.freeze({
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, EAGAIN: 11, ENOMEM: 12,
  EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17, EXDEV: 18, ENODEV: 19, EINVAL: 22, ENOSPC: 28,
  ERANGE: 34, ENOSYS: 38, ENOTEMPTY: 39, EALREADY: 114,
} as const);
export type ErrnoName = keyof typeof E;

/** DOMID_SELF (xen.h). */
export const DOMID_SELF = 0x7ff0;

/** Sv39 PTE bits (privileged spec 4.4.1). */
export const PTE = Object.freeze({ V: 1n, R: 2n, W: 4n, X: 8n, U: 16n, G: 32n, A: 64n, D: 128n } as const);

// ---- start_info (§3.3) ----------------------------------------------------------------
export const SI = Object.freeze({
  magic: 0, nr_pages: 32, shared_info: 40, flags: 48, domid: 52, store_mfn: 56, store_evtchn: 64,
  console_evtchn: 68, console_mfn: 72, pt_base: 80, nr_pt_frames: 88, mfn_list: 96, mod_start: 104,
  mod_len: 112, first_free_pfn: 120, cmd_line: 128, CMDLINE_MAX: 1024,
} as const);

// ---- shared_info (§5.1) ---------------------------------------------------------------
export const SH = Object.freeze({
  VCPU_INFO_SIZE: 64, MAX_VCPUS: 32, evtchn_pending: 2048, evtchn_mask: 2560, wc_sec: 3072,
  wc_nsec: 3080, system_time: 3088,
  /** vcpu_info fields */
  upcall_pending: 0, upcall_mask: 1, pending_sel: 8,
} as const);
export const NR_EVENT_CHANNELS = 4096;

// ---- trap frame (§6.2) ----------------------------------------------------------------
export const TF = Object.freeze({ regs: 0, pc: 256, cause: 264, tval: 272, mode: 280, upcall_mask: 288, SIZE: 296 } as const);
/** cause of an upcall (§5.2). */
export const EVENT_UPCALL = 0x8000000000000010n;

// ---- mmu_update / mmuext_op (§4.2, §4.3) -----------------------------------------------
export const MMU_NORMAL_PT_UPDATE = 0;
export const MMU_MACHPHYS_UPDATE = 1;
export const MMUEXT = Object.freeze({
  PIN_L1_TABLE: 0, PIN_L2_TABLE: 1, PIN_L3_TABLE: 2, UNPIN_TABLE: 4, NEW_BASEPTR: 5,
  TLB_FLUSH_LOCAL: 6, INVLPG_LOCAL: 7, TLB_FLUSH_ALL: 10, NEW_USER_BASEPTR: 15,
} as const);

// ---- memory_op (§4.5) -----------------------------------------------------------------
export const XENMEM = Object.freeze({
  increase_reservation: 0, decrease_reservation: 1, maximum_ram_page: 2, current_reservation: 3,
  maximum_reservation: 4, memory_map: 9,
} as const);
/** memory_map entry type for RAM (e820's). */
export const E820_RAM = 1;

// ---- event_channel_op (§5.3) ------------------------------------------------------------
export const EVTCHNOP = Object.freeze({
  bind_interdomain: 0, bind_virq: 1, close: 3, send: 4, status: 5, alloc_unbound: 6, bind_ipi: 7, unmask: 9,
} as const);
export const EVTCHNSTAT = Object.freeze({ closed: 0, unbound: 1, interdomain: 2, pirq: 3, virq: 4, ipi: 5 } as const);
export const VIRQ_TIMER = 0;
export const VIRQ_CONSOLE = 2;
export const NR_VIRQS = 24;

// ---- sched_op, vcpu_op, callbacks, console (§6, §9, §11) ---------------------------------
export const SCHEDOP = Object.freeze({ yield: 0, block: 1, shutdown: 2, poll: 3 } as const);
export const SHUTDOWN = Object.freeze({ poweroff: 0, reboot: 1, crash: 3 } as const);
export const VCPUOP = Object.freeze({ initialise: 0, up: 1, down: 2, is_up: 3 } as const);
export const CALLBACKOP_register = 0;
export const CALLBACKTYPE = Object.freeze({ event: 0, trap: 1 } as const);
export const CONSOLEIO = Object.freeze({ write: 0, read: 1 } as const);
export const XENVER = Object.freeze({ version: 0, extraversion: 1 } as const);
export const POLL_MAX_PORTS = 128;

// ---- grant tables (§7) ------------------------------------------------------------------
export const GNTTABOP = Object.freeze({ map_grant_ref: 0, unmap_grant_ref: 1, setup_table: 2, copy: 5, query_size: 6 } as const);
export const GTF = Object.freeze({ permit_access: 1, readonly: 4, reading: 8, writing: 16 } as const);
export const GNTMAP = Object.freeze({ host_map: 2, readonly: 4 } as const);
export const GNTCOPY = Object.freeze({ source_gref: 1, dest_gref: 2 } as const);
export const GNTST = Object.freeze({
  okay: 0, general_error: -1, bad_domain: -2, bad_gntref: -3, bad_handle: -4, bad_virt_addr: -5,
  bad_dev_addr: -6, no_device_space: -7, permission_denied: -8, bad_page: -9, bad_copy_arg: -10,
} as const);
export const GRANT_ENTRY_SIZE = 8;
export const GRANT_ENTRIES_PER_FRAME = PAGE / GRANT_ENTRY_SIZE;
/** Grant-table frames a domain may set up (query_size's max_nr_frames). */
export const MAX_GRANT_FRAMES = 4;

// ---- xenstore (§8, io/xs_wire.h) ----------------------------------------------------------
export const XS = Object.freeze({
  DIRECTORY: 1, READ: 2, WATCH: 4, UNWATCH: 5, TRANSACTION_START: 6, TRANSACTION_END: 7, WRITE: 11,
  MKDIR: 12, RM: 13, WATCH_EVENT: 15, ERROR: 16,
} as const);
export const XS_RING = Object.freeze({ req: 0, rsp: 1024, SIZE: 1024, req_cons: 2048, req_prod: 2052, rsp_cons: 2056, rsp_prod: 2060 } as const);
export const XS_HEADER = 16;
export const XS_PAYLOAD_MAX = 4096;
/** XenbusState (io/xenbus.h). */
export const XENBUS = Object.freeze({ Unknown: 0, Initialising: 1, InitWait: 2, Initialised: 3, Connected: 4, Closing: 5, Closed: 6 } as const);

// ---- console ring (§9, io/console.h) ----------------------------------------------------
export const CONS = Object.freeze({ in: 0, IN_SIZE: 1024, out: 1024, OUT_SIZE: 2048, in_cons: 3072, in_prod: 3076, out_cons: 3080, out_prod: 3084 } as const);

/** The domain id of the hypervisor in its dom0 role (backends, xenstored). */
export const DOM0 = 0;

/** Console device number of the PV console in `console`/`input` events. */
export const PV_CONSOLE_DEV = 0xfe;
