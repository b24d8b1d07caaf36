// The PV control-plane state (DESIGN.md §4): page types and counts, pins, vCPU callbacks and
// roots, event channels, grant tables, xenstore and backend connections. It is immutable
// (immer) and changes only by applying PvEvents through the reducer in reducer.ts, so a
// checkpoint keeps it by reference. Bulk data — guest RAM, page-table contents, shared rings,
// event bitmaps in shared_info — lives in host memory, never here.

/** Page types (docs/PV-ABI.md §4.1). */
export type PageType = 'none' | 'l1' | 'l2' | 'l3' | 'writable' | 'shared';

/** A machine frame's PV bookkeeping; frames without an entry are type none, count 0, unmapped. */
export interface FrameInfo {
  readonly type: PageType;
  /** Type references: validated tables referencing it, pins, writable mappings. */
  readonly count: number;
  readonly pinned: boolean;
  /** Leaf mappings of the frame (any access, grant mappings and backend ring maps included). */
  readonly maps: number;
  /** For hypervisor-owned `shared` frames (grant tables): the domain they are shared with. */
  readonly sharedWith: number;
}

export const NO_FRAME: FrameInfo = Object.freeze({ type: 'none', count: 0, pinned: false, maps: 0, sharedWith: -1 });

/** Frames by MFN, in chunks of 256 (so an update copies one chunk, not the whole table). */
export type FrameTable = { readonly [chunk: number]: { readonly [mfn: number]: FrameInfo } };
export const FRAME_CHUNK_SHIFT = 8;

export interface PvVcpu {
  readonly initialised: boolean;
  readonly up: boolean;
  /** 'kernel' or 'user': which root is loaded (§6). */
  readonly mode: 'kernel' | 'user';
  readonly kernelRoot: number;
  /** 0 when none (an empty root is used). */
  readonly userRoot: number;
  /** stack_switch value: sp for traps taken from user mode. */
  readonly kernelSp: bigint;
  readonly eventCallback: bigint;
  readonly trapCallback: bigint;
  /** set_timer_op deadline in ns, or -1. */
  readonly timerNs: number;
  /** SCHEDOP_poll in progress: the ports waited for. */
  readonly poll: readonly number[] | null;
}

export type PortState = 'unbound' | 'interdomain' | 'virq' | 'ipi';

export interface PortBinding {
  readonly state: PortState;
  /** vCPU notified (upcalls go to it). */
  readonly vcpu: number;
  /** unbound: the domain allowed to bind; interdomain: the peer (0 = a backend in the hypervisor). */
  readonly remoteDom: number;
  readonly remotePort: number;
  readonly virq: number;
  /** For interdomain ports whose peer is the hypervisor: which backend ('xenstore', 'console', 'vbd/768', 'vif/0'). */
  readonly backend: string;
}

/** A grant mapping held by a domain (its maptrack entry, §7). */
export interface GrantMapping {
  readonly dom: number;
  readonly ref: number;
  readonly mfn: number;
  readonly hostAddr: bigint;
  /** Machine address of the l1 entry written. */
  readonly pteAddr: number;
  readonly readonly: boolean;
}

/** Mappings in use of one of a domain's grant entries (drives GTF_reading / GTF_writing). */
export interface GrantActive {
  readonly readers: number;
  readonly writers: number;
}

export interface BootPages {
  readonly startInfo: number;
  readonly sharedInfo: number;
  readonly trapFrames: readonly number[];
  readonly mfnList: number;
  readonly store: number;
  readonly console: number;
  /** PFNs of start_info and shared_info (their VAs are KERNEL_BASE + pfn * 4096). */
  readonly startInfoPfn: number;
  readonly sharedInfoPfn: number;
}

/** A backend connection (blkback/netback) for one frontend device. */
export interface BackendState {
  readonly kind: 'vbd' | 'vif';
  readonly devid: number;
  /** Index in the DomainConfig's disks / vifs. */
  readonly index: number;
  readonly state: number;
  readonly port: number;
  /** Ring pages: vbd [ring]; vif [tx, rx]. Grant refs and MFNs. */
  readonly rings: readonly { readonly ref: number; readonly mfn: number }[];
  /** Private ring indices (Xen's req_cons / rsp_prod_pvt), per ring. */
  readonly reqCons: readonly number[];
  readonly rspProd: readonly number[];
  /** netback: frames from the bridge waiting for rx requests (base64). */
  readonly rxQueue: readonly string[];
  readonly kicked: boolean;
}

export interface PvDomain {
  readonly id: number;
  readonly maxPages: number;
  readonly pages: number;
  readonly boot: BootPages;
  readonly vcpus: readonly PvVcpu[];
  readonly ports: { readonly [port: number]: PortBinding };
  /** Grant-table frames (hypervisor-owned, shared with this domain). */
  readonly grantFrames: readonly number[];
  readonly active: { readonly [ref: number]: GrantActive };
  readonly maptrack: { readonly [handle: number]: GrantMapping };
  readonly nextHandle: number;
  /** MMU_MACHPHYS_UPDATE records. */
  readonly m2p: { readonly [mfn: number]: number };
  /** Xenstore connection: partial request bytes, replies waiting for ring space. */
  readonly xsIn: readonly number[];
  readonly xsOut: readonly number[];
  readonly xsKicked: boolean;
  /** Console input waiting for room in the ring. */
  readonly consoleIn: readonly number[];
  readonly consoleKicked: boolean;
  readonly backends: { readonly [key: string]: BackendState };
}

// ---- xenstore ------------------------------------------------------------------------

export type XsPermBits = 'n' | 'r' | 'w' | 'b';
export interface XsPerm {
  readonly dom: number;
  readonly perm: XsPermBits;
}
export interface XsNode {
  /** Value bytes as a latin1 string. */
  readonly value: string;
  /** Xen's ACL: the first entry is the owner and the default for everyone else. */
  readonly perms: readonly XsPerm[];
}
export type XsNodes = { readonly [path: string]: XsNode };
export interface XsWatch {
  readonly dom: number;
  /** As registered (relative or absolute) and normalised to absolute. */
  readonly path: string;
  readonly abs: string;
  readonly token: string;
}
export interface XsTransaction {
  readonly dom: number;
  readonly base: XsNodes;
  readonly nodes: XsNodes;
  /** Absolute paths read or written in the transaction (checked for conflicts at commit). */
  readonly touched: readonly string[];
  /** Paths changed, for watches at commit. */
  readonly changed: readonly string[];
}
export interface XsState {
  readonly nodes: XsNodes;
  readonly watches: readonly XsWatch[];
  readonly tx: { readonly [id: number]: XsTransaction };
  readonly nextTx: number;
}

export interface PvState {
  readonly frames: FrameTable;
  readonly domains: { readonly [id: number]: PvDomain };
  readonly xs: XsState;
}

export const EMPTY_PV_STATE: PvState = Object.freeze({
  frames: Object.freeze({}),
  domains: Object.freeze({}),
  xs: Object.freeze({
    nodes: Object.freeze({ '/': Object.freeze({ value: '', perms: Object.freeze([Object.freeze({ dom: 0, perm: 'n' as const })]) }) }),
    watches: Object.freeze([]),
    tx: Object.freeze({}),
    nextTx: 1,
  }),
});

export function frameInfo(s: PvState, mfn: number): FrameInfo {
  return s.frames[mfn >> FRAME_CHUNK_SHIFT]?.[mfn] ?? NO_FRAME;
}

export function newVcpu(): PvVcpu {
  return { initialised: false, up: false, mode: 'kernel', kernelRoot: 0, userRoot: 0, kernelSp: 0n, eventCallback: 0n, trapCallback: 0n, timerNs: -1, poll: null };
}
