// What every key does (the help text for them is keymap.ts). A key either changes the UI
// state, starts a motion of the session (a job: the app runs it in slices), or changes the
// stops. Nothing here touches the machine: only the DebugSession API.
import type { DebugSession, Job, MotionResult } from '../src/replay/debug/index.ts';
import { parseCommand } from './commands.ts';
import { PANES, type Layout } from './layout.ts';
import { registerItems, X_NAMES } from './panes/registers-pane.tsx';
import { filterText, focusPane, nextPane, parseFilter, type UiState } from './state.ts';
import { eventMatches, type View } from './view.ts';

/** The parts of Ink's key object the debugger reads. */
export interface Key {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  shift?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
}

export interface KeyContext {
  session: DebugSession;
  state: UiState;
  view: View;
  layout: Layout;
  busy: boolean;
  set(patch: Partial<UiState>): void;
  /** Starts a motion; `dir` is the direction it moves time. */
  move(job: Job<MotionResult>, dir: 'forward' | 'reverse'): void;
  cancel(): void;
  quit(): void;
}

function info(ctx: KeyContext, message: string): void {
  ctx.set({ message, messageKind: 'info' });
}

function fail(ctx: KeyContext, message: string): void {
  ctx.set({ message, messageKind: 'error' });
}

/** Runs something that may throw a message for the user (bad address, no such event). */
function attempt(ctx: KeyContext, f: () => void): void {
  try {
    f();
  } catch (e) {
    fail(ctx, e instanceof Error ? e.message : String(e));
  }
}

/** Stops in a hypervisor trace apply to one domain: guest virtual addresses overlap. */
function scope(ctx: KeyContext): { domain?: number } {
  return ctx.session.kind === 'hypervisor' ? { domain: ctx.state.hart.domain } : {};
}

function changedStops(ctx: KeyContext, message: string): void {
  ctx.set({ version: ctx.state.version + 1, message, messageKind: 'info' });
}

function toggleBreakpoint(ctx: KeyContext, pc: bigint): void {
  const b = ctx.session.stops.toggleBreakpoint(pc, scope(ctx));
  const where = ctx.session.describeAddress(ctx.state.hart.domain, pc);
  const at = `0x${pc.toString(16)}${where ? ` (${where})` : ''}`;
  changedStops(ctx, b ? `breakpoint #${b.id} at ${at}` : `breakpoint at ${at} removed`);
}

function toggleWatch(ctx: KeyContext, address: bigint, length: number, access: 'read' | 'write' | 'access' = 'write'): void {
  const stops = ctx.session.stops;
  const same = stops.watchpoints.find((w) => w.address === address && w.length === length && w.access === access);
  const where = ctx.session.describeAddress(ctx.state.hart.domain, address);
  const at = `0x${address.toString(16)}${where ? ` (${where})` : ''}`;
  if (same) {
    stops.remove(same.id);
    changedStops(ctx, `watchpoint on ${at} removed`);
    return;
  }
  const w = stops.addWatchpoint(address, length, access, scope(ctx));
  changedStops(ctx, `watchpoint #${w.id}: ${access} of ${length} bytes at ${at} — c / C run to the next / previous one`);
}

/** `w`: the address under the cursor of the focused pane. */
function watchUnderCursor(ctx: KeyContext): void {
  const { state: s, view: v } = ctx;
  if (s.focus === 'memory') {
    const a = v.mem.cursor - (v.mem.cursor % 8n);
    return toggleWatch(ctx, a, 8);
  }
  if (s.focus === 'regs' && v.regs) {
    const it = registerItems(v.regs, null)[s.regCursor];
    if (it?.isX) return toggleWatch(ctx, it.value, 8);
    return fail(ctx, 'w watches the address in an integer register: put the cursor on x0-x31');
  }
  if (s.focus === 'disasm' && v.disasmCenter !== null) {
    const d = ctx.session.dataAddressAt(s.hart.domain, s.hart.vcpu, v.disasmCenter);
    if (d) return toggleWatch(ctx, d.address, d.size);
    return fail(ctx, 'not a load or store: w watches its data address (or use : w ADDR [LEN])');
  }
  fail(ctx, 'w watches the address under the cursor in Memory (3), Registers (2) or a load/store in Disassembly (1)');
}

function moveEventCursor(ctx: KeyContext, delta: number): void {
  const { view: v, state: s, session } = ctx;
  const i = v.events.findIndex((e) => e.seq === v.eventCursor);
  const j = i + delta;
  if (i >= 0 && j >= 0 && j < v.events.length) return ctx.set({ eventCursor: v.events[j].seq });
  let at = v.eventCursor;
  for (let k = 0; k < Math.abs(delta); k++) {
    const e = session.findEvent(at, delta > 0 ? 1 : -1, (x) => eventMatches(x, s.eventFilter));
    if (!e) break;
    at = e.seq;
  }
  ctx.set({ eventCursor: at });
}

function search(ctx: KeyContext, text: string, dir: 1 | -1): void {
  const needle = text.toLowerCase();
  const e = ctx.session.findEvent(ctx.view.eventCursor, dir, (x) => eventMatches(x, ctx.state.eventFilter) && ctx.session.formatEvent(x).toLowerCase().includes(needle));
  if (!e) return fail(ctx, `no ${dir > 0 ? 'later' : 'earlier'} event matches "${text}"`);
  ctx.set({ search: text, eventCursor: e.seq, ...focusPane(ctx.state, 'events'), message: `event #${e.seq} matches "${text}" (Enter goes there; n / N for more)`, messageKind: 'info' });
}

function moveCursor(ctx: KeyContext, delta: number, page: boolean): void {
  const { state: s, view: v, layout } = ctx;
  const rows = (p: keyof Layout['panes']) => Math.max(1, (layout.panes[p]?.height ?? 10) - 2);
  switch (s.focus) {
    case 'disasm': {
      const lines = v.disasm;
      const i = lines.findIndex((l) => l.address === v.disasmCenter);
      const j = Math.max(0, Math.min(lines.length - 1, i + delta * (page ? rows('disasm') : 1)));
      if (lines[j]) ctx.set({ disasmCursor: lines[j].address });
      return;
    }
    case 'regs': {
      if (!v.regs) return;
      const n = registerItems(v.regs, null).length;
      const step = s.regCursor < 32 && layout.panes.regs && layout.panes.regs.width >= 41 ? 2 : 1;
      ctx.set({ regCursor: Math.max(0, Math.min(n - 1, s.regCursor + delta * (page ? rows('regs') : step))) });
      return;
    }
    case 'memory': {
      const m = v.mem;
      const by = BigInt(delta * m.bytesPerRow * (page ? m.rows : 1));
      const cursor = m.cursor + by < 0n ? 0n : m.cursor + by;
      return ctx.set(memCursorPatch(ctx, cursor));
    }
    case 'events':
      return moveEventCursor(ctx, delta * (page ? rows('events') : 1));
    case 'console':
      return ctx.set({ consoleScroll: Math.max(0, s.consoleScroll - delta * (page ? rows('console') : 1)) });
    case 'domains':
      return ctx.set({ domainCursor: Math.max(0, Math.min(v.harts.length - 1, s.domainCursor + delta)) });
  }
}

/** Moves the memory cursor, scrolling the rows so it stays visible. */
function memCursorPatch(ctx: KeyContext, cursor: bigint): Partial<UiState> {
  const m = ctx.view.mem;
  const row = BigInt(m.bytesPerRow);
  let base = m.base;
  const span = row * BigInt(m.rows);
  if (cursor < base) base = cursor - (cursor % row);
  else if (cursor >= base + span) base = cursor - (cursor % row) - span + row;
  return { memCursor: cursor, memBase: base };
}

function selectHart(ctx: KeyContext, delta: number): void {
  const hs = ctx.view.harts;
  if (hs.length < 2) return info(ctx, 'this recording has one vCPU');
  const i = hs.findIndex((h) => h.domain === ctx.state.hart.domain && h.vcpu === ctx.state.hart.vcpu);
  const h = hs[(i + delta + hs.length) % hs.length];
  ctx.set({ hart: { domain: h.domain, vcpu: h.vcpu }, prevRegs: null, disasmCursor: null, memCursor: null, message: `showing ${h.label} (${h.domainName})`, messageKind: 'info' });
}

function runCommand(ctx: KeyContext, text: string): void {
  const { session, state: s } = ctx;
  const c = parseCommand(text);
  const addr = (t: string) => session.parseAddress(s.hart.domain, s.hart.vcpu, t);
  attempt(ctx, () => {
    switch (c.kind) {
      case 'error':
        return fail(ctx, c.message);
      case 'event':
        return ctx.move(session.seekSeq(c.seq), c.seq < session.seq - 1 ? 'reverse' : 'forward');
      case 'icount':
        return ctx.move(session.seekIcount(c.icount), c.icount < session.icount ? 'reverse' : 'forward');
      case 'address': {
        const a = addr(c.text);
        if (s.focus === 'memory') return ctx.set({ memFollow: { address: a }, memCursor: null, message: `memory at 0x${a.toString(16)}`, messageKind: 'info' });
        return ctx.set({ disasmCursor: a, ...focusPane(s, 'disasm'), message: `disassembly at 0x${a.toString(16)} (Esc: back to pc)`, messageKind: 'info' });
      }
      case 'break':
        return toggleBreakpoint(ctx, addr(c.text));
      case 'watch':
        return toggleWatch(ctx, addr(c.text), c.length, c.access);
      case 'delete': {
        if (c.id === null) {
          for (const x of [...session.stops.list()]) session.stops.remove(x.id);
          return changedStops(ctx, 'all breakpoints and watchpoints deleted');
        }
        return session.stops.remove(c.id) ? changedStops(ctx, `stop #${c.id} deleted`) : fail(ctx, `no stop #${c.id}`);
      }
      case 'mem': {
        const reg = c.text.replace(/^\$/, '').toLowerCase();
        if (X_NAMES.includes(reg) || reg === 'pc') return ctx.set({ memFollow: { reg }, memCursor: null, message: `memory follows ${reg}`, messageKind: 'info' });
        return ctx.set({ memFollow: { address: addr(c.text) }, memCursor: null, ...focusPane(s, 'memory'), message: `memory at ${c.text}`, messageKind: 'info' });
      }
      case 'filter-kind': {
        const r = parseFilter(c.kinds.join(','), session.eventKinds);
        if ('error' in r) return fail(ctx, r.error);
        return ctx.set({ eventFilter: { ...s.eventFilter, kinds: r.filter.kinds }, eventCursor: null });
      }
      case 'filter-domain':
        return ctx.set({ eventFilter: { ...s.eventFilter, domain: c.domain }, eventCursor: null });
    }
  });
}

function promptKey(ctx: KeyContext, input: string, key: Key): void {
  const p = ctx.state.prompt!;
  if (key.escape) return ctx.set({ prompt: null });
  if (key.return) {
    ctx.set({ prompt: null });
    if (p.kind === 'goto') return runCommand(ctx, p.text);
    if (p.kind === 'search') return p.text ? search(ctx, p.text, 1) : ctx.set({ search: null });
    const r = parseFilter(p.text, ctx.session.eventKinds);
    if ('error' in r) return fail(ctx, r.error);
    return ctx.set({ eventFilter: r.filter, eventCursor: null, message: r.filter.kinds.length || r.filter.domain !== null ? `events: ${filterText(r.filter)}` : 'event filter cleared', messageKind: 'info' });
  }
  if (key.backspace || key.delete) return ctx.set({ prompt: { ...p, text: p.text.slice(0, -1) } });
  if (input && !key.ctrl) ctx.set({ prompt: { ...p, text: p.text + input } });
}

export function handleKey(ctx: KeyContext, input: string, key: Key): void {
  const { state: s, session, view: v } = ctx;
  if (ctx.busy) {
    if (key.escape) ctx.cancel();
    else if (input === 'q') {
      ctx.cancel();
      ctx.quit();
    } else info(ctx, 'working — Esc cancels');
    return;
  }
  if (s.help) return ctx.set({ help: false });
  if (s.prompt) return promptKey(ctx, input, key);
  if (s.pending) {
    const letter = /^[a-z]$/i.test(input) ? input : null;
    if (!letter) return ctx.set({ pending: null, message: 'bookmarks are letters a-z', messageKind: 'error' });
    if (s.pending === 'mark') {
      return ctx.set({ pending: null, version: s.version + 1, bookmarks: { ...s.bookmarks, [letter]: { icount: session.icount, seq: session.seq } }, message: `bookmark '${letter} at icount ${session.icount}`, messageKind: 'info' });
    }
    const b = s.bookmarks[letter];
    ctx.set({ pending: null });
    if (!b) return fail(ctx, `no bookmark '${letter} (m${letter} sets it)`);
    return ctx.move(session.seekPosition(b.icount, b.seq), b.icount < session.icount ? 'reverse' : 'forward');
  }

  if (key.upArrow || input === 'k') return moveCursor(ctx, -1, false);
  if (key.downArrow || input === 'j') return moveCursor(ctx, 1, false);
  if (key.pageUp) return moveCursor(ctx, -1, true);
  if (key.pageDown) return moveCursor(ctx, 1, true);
  if (s.focus === 'memory' && (key.leftArrow || key.rightArrow)) {
    const c = v.mem.cursor + (key.leftArrow ? -1n : 1n);
    return ctx.set(memCursorPatch(ctx, c < 0n ? 0n : c));
  }
  if (s.focus === 'regs' && (key.leftArrow || key.rightArrow)) return ctx.set({ regCursor: Math.max(0, s.regCursor + (key.leftArrow ? -1 : 1)) });
  if (key.tab) return ctx.set(focusPane(s, nextPane(s.focus, key.shift ? -1 : 1)));
  if (key.escape) return ctx.set({ disasmCursor: null, memCursor: null, eventCursor: null, consoleScroll: 0, search: null });
  if (key.return) {
    if (s.focus === 'events' && v.events.some((e) => e.seq === v.eventCursor)) return attempt(ctx, () => ctx.move(session.seekSeq(v.eventCursor), v.eventCursor < session.seq - 1 ? 'reverse' : 'forward'));
    if (s.focus === 'regs' && v.regs) {
      const it = registerItems(v.regs, null)[s.regCursor];
      if (it?.isX) return ctx.set({ memFollow: { reg: it.name }, memCursor: null, message: `memory follows ${it.name}`, messageKind: 'info' });
    }
    if (s.focus === 'domains' && v.harts[s.domainCursor]) {
      const h = v.harts[s.domainCursor];
      return ctx.set({ hart: { domain: h.domain, vcpu: h.vcpu }, prevRegs: null, disasmCursor: null, memCursor: null, message: `showing ${h.label}`, messageKind: 'info' });
    }
    return;
  }
  if (/^[1-6]$/.test(input)) return ctx.set(focusPane(s, PANES[Number(input) - 1]));

  switch (input) {
    case 'i':
      return ctx.move(session.step(1), 'forward');
    case 'I':
      return ctx.move(session.reverseStep(1), 'reverse');
    case 'e':
      return ctx.move(session.nextEvent(), 'forward');
    case 'E':
      return ctx.move(session.prevEvent(), 'reverse');
    case 'c':
      if (!session.stops.size) return info(ctx, 'no breakpoint or watchpoint: b sets one at the cursor, w watches an address');
      return ctx.move(session.continue(), 'forward');
    case 'C':
      if (!session.stops.size) return info(ctx, 'no breakpoint or watchpoint: b sets one at the cursor, w watches an address');
      return ctx.move(session.reverseContinue(), 'reverse');
    case 'g':
      return ctx.move(session.start(), 'reverse');
    case 'G':
      return ctx.move(session.end(), 'forward');
    case ':':
      return ctx.set({ prompt: { kind: 'goto', text: '' } });
    case '/':
      return ctx.set({ prompt: { kind: 'search', text: '' } });
    case 'f':
      return ctx.set({ prompt: { kind: 'filter', text: filterText(s.eventFilter) }, ...focusPane(s, 'events') });
    case 'n':
    case 'N':
      if (!s.search) return info(ctx, 'no search yet: / searches the events');
      return search(ctx, s.search, input === 'n' ? 1 : -1);
    case 'b':
      if (v.disasmCenter === null) return fail(ctx, 'no vCPU to set a breakpoint for');
      return toggleBreakpoint(ctx, s.focus === 'disasm' ? v.disasmCenter : (v.regs?.pc ?? v.disasmCenter));
    case 'w':
      return watchUnderCursor(ctx);
    case 'm':
      return ctx.set({ pending: 'mark', message: 'bookmark: press a letter', messageKind: 'info' });
    case "'":
      return ctx.set({ pending: 'jump', message: 'go to bookmark: press its letter', messageKind: 'info' });
    case '{':
      return selectHart(ctx, -1);
    case '}':
      return selectHart(ctx, 1);
    case '?':
      return ctx.set({ help: true });
    case 'q':
      return ctx.quit();
  }
}
