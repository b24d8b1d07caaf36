// The debugger's screen: status line, timeline bar, the six panes, the message line. State
// changes come from keys (input.ts); motions of the recording run as sliced jobs so the UI
// keeps answering (Esc cancels) and the view is recomputed once when they finish.
import React, { useEffect, useRef, useState } from 'react';
import { Box, useInput } from 'ink';
import type { DebugSession, Job, MotionResult } from '../src/replay/debug/index.ts';
import { handleKey, type KeyContext } from './input.ts';
import { JobRunner } from './job-runner.ts';
import { layoutFor, type PaneId } from './layout.ts';
import { ConsolePane } from './panes/console-pane.tsx';
import { DisasmPane } from './panes/disasm-pane.tsx';
import { DomainsPane } from './panes/domains-pane.tsx';
import { EventsPane } from './panes/events-pane.tsx';
import { HelpScreen } from './panes/help-screen.tsx';
import { MemoryPane } from './panes/memory-pane.tsx';
import { MessageLine, messageHeight } from './panes/message-line.tsx';
import { RegistersPane } from './panes/registers-pane.tsx';
import { StatusLine } from './panes/status-line.tsx';
import { TimelineBar } from './panes/timeline-bar.tsx';
import { filterText, initialState, type UiState } from './state.ts';
import { buildView, type View } from './view.ts';

export interface AppProps {
  session: DebugSession;
  /** Name shown in the status line. */
  traceName: string;
  width: number;
  height: number;
  /** vCPU to show first (default: the first one). */
  target?: { domain: number; vcpu: number };
  onQuit: () => void;
  /** Milliseconds of work per slice of a long operation. */
  sliceMs?: number;
}

export function App({ session, traceName, width, height, target, onQuit, sliceMs }: AppProps): React.JSX.Element {
  const [state, setState] = useState<UiState>(() => {
    const first = target ?? session.harts()[0] ?? { domain: session.kind === 'bare' ? 0 : 1, vcpu: 0 };
    const n = session.nextSeq - session.firstSeq;
    return initialState(first, `${traceName}: ${n} events, ${session.endIcount} instructions`);
  });
  const runner = useRef(new JobRunner(sliceMs)).current;
  // leaving (q, Ctrl-C) stops a running job, so the process can end
  useEffect(() => () => runner.cancel(), [runner]);
  // keys can arrive faster than React renders: handlers read and write the latest state here
  const stateRef = useRef(state);
  const update = (f: (s: UiState) => UiState) => {
    stateRef.current = f(stateRef.current);
    setState(stateRef.current);
  };
  const set = (patch: Partial<UiState>) => update((s) => ({ ...s, ...patch }));

  const layoutOf = (st: UiState) => {
    // a job's progress bar keeps the message's rows: the panes must not move (and be rebuilt
    // from a machine in the middle of the job) when it starts
    const rows = messageHeight({ message: st.message, prompt: st.prompt, busy: null, width });
    return { rows, layout: layoutFor(width, height - (rows - 1), st.bottom) };
  };
  // the view is rebuilt only when something it shows changed; key handlers ask for the view
  // of the latest state, which may be ahead of the last render when keys come fast
  const viewCache = useRef<{ key: unknown[]; view: View } | null>(null);
  const viewOf = (st: UiState): View => {
    const { rows, layout: l } = layoutOf(st);
    const key = [st.version, st.hart, st.disasmCursor, st.memFollow, st.memCursor, st.memBase, st.eventCursor, st.eventFilter, st.consoleScroll, width, height, rows, st.bottom];
    const c = viewCache.current;
    if (c && c.key.length === key.length && c.key.every((k, i) => k === key[i])) return c.view;
    const view = buildView(session, st, l);
    viewCache.current = { key, view };
    return view;
  };
  const { layout } = layoutOf(state);
  const view = viewOf(state);

  const move = (job: Job<MotionResult>, dir: 'forward' | 'reverse') => {
    const s0 = stateRef.current;
    const before = session.registers(s0.hart.domain, s0.hart.vcpu);
    set({ busy: { ...job.progress }, direction: dir });
    runner.start(job, {
      progress: (p) => set({ busy: { ...p } }),
      done: (r) =>
        update((s) => {
          const hit = r.stop?.kind === 'hit' ? r.stop.hits[0].insn : undefined;
          const follow = hit ?? r.ran;
          const hart = follow && session.harts().some((h) => h.domain === follow.domain && h.vcpu === follow.vcpu) ? { domain: follow.domain, vcpu: follow.vcpu } : s.hart;
          const sameHart = hart.domain === s.hart.domain && hart.vcpu === s.hart.vcpu;
          return {
            ...s,
            version: s.version + 1,
            busy: null,
            hart,
            direction: dir,
            message: r.message,
            messageKind: r.stop?.kind === 'hit' ? 'stop' : 'info',
            prevRegs: sameHart ? before : null,
            disasmCursor: null,
            memCursor: null,
            eventCursor: null,
            consoleScroll: 0,
          };
        }),
      cancelled: (m) => update((s) => ({ ...s, version: s.version + 1, busy: null, message: m, messageKind: 'info', prevRegs: before })),
      failed: (e) => update((s) => ({ ...s, version: s.version + 1, busy: null, message: e.message.split('\n')[0], messageKind: 'error' })),
    });
  };

  const dispatch = (input: string, key: Parameters<typeof handleKey>[2]) => {
    const st = stateRef.current;
    const ctx: KeyContext = {
      session,
      state: st,
      view: viewOf(st),
      layout: layoutOf(st).layout,
      busy: runner.busy,
      set,
      move,
      cancel: () => runner.cancel(),
      quit: onQuit,
    };
    handleKey(ctx, input, key);
  };

  useInput((input, key) => {
    // keys typed faster than they are read arrive together (like a paste): one at a time
    if (input.length > 1 && !key.ctrl && !key.meta) {
      for (const ch of input) dispatch(ch === '\r' || ch === '\n' ? '' : ch, ch === '\r' || ch === '\n' ? { return: true } : {});
      return;
    }
    dispatch(input, key);
  });

  const regs = view.regs;
  const focused = (p: PaneId) => state.focus === p;
  const pane = (p: PaneId): React.JSX.Element | null => {
    const r = layout.panes[p];
    if (!r) return null;
    const common = { width: r.width, height: r.height, focused: focused(p), sep: r.x > 0 };
    switch (p) {
      case 'disasm':
        return <DisasmPane key={p} {...common} lines={view.disasm} pc={regs?.pc ?? null} cursor={view.disasmCenter} breakpoints={view.breakpoints} where={view.where} />;
      case 'regs':
        return <RegistersPane key={p} {...common} regs={regs} prev={state.prevRegs} cursor={state.regCursor} label={view.hartLabel} />;
      case 'memory':
        return <MemoryPane key={p} {...common} address={view.mem.base} bytes={view.mem.bytes} valid={view.mem.valid} bytesPerRow={view.mem.bytesPerRow} cursor={view.mem.cursor} watched={view.watched} follow={view.mem.follow} />;
      case 'events':
        return <EventsPane key={p} {...common} rows={view.events} current={session.seq - 1} cursor={view.eventCursor} filter={filterText(state.eventFilter)} search={state.search} />;
      case 'console':
        return <ConsolePane key={p} {...common} lines={view.console} scroll={state.consoleScroll} label={view.consoleLabel} />;
      case 'domains':
        return <DomainsPane key={p} {...common} harts={view.harts} selected={state.hart} cursor={state.domainCursor} stops={view.stops} bookmarks={Object.entries(state.bookmarks).map(([k, b]) => [k, b.icount])} />;
    }
  };

  const bottomPane = (Object.keys(layout.panes) as PaneId[]).find((p) => p !== 'disasm' && p !== 'regs');
  const main = state.help ? (
    <HelpScreen width={width} height={layout.mainHeight} />
  ) : layout.wide ? (
    <Box flexDirection="column" height={layout.mainHeight}>
      <Box flexDirection="row">
        {pane('disasm')}
        {pane('regs')}
        {pane('domains')}
      </Box>
      {pane('events')}
      <Box flexDirection="row">
        {pane('memory')}
        {pane('console')}
      </Box>
    </Box>
  ) : (
    <Box flexDirection="column" height={layout.mainHeight}>
      <Box flexDirection="row">
        {pane('disasm')}
        {pane('regs')}
      </Box>
      {bottomPane && pane(bottomPane)}
    </Box>
  );

  return (
    <Box flexDirection="column" width={width} height={height}>
      <StatusLine
        trace={traceName}
        seq={session.seq - 1 >= session.firstSeq ? session.seq - 1 : -1}
        events={session.nextSeq - session.firstSeq}
        icount={session.icount}
        endIcount={session.endIcount}
        vcpu={view.hartLabel}
        priv={regs?.priv ?? '-'}
        virt={regs?.virt ?? false}
        direction={state.direction}
        width={width}
      />
      <TimelineBar icount={session.icount} endIcount={session.endIcount} hits={[...session.hitPositions]} bookmarks={Object.entries(state.bookmarks).map(([k, b]) => [k, b.icount])} width={width} />
      {main}
      <MessageLine
        message={state.message}
        kind={state.messageKind}
        prompt={state.prompt ? { label: state.prompt.kind === 'goto' ? ':' : state.prompt.kind === 'search' ? '/' : 'filter: ', text: state.prompt.text } : null}
        busy={state.busy && runner.busy ? state.busy : null}
        rows={layoutOf(state).rows}
        width={width}
      />
    </Box>
  );
}
