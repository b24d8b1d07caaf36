// Pane 3: a hex/ASCII view of guest virtual memory, following an address or a register;
// watched bytes are marked, the cursor byte is what `w` watches.
import React from 'react';
import { hexAddr, printable } from '../text.ts';
import { PaneFrame, type Row } from './frame.tsx';

export interface MemoryPaneProps {
  /** Address of the first byte shown (row-aligned). */
  address: bigint;
  bytes: Uint8Array;
  valid: boolean[];
  bytesPerRow: number;
  /** Address of the cursor byte. */
  cursor: bigint;
  /** Watched ranges [start, end). */
  watched: ReadonlyArray<readonly [bigint, bigint]>;
  /** What the view follows: `sp`, `0x80001000`… */
  follow: string;
  width: number;
  height: number;
  focused: boolean;
  /** A separator column on the left (a pane to its left). */
  sep?: boolean;
}

/** Bytes per row that fit a width: 16, 8 or 4. */
export function bytesPerRowFor(width: number): number {
  return width >= 78 ? 16 : width >= 44 ? 8 : 4;
}

export function MemoryPane(p: MemoryPaneProps): React.JSX.Element {
  const rows: Row[] = [];
  const n = p.bytesPerRow;
  const isWatched = (a: bigint) => p.watched.some(([s, e]) => a >= s && a < e);
  for (let off = 0; off + n <= p.bytes.length; off += n) {
    const row: Row = [{ text: hexAddr(p.address + BigInt(off)) + '  ', dim: true }];
    let ascii = '';
    for (let i = 0; i < n; i++) {
      const k = off + i;
      const a = p.address + BigInt(k);
      const ok = p.valid[k];
      row.push({
        text: ok ? p.bytes[k].toString(16).padStart(2, '0') : '--',
        inverse: a === p.cursor && p.focused,
        color: isWatched(a) ? 'magenta' : ok ? undefined : 'gray',
        bold: isWatched(a),
      });
      row.push({ text: i === n - 1 ? '' : i === 7 ? '  ' : ' ' });
      ascii += ok ? printable(p.bytes[k]) : ' ';
    }
    row.push({ text: `  |${ascii}|`, dim: true });
    rows.push(row);
  }
  return <PaneFrame number={3} title="Memory" info={`follow ${p.follow}`} focused={p.focused} width={p.width} height={p.height} sep={p.sep} rows={rows} />;
}
