// Where the panes go for a terminal size. 80×24 shows disassembly and registers on top and
// one of the other panes below (the focused one); larger terminals show all six.

export type PaneId = 'disasm' | 'regs' | 'memory' | 'events' | 'console' | 'domains';

/** Focus order and the 1-6 keys. */
export const PANES: readonly PaneId[] = ['disasm', 'regs', 'memory', 'events', 'console', 'domains'];

export const PANE_TITLES: Record<PaneId, string> = {
  disasm: 'Disassembly',
  regs: 'Registers',
  memory: 'Memory',
  events: 'Events',
  console: 'Console',
  domains: 'Domains & stops',
};

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Layout {
  wide: boolean;
  /** Rows of the main area (between the two top lines and the message line). */
  mainHeight: number;
  panes: Partial<Record<PaneId, Rect>>;
}

/** Two registers to a row (41 columns) and the separator. */
export const REGS_WIDTH = 42;

/** `bottom` is the pane shown below in the compact layout. */
export function layoutFor(width: number, height: number, bottom: PaneId): Layout {
  const mainHeight = Math.max(6, height - 3);
  const wide = width >= 110 && height >= 32;
  if (!wide) {
    const top = Math.max(3, Math.ceil(mainHeight * 0.55));
    const regs = Math.min(REGS_WIDTH, Math.max(20, width - 36));
    const below = bottom === 'disasm' || bottom === 'regs' ? 'events' : bottom;
    return {
      wide,
      mainHeight,
      panes: {
        disasm: { x: 0, y: 0, width: width - regs, height: top },
        regs: { x: width - regs, y: 0, width: regs, height: top },
        [below]: { x: 0, y: top, width, height: mainHeight - top },
      },
    };
  }
  // wide: code and state on top, the event timeline across the whole width, memory and console below
  const top = Math.floor(mainHeight * 0.45);
  const events = Math.floor((mainHeight - top) / 2);
  const lower = mainHeight - top - events;
  const domains = 30;
  const memory = 78;
  return {
    wide,
    mainHeight,
    panes: {
      disasm: { x: 0, y: 0, width: width - REGS_WIDTH - domains, height: top },
      regs: { x: width - REGS_WIDTH - domains, y: 0, width: REGS_WIDTH, height: top },
      domains: { x: width - domains, y: 0, width: domains, height: top },
      events: { x: 0, y: top, width, height: events },
      memory: { x: 0, y: top + events, width: memory, height: lower },
      console: { x: memory, y: top + events, width: width - memory, height: lower },
    },
  };
}
