// Device tree source text for a tree, in the style of `dtc -I dtb -O dts`: values shown as
// strings when they are printable NUL-terminated strings, else as <cells> when a multiple of
// 4 bytes, else as [bytes]. For reading blobs and for readable test diffs, not for parsing.

import type { Fdt, FdtNode, FdtProperty } from './tree.ts';

export function formatDts(t: Fdt): string {
  const lines = ['/dts-v1/;', ''];
  for (const r of t.reservations) {
    lines.push(`/memreserve/ 0x${r.address.toString(16).padStart(16, '0')} 0x${r.size.toString(16).padStart(16, '0')};`);
  }
  if (t.reservations.length > 0) lines.push('');
  formatNode(t.root, 0, lines);
  return `${lines.join('\n')}\n`;
}

function formatNode(n: FdtNode, depth: number, out: string[]): void {
  const ind = '\t'.repeat(depth);
  out.push(`${ind}${n.name === '' ? '/' : n.name} {`);
  for (const p of n.props) out.push(`${ind}\t${formatProp(p)}`);
  for (const c of n.children) {
    out.push('');
    formatNode(c, depth + 1, out);
  }
  out.push(`${ind}};`);
}

export function formatProp(p: FdtProperty): string {
  const v = p.value;
  if (v.length === 0) return `${p.name};`;
  if (isStringList(v)) {
    const parts = new TextDecoder().decode(v.subarray(0, v.length - 1)).split('\0');
    return `${p.name} = ${parts.map((s) => JSON.stringify(s)).join(', ')};`;
  }
  if (v.length % 4 === 0) {
    const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
    const cells = Array.from({ length: v.length / 4 }, (_, i) => `0x${dv.getUint32(i * 4).toString(16).padStart(2, '0')}`);
    return `${p.name} = <${cells.join(' ')}>;`;
  }
  return `${p.name} = [${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join(' ')}];`;
}

/** Printable ASCII strings separated and terminated by NUL, no empty entries. */
function isStringList(v: Uint8Array): boolean {
  if (v[v.length - 1] !== 0 || v[0] === 0) return false;
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    if (b === 0) {
      if (i > 0 && v[i - 1] === 0) return false;
    } else if (b < 0x20 || b > 0x7e) {
      return false;
    }
  }
  return true;
}
