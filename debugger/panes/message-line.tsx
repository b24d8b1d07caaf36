// The bottom line: the `:` / `/` / filter prompt while typing, a progress bar while a long
// operation runs (Esc cancels), else the last message.
import React from 'react';
import { Box } from 'ink';
import { RowView, type Row } from './frame.tsx';

export interface MessageProps {
  message: string;
  kind: 'info' | 'error' | 'stop';
  prompt: { label: string; text: string } | null;
  busy: { label: string; done: number; total: number } | null;
  width: number;
  /** Rows to fill (default: what the message needs). */
  rows?: number;
}

const HINT = ' ? help  q quit';

/** Rows the message needs: a long stop report takes a second row rather than being cut. */
export function messageHeight(p: { message: string; prompt: object | null; busy: object | null; width: number }): number {
  return !p.prompt && !p.busy && p.message.length > p.width - HINT.length ? 2 : 1;
}

export function messageRows(p: MessageProps): Row[] {
  if (p.prompt) return [[{ text: p.prompt.label, bold: true, color: 'cyan' }, { text: p.prompt.text }, { text: '█', color: 'gray' }]];
  if (p.busy) {
    const f = p.busy.total > 0 ? Math.max(0, Math.min(1, p.busy.done / p.busy.total)) : 0;
    const barWidth = 20;
    const filled = Math.round(f * barWidth);
    return [
      [
        { text: `${p.busy.label} `, bold: true },
        { text: '█'.repeat(filled), color: 'green' },
        { text: '░'.repeat(barWidth - filled), color: 'gray' },
        { text: ` ${Math.round(f * 100)}%  Esc cancels` },
      ],
    ];
  }
  const style = { color: p.kind === 'error' ? 'red' : p.kind === 'stop' ? 'magenta' : undefined, bold: p.kind !== 'info' };
  const room = Math.max(0, p.width - HINT.length);
  if (messageHeight(p) === 1) return [[{ text: p.message.padEnd(room), ...style }, { text: HINT, dim: true }]];
  // break before the closing remark (` — stopped after it`) when the rest fits, else at a
  // space so words stay whole; the help hint ends the second row
  const dash = p.message.lastIndexOf(' — ');
  let cut = dash > 0 && dash <= p.width ? dash : p.message.lastIndexOf(' ', p.width);
  if (cut < p.width / 2) cut = p.width;
  const rest = p.message.slice(cut).trimStart();
  const second = rest.length > room ? rest.slice(0, Math.max(0, room - 1)) + '…' : rest.padEnd(room);
  return [[{ text: p.message.slice(0, cut), ...style }], [{ text: second, ...style }, { text: HINT, dim: true }]];
}

export function MessageLine(p: MessageProps): React.JSX.Element {
  const rows = messageRows(p);
  while (p.rows !== undefined && rows.length < p.rows) rows.unshift([]);
  return (
    <Box flexDirection="column">
      {rows.map((r, i) => (
        <RowView key={i} row={r} width={p.width} />
      ))}
    </Box>
  );
}
