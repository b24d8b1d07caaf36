// Pane 1: disassembly around pc (or the cursor), objdump's text with symbol+offset labels,
// ▶ at pc and ● on breakpoints.
import React from 'react';
import type { DisasmLine } from '../../src/replay/debug/index.ts';
import { hexAddr, insnText } from '../text.ts';
import { PaneFrame, type Row } from './frame.tsx';

export interface DisasmPaneProps {
  lines: DisasmLine[];
  pc: bigint | null;
  cursor: bigint | null;
  breakpoints: ReadonlySet<bigint>;
  /** Where pc is, by symbol (`main+0x10`). */
  where?: string;
  width: number;
  height: number;
  focused: boolean;
  /** A separator column on the left (a pane to its left). */
  sep?: boolean;
}

export function disasmRows(p: DisasmPaneProps): { rows: Row[]; cursorRow: number } {
  const rows: Row[] = [];
  let cursorRow = 0;
  for (const l of p.lines) {
    if (l.label) rows.push([{ text: `<${l.label}>:`, color: 'cyan' }]);
    const isPc = l.address === p.pc;
    const isCursor = l.address === p.cursor;
    if (isCursor) cursorRow = rows.length;
    rows.push([
      { text: isPc ? '▶' : ' ', color: 'green', bold: true },
      { text: p.breakpoints.has(l.address) ? '●' : ' ', color: 'red', bold: true },
      { text: hexAddr(l.address), inverse: isCursor && p.focused, color: isPc ? 'green' : undefined },
      { text: '  ' },
      { text: insnText(l.text), bold: isPc, color: isPc ? 'green' : l.raw < 0 ? 'gray' : undefined },
    ]);
  }
  return { rows, cursorRow };
}

export function DisasmPane(p: DisasmPaneProps): React.JSX.Element {
  const { rows, cursorRow } = disasmRows(p);
  const visible = p.height - 1;
  // keep the cursor a third of the way down, as far as the listing allows
  const first = Math.max(0, Math.min(cursorRow - Math.floor(visible / 3), rows.length - visible));
  return <PaneFrame number={1} title="Disassembly" info={p.where} focused={p.focused} width={p.width} height={p.height} sep={p.sep} rows={rows.slice(first, first + visible)} />;
}
