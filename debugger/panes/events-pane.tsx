// Pane 4: the event timeline around the cursor — past events plain, future ones dim, ▶ on the
// last event produced — with the kind/domain filter and the search shown in the title.
import React from 'react';
import { PaneFrame, type Row } from './frame.tsx';

export interface EventRow {
  seq: number;
  text: string;
}

export interface EventsPaneProps {
  rows: EventRow[];
  /** The last event produced (seq - 1 of the timeline); -1 before the first. */
  current: number;
  cursor: number;
  filter: string;
  search: string | null;
  width: number;
  height: number;
  focused: boolean;
  /** A separator column on the left (a pane to its left). */
  sep?: boolean;
}

export function EventsPane(p: EventsPaneProps): React.JSX.Element {
  const rows: Row[] = p.rows.map((e) => {
    const past = e.seq <= p.current;
    const match = p.search !== null && p.search !== '' && e.text.toLowerCase().includes(p.search.toLowerCase());
    return [
      { text: e.seq === p.current ? '▶' : ' ', color: 'green', bold: true },
      { text: e.text, inverse: e.seq === p.cursor && p.focused, dim: !past, color: match ? 'yellow' : undefined },
    ];
  });
  if (!rows.length) rows.push([{ text: p.filter ? '(no event matches the filter)' : '(no events)', dim: true }]);
  const info = [p.filter && `filter ${p.filter}`, p.search && `/${p.search}`].filter(Boolean).join('  ');
  return <PaneFrame number={4} title="Events" info={info || undefined} focused={p.focused} width={p.width} height={p.height} sep={p.sep} rows={rows} />;
}
