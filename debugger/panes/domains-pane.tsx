// Pane 6: domains and vCPUs (pc, privilege mode, waiting), the selected one marked; then the
// breakpoints and watchpoints, and the bookmarks.
import React from 'react';
import type { HartInfo } from '../../src/replay/debug/index.ts';
import { hexAddr } from '../text.ts';
import { PaneFrame, type Row } from './frame.tsx';

export interface DomainsPaneProps {
  harts: HartInfo[];
  selected: { domain: number; vcpu: number };
  cursor: number;
  stops: string[];
  bookmarks: Array<[string, number]>;
  width: number;
  height: number;
  focused: boolean;
  /** A separator column on the left (a pane to its left). */
  sep?: boolean;
}

export function DomainsPane(p: DomainsPaneProps): React.JSX.Element {
  const rows: Row[] = [];
  let domain = -1;
  p.harts.forEach((h, i) => {
    if (h.domain !== domain) {
      domain = h.domain;
      rows.push([{ text: h.domainName, color: 'cyan' }]);
    }
    const sel = h.domain === p.selected.domain && h.vcpu === p.selected.vcpu;
    rows.push([
      { text: sel ? '▶' : ' ', color: 'green', bold: true },
      { text: ` ${h.label}`, inverse: i === p.cursor && p.focused, bold: sel },
      { text: ` ${h.priv.padEnd(2)} ${hexAddr(h.pc)}${h.waiting ? ' wfi' : ''}` },
    ]);
  });
  if (!p.harts.length) rows.push([{ text: 'no vCPU yet (domains start at the first run)', dim: true }]);
  rows.push([{ text: `stops (${p.stops.length})`, color: 'cyan' }]);
  for (const s of p.stops) rows.push([{ text: ` ${s}`, color: s.includes('watch') ? 'magenta' : 'red' }]);
  if (!p.stops.length) rows.push([{ text: ' none: b (breakpoint), w (watch)', dim: true }]);
  if (p.bookmarks.length) {
    rows.push([{ text: 'bookmarks', color: 'cyan' }]);
    for (const [k, icount] of p.bookmarks) rows.push([{ text: ` '${k}  @${icount}` }]);
  }
  return <PaneFrame number={6} title="Domains & stops" focused={p.focused} width={p.width} height={p.height} sep={p.sep} rows={rows} />;
}
