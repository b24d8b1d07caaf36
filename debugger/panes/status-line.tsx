// The top line: where we are in the recording (event seq / total, icount), which vCPU is
// shown and its privilege mode with V, and which way time last moved.
import React from 'react';
import { RowView, type Row, type Seg } from './frame.tsx';

export interface StatusProps {
  trace: string;
  /** The last event produced (-1 before the first) and how many events the trace has. */
  seq: number;
  events: number;
  icount: number;
  endIcount: number;
  vcpu: string;
  priv: string;
  virt: boolean;
  direction: 'forward' | 'reverse' | null;
  width: number;
}

export function statusRow(p: StatusProps): Row {
  const dir = p.direction === 'reverse' ? '◀ reverse' : p.direction === 'forward' ? '▶ forward' : '■ stopped';
  const left: Row = [
    { text: ' chronovisor ', inverse: true, bold: true },
    { text: ` ${dir} `, color: p.direction === 'reverse' ? 'magenta' : 'green', bold: true },
    { text: ` event #${p.seq < 0 ? '-' : p.seq}/${p.events} ` },
    { text: ` icount ${p.icount}/${p.endIcount} `, bold: true },
    { text: ` ${p.vcpu} ${p.priv} V=${p.virt ? 1 : 0} `, color: 'cyan' },
    { text: ` ${p.trace} `, dim: true },
  ];
  // the help hint stays at the right edge: narrow terminals lose the trace name first
  const hint: Seg = { text: ' ? help ', dim: true };
  const room = p.width - hint.text.length;
  const len = (r: Row) => r.reduce((n, x) => n + x.text.length, 0);
  // narrow terminals lose the trace name first, then the title
  if (len(left) > room) left.pop();
  if (len(left) > room) left.shift();
  const used = len(left);
  return [...left, { text: ' '.repeat(Math.max(0, room - used)) }, hint];
}

export function StatusLine(p: StatusProps): React.JSX.Element {
  return <RowView row={statusRow(p)} width={p.width} />;
}
