// The UI's own state (what is focused, where the cursors are, bookmarks, filters) — separate
// from the recording's state, which lives in the DebugSession and only changes by motions.
import type { RegisterSnapshot } from '../src/replay/debug/index.ts';
import { PANES, type PaneId } from './layout.ts';

export interface Position {
  icount: number;
  seq: number;
}

export interface UiState {
  /** Bumped after every motion and stop change: views recompute from the session then. */
  version: number;
  hart: { domain: number; vcpu: number };
  focus: PaneId;
  /** The pane shown under disassembly and registers in the compact layout. */
  bottom: PaneId;
  direction: 'forward' | 'reverse' | null;
  message: string;
  messageKind: 'info' | 'error' | 'stop';
  busy: { label: string; done: number; total: number } | null;
  prompt: { kind: 'goto' | 'search' | 'filter'; text: string } | null;
  /** After `m` or `'`: the next key names the bookmark. */
  pending: 'mark' | 'jump' | null;
  help: boolean;
  /** Disassembly cursor address; null follows pc. */
  disasmCursor: bigint | null;
  regCursor: number;
  /** What memory follows: a register of the vCPU, or a fixed address. */
  memFollow: { reg: string } | { address: bigint };
  /** Memory cursor and first row; null follows memFollow. */
  memCursor: bigint | null;
  memBase: bigint;
  /** Event cursor seq; null follows the current event. */
  eventCursor: number | null;
  eventFilter: { kinds: string[]; domain: number | null };
  search: string | null;
  consoleScroll: number;
  domainCursor: number;
  bookmarks: Record<string, Position>;
  /** Registers before the last motion, for highlighting what changed. */
  prevRegs: RegisterSnapshot | null;
}

export function initialState(hart: { domain: number; vcpu: number }, message: string): UiState {
  return {
    version: 0,
    hart,
    focus: 'disasm',
    bottom: 'events',
    direction: null,
    message,
    messageKind: 'info',
    busy: null,
    prompt: null,
    pending: null,
    help: false,
    disasmCursor: null,
    regCursor: 2,
    memFollow: { reg: 'sp' },
    memCursor: null,
    memBase: 0n,
    eventCursor: null,
    eventFilter: { kinds: [], domain: null },
    search: null,
    consoleScroll: 0,
    domainCursor: 0,
    bookmarks: {},
    prevRegs: null,
  };
}

export function nextPane(p: PaneId, delta: number): PaneId {
  const i = PANES.indexOf(p);
  return PANES[(i + delta + PANES.length) % PANES.length];
}

/** Focusing a pane that has no room in the compact layout shows it below. */
export function focusPane(s: UiState, p: PaneId): Partial<UiState> {
  return p === 'disasm' || p === 'regs' ? { focus: p } : { focus: p, bottom: p };
}

export function filterText(f: UiState['eventFilter']): string {
  return [f.kinds.join(','), f.domain !== null ? `d${f.domain}` : ''].filter(Boolean).join(' ');
}

/** Parses the `f` prompt: kinds separated by commas or spaces, `dN` for a domain; empty clears. */
export function parseFilter(text: string, known: string[]): { filter: UiState['eventFilter'] } | { error: string } {
  const kinds: string[] = [];
  let domain: number | null = null;
  for (const w of text.split(/[\s,]+/).filter(Boolean)) {
    const d = /^d(\d+)$/.exec(w);
    if (d) domain = Number(d[1]);
    else if (known.includes(w)) kinds.push(w);
    else return { error: `no event kind "${w}" (kinds: ${known.join(', ')}; dN filters a domain)` };
  }
  return { filter: { kinds, domain } };
}
