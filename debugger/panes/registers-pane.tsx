// Pane 2: pc, privilege mode with V, x0-x31, CSRs and FP registers of the selected vCPU; values
// that changed since the previous position are highlighted.
import React from 'react';
import type { RegisterSnapshot } from '../../src/replay/debug/index.ts';
import { cell, hex64 } from '../text.ts';
import { PaneFrame, type Row, type Seg } from './frame.tsx';

export const X_NAMES = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
const F_NAMES = ['ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5', 'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11'];

export interface RegisterItem {
  name: string;
  value: bigint;
  changed: boolean;
  /** An integer register usable as an address (memory can follow it). */
  isX: boolean;
}

/** The cursor walks this list: x0..x31, the CSRs, then f0..f31. */
export function registerItems(r: RegisterSnapshot, prev: RegisterSnapshot | null): RegisterItem[] {
  // x0 rather than `zero`: every name fits three columns, two registers to a row
  const items: RegisterItem[] = r.x.map((v, i) => ({ name: i === 0 ? 'x0' : X_NAMES[i], value: v, changed: !!prev && prev.x[i] !== v, isX: true }));
  const prevCsr = new Map(prev?.csrs.map((c) => [c.name, c.value]));
  for (const c of r.csrs) items.push({ name: c.name, value: c.value, changed: !!prev && prevCsr.get(c.name) !== c.value, isX: false });
  r.f?.forEach((v, i) => items.push({ name: F_NAMES[i], value: v, changed: !!prev?.f && prev.f[i] !== v, isX: false }));
  return items;
}

export interface RegistersPaneProps {
  regs: RegisterSnapshot | null;
  prev: RegisterSnapshot | null;
  /** Index into registerItems(). */
  cursor: number;
  label: string;
  width: number;
  height: number;
  focused: boolean;
  /** A separator column on the left (a pane to its left). */
  sep?: boolean;
}

function itemSegs(it: RegisterItem, nameWidth: number, cursor: boolean, focused: boolean): Seg[] {
  return [
    { text: cell(it.name, nameWidth) + ' ', inverse: cursor && focused, dim: !cursor },
    { text: hex64(it.value), color: it.changed ? 'yellow' : undefined, bold: it.changed },
  ];
}

export function RegistersPane(p: RegistersPaneProps): React.JSX.Element {
  if (!p.regs) return <PaneFrame number={2} title="Registers" focused={p.focused} width={p.width} height={p.height} sep={p.sep} rows={[[{ text: `${p.label} does not exist at this point`, dim: true }]]} />;
  const r = p.regs;
  const items = registerItems(r, p.prev);
  const pcChanged = !!p.prev && p.prev.pc !== r.pc;
  const head: Row = [
    { text: 'pc  ', dim: true },
    { text: hex64(r.pc), color: pcChanged ? 'yellow' : 'green', bold: true },
    { text: `  ${r.priv} V=${r.virt ? 1 : 0}${r.waiting ? ' wfi' : ''}` },
  ];
  // integer registers two to a row when they fit, everything else one per row
  const pairs = p.width - (p.sep ? 1 : 0) >= 41;
  const rows: Row[] = [];
  const rowOfItem: number[] = [];
  for (let i = 0; i < items.length; ) {
    const it = items[i];
    if (pairs && it.isX && i + 1 < 32) {
      rows.push([...itemSegs(it, 3, p.cursor === i, p.focused), { text: ' ' }, ...itemSegs(items[i + 1], 3, p.cursor === i + 1, p.focused)]);
      rowOfItem[i] = rowOfItem[i + 1] = rows.length - 1;
      i += 2;
    } else {
      rows.push(itemSegs(it, 8, p.cursor === i, p.focused));
      rowOfItem[i] = rows.length - 1;
      i++;
    }
  }
  const visible = p.height - 2;
  const cur = rowOfItem[Math.min(p.cursor, items.length - 1)] ?? 0;
  const first = Math.max(0, Math.min(cur - Math.floor(visible / 2), rows.length - visible));
  return <PaneFrame number={2} title="Registers" info={p.label} focused={p.focused} width={p.width} height={p.height} sep={p.sep} rows={[head, ...rows.slice(first, first + visible)]} />;
}
