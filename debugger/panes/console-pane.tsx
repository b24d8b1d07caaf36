// Pane 5: the guest console as it was at the current moment (rebuilt from console events up
// to the current event); ↑/↓ scroll back.
import React from 'react';
import { PaneFrame, type Row } from './frame.tsx';

export interface ConsolePaneProps {
  lines: string[];
  /** Lines scrolled back from the newest. */
  scroll: number;
  label: string;
  width: number;
  height: number;
  focused: boolean;
  /** A separator column on the left (a pane to its left). */
  sep?: boolean;
}

export function ConsolePane(p: ConsolePaneProps): React.JSX.Element {
  const visible = p.height - 1;
  const end = Math.max(0, p.lines.length - p.scroll);
  const shown = p.lines.slice(Math.max(0, end - visible), end);
  const rows: Row[] = shown.map((l) => [{ text: l }]);
  const info = p.scroll > 0 ? `${p.label} · ${p.scroll} lines back` : p.label;
  return <PaneFrame number={5} title="Console" info={info} focused={p.focused} width={p.width} height={p.height} sep={p.sep} rows={rows} />;
}
