// The registry of event kinds: one table entry per kind. Adding a kind (a new VM exit,
// hypercall family, grant operation...) is one entry here; nothing else in src/events or
// src/trace changes, because the codec, the formatter, the JSON form and the trace header's
// embedded schema are all driven by this table.
//
// Rules, because trace files store these numbers (traces/FORMAT.md, "Schema"):
// - a kind's id and name never change and are never reused;
// - fields are never removed, retyped or reordered; enum values are only ever appended.
//   A change that breaks those rules is a new kind.
// - ids below 64 encode in one tag byte; keep them for kinds that occur on hot paths.

import type { KindSpec, PayloadInputOfSpec, PayloadOfSpec } from './field-types.ts';

/** Privilege mode of the hart when the event happened. S means HS when the H extension is on. */
export const PRIVILEGE_MODES = ['U', 'S', 'M', 'VU', 'VS'] as const;

/** The enum value for a hart's privilege level (0 U, 1 S, 3 M) and virtualization mode V. */
export function privilegeMode(priv: number, virt: boolean): (typeof PRIVILEGE_MODES)[number] {
  if (priv === 3 && !virt) return 'M';
  if (priv === 1) return virt ? 'VS' : 'S';
  if (priv === 0) return virt ? 'VU' : 'U';
  throw new RangeError(`no privilege mode ${priv}${virt ? ' with V=1' : ''}`);
}

export const LIFECYCLE_ACTIONS = ['create', 'destroy', 'pause', 'unpause', 'reset', 'poweroff', 'fail'] as const;

export const SCHED_REASONS = ['start', 'timeslice', 'yield', 'block', 'wake', 'stop'] as const;

/** Reasons a vCPU leaves guest context (the hart's exit union, like kvm_run.exit_reason). */
export const EXIT_REASONS = [
  'ecall',
  'mmio',
  'wfi',
  'virtual-instruction',
  'guest-page-fault',
  'page-fault',
  'illegal-instruction',
  'interrupt',
  'halt',
  'shutdown',
  'debug',
  'internal-error',
] as const;

/** Event-channel operations logged as `evtchn` events (docs/PV-ABI.md §5). */
export const EVTCHN_OPS = [
  'send',
  'upcall',
  'alloc-unbound',
  'bind-interdomain',
  'bind-virq',
  'bind-ipi',
  'close',
  'unmask',
  'notify',
  'virq',
] as const;

/** Grant-table operations logged as `grant` events (docs/PV-ABI.md §7). */
export const GRANT_OPS = ['map', 'unmap', 'copy', 'setup', 'query'] as const;

/** Split-driver rings a backend in the hypervisor serves, for `ring` events (docs/PV-ABI.md §8-10). */
export const RING_DEVICES = ['vbd', 'vif-tx', 'vif-rx', 'xenstore', 'console'] as const;

export const KINDS = [
  {
    id: 1,
    name: 'mmio',
    doc: 'A guest access to a memory-mapped device register.',
    fields: [
      { name: 'dev', type: 'varint', doc: 'device id, as numbered by the machine' },
      { name: 'offset', type: 'varint', format: 'hex', doc: 'register offset in the device window' },
      { name: 'size', type: 'u8', doc: 'access size in bytes (1, 2, 4 or 8)' },
      { name: 'value', type: 'u64', format: 'hex', doc: 'value read or written, zero-extended' },
      { name: 'op', type: 'enum', values: ['read', 'write'] },
    ],
  },
  {
    id: 2,
    name: 'interrupt',
    doc: 'An interrupt taken by a hart (the trap, not the line change).',
    fields: [
      { name: 'cause', type: 'varint', doc: 'interrupt code: mcause/scause without the interrupt bit' },
      { name: 'priv', type: 'enum', values: PRIVILEGE_MODES, doc: 'privilege mode before the trap' },
      { name: 'pc', type: 'u64', format: 'hex', doc: 'pc of the interrupted instruction' },
    ],
  },
  {
    id: 3,
    name: 'exit',
    doc: 'A generic VM exit: a vCPU left guest context.',
    fields: [
      { name: 'reason', type: 'enum', values: EXIT_REASONS },
      { name: 'args', type: 'u64[]', max: 4, format: 'hex', doc: 'reason-specific (e.g. cause, tval, htval, htinst)' },
    ],
  },
  {
    id: 4,
    name: 'sbi',
    doc: 'An SBI call made by a guest and the hypervisor\'s answer (SBI spec v2.0, chapter 3).',
    fields: [
      { name: 'ext', type: 'varint', format: 'hex', doc: 'extension id (a7)' },
      { name: 'fid', type: 'varint', doc: 'function id (a6)' },
      { name: 'args', type: 'u64[]', max: 6, format: 'hex', doc: 'a0..a5 as used by the function' },
      { name: 'error', type: 'i64', doc: 'sbiret.error' },
      { name: 'value', type: 'u64', format: 'hex', doc: 'sbiret.value' },
    ],
  },
  {
    id: 5,
    name: 'hypercall',
    doc: 'A PV hypercall and its result.',
    fields: [
      { name: 'nr', type: 'varint', doc: 'hypercall number' },
      { name: 'args', type: 'u64[]', max: 6, format: 'hex' },
      { name: 'result', type: 'i64', doc: 'return value; negative is -errno' },
    ],
  },
  {
    id: 6,
    name: 'input',
    doc: 'External input: bytes that arrived at a console device.',
    fields: [
      { name: 'dev', type: 'varint' },
      { name: 'bytes', type: 'bytes', format: 'text' },
    ],
  },
  {
    id: 7,
    name: 'rtc',
    doc: 'External input: a wall-clock value a device returned to the guest.',
    fields: [
      { name: 'dev', type: 'varint' },
      { name: 'value', type: 'u64', doc: 'the value read (device units, e.g. ns since the epoch)' },
    ],
  },
  {
    id: 8,
    name: 'entropy',
    doc: 'External input: random bytes handed to the guest.',
    fields: [
      { name: 'dev', type: 'varint' },
      { name: 'bytes', type: 'bytes', format: 'hex' },
    ],
  },
  {
    id: 9,
    name: 'console',
    doc: 'Output bytes a console device emitted.',
    fields: [
      { name: 'dev', type: 'varint' },
      { name: 'bytes', type: 'bytes', format: 'text' },
    ],
  },
  {
    id: 10,
    name: 'sched',
    doc: 'A scheduling decision: the (domain, vcpu) running on a physical hart changes.',
    fields: [
      { name: 'fromDomain', type: 'varint' },
      { name: 'fromVcpu', type: 'varint' },
      { name: 'toDomain', type: 'varint' },
      { name: 'toVcpu', type: 'varint' },
      { name: 'reason', type: 'enum', values: SCHED_REASONS },
    ],
  },
  {
    id: 11,
    name: 'lifecycle',
    doc: 'A domain or machine lifecycle change.',
    fields: [
      { name: 'action', type: 'enum', values: LIFECYCLE_ACTIONS },
      { name: 'code', type: 'varint', doc: 'exit status for poweroff, reason code for fail, else 0' },
    ],
  },
  {
    id: 12,
    name: 'marker',
    doc: 'A user bookmark; carries no machine semantics.',
    fields: [{ name: 'label', type: 'string' }],
  },
  {
    id: 13,
    name: 'evtchn',
    doc: 'A PV event-channel operation: a send, an upcall delivered, a binding made or closed (docs/PV-ABI.md §5); refused ones too.',
    fields: [
      { name: 'op', type: 'enum', values: EVTCHN_OPS },
      { name: 'port', type: 'varint', doc: 'local port (0 for an upcall)' },
      { name: 'remoteDomain', type: 'varint', doc: 'peer domain (0: the hypervisor\'s backends), or the domain acted on' },
      { name: 'remotePort', type: 'varint', doc: 'peer port; the VIRQ number for bind-virq and virq' },
      { name: 'result', type: 'i64', doc: '0, a port number, or -errno' },
    ],
  },
  {
    id: 14,
    name: 'grant',
    doc: 'A grant-table operation (docs/PV-ABI.md §7): map, unmap, copy, setup, query; refused ones too. Domain 0 is a backend in the hypervisor.',
    fields: [
      { name: 'op', type: 'enum', values: GRANT_OPS },
      { name: 'dom', type: 'varint', doc: 'the granting domain (map, copy), or the domain acted on' },
      { name: 'ref', type: 'varint', doc: 'grant reference; the handle for unmap; frames for setup' },
      { name: 'frame', type: 'u64', format: 'hex', doc: 'machine frame number mapped or copied, 0 if none' },
      { name: 'flags', type: 'varint', doc: 'GNTMAP_* / GNTCOPY_* flags' },
      { name: 'status', type: 'i64', doc: 'GNTST_* (0 okay)' },
    ],
  },
  {
    id: 15,
    name: 'ring',
    doc: 'A split-driver ring request a backend in the hypervisor handled, with its response (docs/PV-ABI.md §8-10).',
    fields: [
      { name: 'device', type: 'enum', values: RING_DEVICES },
      { name: 'devid', type: 'varint', doc: 'xenbus device id (0 for xenstore and console)' },
      { name: 'op', type: 'varint', doc: 'blkif operation, netif flags, xenstore message type' },
      { name: 'id', type: 'u64', format: 'hex', doc: 'request id' },
      { name: 'arg', type: 'u64', doc: 'sector (vbd), bytes (vif), transaction id (xenstore)' },
      { name: 'status', type: 'i64', doc: 'response status; negative is an error' },
      { name: 'detail', type: 'string', doc: 'xenstore path, or why a request was refused' },
    ],
  },
] as const satisfies readonly KindSpec[];

export type KindTable = typeof KINDS;
export type KindName = KindTable[number]['name'];
export type KindSpecOf<N extends KindName> = Extract<KindTable[number], { name: N }>;
/** The materialized payload type of a built-in kind, e.g. `PayloadOf<'mmio'>`. */
export type PayloadOf<N extends KindName> = PayloadOfSpec<KindSpecOf<N>>;
/** What `EventLog.append` accepts for a built-in kind. */
export type PayloadInput<N extends KindName> = PayloadInputOfSpec<KindSpecOf<N>>;
