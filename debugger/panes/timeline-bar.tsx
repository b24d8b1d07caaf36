// The second line: the whole recording as a bar, with the current position, the positions
// continue/reverse-continue stopped at, and the bookmarks.
import React from 'react';
import { RowView, type Row } from './frame.tsx';

export interface TimelineBarProps {
  icount: number;
  endIcount: number;
  hits: number[];
  bookmarks: Array<[string, number]>;
  width: number;
}

export function timelineCells(p: TimelineBarProps): string[] {
  const n = Math.max(1, p.width - 2);
  const col = (icount: number) => (p.endIcount <= 0 ? 0 : Math.min(n - 1, Math.floor((icount / p.endIcount) * (n - 1))));
  const cells = new Array<string>(n).fill('─');
  for (const h of p.hits) cells[col(h)] = '◆';
  for (const [k, icount] of p.bookmarks) cells[col(icount)] = k;
  cells[col(p.icount)] = '█';
  return cells;
}

export function TimelineBar(p: TimelineBarProps): React.JSX.Element {
  const cells = timelineCells(p);
  const row: Row = [{ text: '[', dim: true }];
  for (const c of cells) row.push({ text: c, color: c === '█' ? 'green' : c === '◆' ? 'magenta' : c === '─' ? 'gray' : 'yellow', bold: c !== '─' });
  row.push({ text: ']', dim: true });
  return <RowView row={row} width={p.width} />;
}
