// What each pane shows, computed from the session and the UI state once per change (not per
// frame: while a long operation runs, the last view stays on screen).
import type { TraceEvent } from '../src/replay/debug/index.ts';
import { describeStop, type DebugSession, type DisasmLine, type HartInfo, type RegisterSnapshot } from '../src/replay/debug/index.ts';
import type { Layout } from './layout.ts';
import { bytesPerRowFor } from './panes/memory-pane.tsx';
import type { EventRow } from './panes/events-pane.tsx';
import { X_NAMES } from './panes/registers-pane.tsx';
import type { UiState } from './state.ts';

export interface View {
  harts: HartInfo[];
  hartLabel: string;
  regs: RegisterSnapshot | null;
  disasm: DisasmLine[];
  disasmCenter: bigint | null;
  where?: string;
  breakpoints: Set<bigint>;
  mem: { base: bigint; bytes: Uint8Array; valid: boolean[]; bytesPerRow: number; cursor: bigint; follow: string; rows: number };
  watched: Array<readonly [bigint, bigint]>;
  events: EventRow[];
  eventCursor: number;
  console: string[];
  consoleLabel: string;
  stops: string[];
}

export function eventMatches(e: TraceEvent, f: UiState['eventFilter']): boolean {
  return (f.kinds.length === 0 || f.kinds.includes(e.kind)) && (f.domain === null || e.domain === f.domain);
}

/** The address memory follows now (a register's value, or the fixed address). */
export function followAddress(s: UiState, regs: RegisterSnapshot | null): bigint {
  if ('address' in s.memFollow) return s.memFollow.address;
  const reg = s.memFollow.reg;
  if (!regs) return 0n;
  if (reg === 'pc') return regs.pc;
  const i = X_NAMES.indexOf(reg);
  return i >= 0 ? regs.x[i] : 0n;
}

/** Events shown around a cursor: about half before it, the rest after, all matching the filter. */
function eventWindow(session: DebugSession, cursor: number, rows: number, f: UiState['eventFilter']): TraceEvent[] {
  if (rows <= 0 || session.nextSeq <= session.firstSeq) return [];
  const plain = f.kinds.length === 0 && f.domain === null;
  if (plain) {
    const from = Math.max(session.firstSeq, Math.min(cursor - Math.floor(rows / 2), session.nextSeq - rows));
    return session.events(from, from + rows);
  }
  const before: TraceEvent[] = [];
  let at = cursor + 1;
  while (before.length < Math.floor(rows / 2)) {
    const e = session.findEvent(at, -1, (x) => eventMatches(x, f));
    if (!e) break;
    before.unshift(e);
    at = e.seq;
  }
  const after: TraceEvent[] = [];
  at = before.length ? before[before.length - 1].seq : cursor;
  while (before.length + after.length < rows) {
    const e = session.findEvent(at, 1, (x) => eventMatches(x, f));
    if (!e) break;
    after.push(e);
    at = e.seq;
  }
  return [...before, ...after];
}

export function buildView(session: DebugSession, s: UiState, layout: Layout): View {
  const harts = session.harts();
  const { domain, vcpu } = s.hart;
  const regs = session.registers(domain, vcpu);
  const hartLabel = harts.find((h) => h.domain === domain && h.vcpu === vcpu)?.label ?? (session.kind === 'bare' ? `hart${vcpu}` : `d${domain}:v${vcpu}`);

  const dRect = layout.panes.disasm;
  const dRows = Math.max(1, (dRect?.height ?? 10) - 1);
  const disasmCenter = s.disasmCursor ?? regs?.pc ?? null;
  const disasm = disasmCenter === null ? [] : session.disassemble(domain, vcpu, disasmCenter, Math.floor(dRows / 2), dRows);
  const breakpoints = new Set(session.stops.breakpoints.map((b) => b.pc));

  const mRect = layout.panes.memory;
  const bytesPerRow = bytesPerRowFor(mRect?.width ?? 78);
  const memRows = Math.max(1, (mRect?.height ?? 8) - 1);
  const follow = followAddress(s, regs);
  const align = (a: bigint) => a - (a % BigInt(bytesPerRow));
  const cursor = s.memCursor ?? follow;
  const base = s.memCursor === null ? align(follow) - (memRows > 2 ? BigInt(bytesPerRow) : 0n) : s.memBase;
  const m = session.readMemory(domain, vcpu, base < 0n ? 0n : base, memRows * bytesPerRow);
  const mem = {
    base: base < 0n ? 0n : base,
    bytes: m?.bytes ?? new Uint8Array(memRows * bytesPerRow),
    valid: m?.valid ?? new Array<boolean>(memRows * bytesPerRow).fill(false),
    bytesPerRow,
    cursor,
    follow: 'reg' in s.memFollow ? s.memFollow.reg : `0x${s.memFollow.address.toString(16)}`,
    rows: memRows,
  };
  const watched = session.stops.watchpoints.map((w) => [w.address, w.address + BigInt(w.length)] as const);

  const eRect = layout.panes.events;
  const eventCursor = s.eventCursor ?? Math.max(session.firstSeq, session.seq - 1);
  const events = eventWindow(session, eventCursor, Math.max(1, (eRect?.height ?? 10) - 1), s.eventFilter).map((e) => ({ seq: e.seq, text: session.formatEvent(e) }));

  const cRect = layout.panes.console;
  const consoleDomain = session.kind === 'hypervisor' ? domain : undefined;
  const consoleLines = session.consoleLines(Math.max(1, (cRect?.height ?? 8) - 1) + s.consoleScroll, consoleDomain);

  const name = (a: bigint) => session.describeAddress(domain, a);
  return {
    harts,
    hartLabel,
    regs,
    disasm,
    disasmCenter,
    where: regs ? name(regs.pc) : undefined,
    breakpoints,
    mem,
    watched,
    events,
    eventCursor,
    console: consoleLines,
    consoleLabel: consoleDomain !== undefined ? `domain ${consoleDomain}` : 'all output',
    stops: session.stops.list().map((x) => describeStop(x, name)),
  };
}
