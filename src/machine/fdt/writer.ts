// Flattened Device Tree v17 writer (Devicetree Specification v0.4, chapter 5).
//
// Layout is the canonical one dtc and libfdt's fdt_pack produce: header, memory reservation
// block at offset 40, structure block, strings block, no padding. Property names go into
// the strings block in first-use order of a depth-first walk, and a name that already occurs
// as a NUL-terminated suffix of an earlier entry reuses it (dtc's stringtable_insert and
// libfdt's fdt_find_string_ both do this). So the same tree always gives the same bytes, and
// the same bytes as `dtc -I dts -O dtb`.

import type { Fdt, FdtNode } from './tree.ts';
import * as F from './format.ts';

const NODE_NAME = /^[0-9A-Za-z,._+-]+(@[0-9A-Za-z,._+-]*)?$/;
const PROP_NAME = /^[0-9A-Za-z,._+?#-]+$/;

/** Serializes a tree (or a whole Fdt with reservations) to a DTB blob. */
export function writeFdt(tree: Fdt | FdtNode): Uint8Array {
  const t: Fdt = 'root' in tree ? tree : { root: tree, reservations: [], bootCpuId: 0 };
  if (t.root.name !== '') throw new F.FdtError(`the root node must have an empty name, not "${t.root.name}"`);

  const strings = new StringTable();
  const struct = new ByteSink();
  emitNode(t.root, '', struct, strings);
  struct.u32(F.FDT_END);
  const stringBytes = strings.bytes();

  const rsvOff = F.align8(F.FDT_HEADER_SIZE);
  const rsvSize = (t.reservations.length + 1) * F.FDT_RESERVE_ENTRY_SIZE;
  const structOff = rsvOff + rsvSize;
  const stringsOff = structOff + struct.length;
  const total = stringsOff + stringBytes.length;

  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(F.HDR_MAGIC, F.FDT_MAGIC);
  dv.setUint32(F.HDR_TOTALSIZE, total);
  dv.setUint32(F.HDR_OFF_DT_STRUCT, structOff);
  dv.setUint32(F.HDR_OFF_DT_STRINGS, stringsOff);
  dv.setUint32(F.HDR_OFF_MEM_RSVMAP, rsvOff);
  dv.setUint32(F.HDR_VERSION, F.FDT_VERSION);
  dv.setUint32(F.HDR_LAST_COMP_VERSION, F.FDT_LAST_COMP_VERSION);
  dv.setUint32(F.HDR_BOOT_CPUID_PHYS, t.bootCpuId >>> 0);
  dv.setUint32(F.HDR_SIZE_DT_STRINGS, stringBytes.length);
  dv.setUint32(F.HDR_SIZE_DT_STRUCT, struct.length);
  t.reservations.forEach((r, i) => {
    dv.setBigUint64(rsvOff + i * F.FDT_RESERVE_ENTRY_SIZE, BigInt.asUintN(64, r.address));
    dv.setBigUint64(rsvOff + i * F.FDT_RESERVE_ENTRY_SIZE + 8, BigInt.asUintN(64, r.size));
  });
  // The terminating all-zero entry is already zero.
  out.set(struct.bytes(), structOff);
  out.set(stringBytes, stringsOff);
  return out;
}

function emitNode(n: FdtNode, path: string, sink: ByteSink, strings: StringTable): void {
  const here = path === '' ? '/' : path === '/' ? `/${n.name}` : `${path}/${n.name}`;
  if (path !== '' && !NODE_NAME.test(n.name)) {
    throw new F.FdtError(`node "${here}": invalid node name "${n.name}" (spec 2.2.1)`);
  }
  sink.u32(F.FDT_BEGIN_NODE);
  sink.cstring(n.name);
  sink.pad4();
  const seenProps = new Set<string>();
  for (const p of n.props) {
    if (!PROP_NAME.test(p.name)) throw new F.FdtError(`node "${here}": invalid property name "${p.name}"`);
    if (seenProps.has(p.name)) throw new F.FdtError(`node "${here}": duplicate property "${p.name}"`);
    seenProps.add(p.name);
    sink.u32(F.FDT_PROP);
    sink.u32(p.value.length);
    sink.u32(strings.offsetOf(p.name));
    sink.raw(p.value);
    sink.pad4();
  }
  const seenChildren = new Set<string>();
  for (const c of n.children) {
    if (seenChildren.has(c.name)) throw new F.FdtError(`node "${here}": duplicate child node "${c.name}"`);
    seenChildren.add(c.name);
    emitNode(c, here, sink, strings);
  }
  sink.u32(F.FDT_END_NODE);
}

/** The strings block, deduplicating exact names and NUL-terminated suffixes. */
class StringTable {
  private text = '';
  offsetOf(name: string): number {
    const at = this.text.indexOf(`${name}\0`);
    if (at >= 0) return at;
    const off = this.text.length;
    this.text += `${name}\0`;
    return off;
  }
  bytes(): Uint8Array {
    return new TextEncoder().encode(this.text);
  }
}

/** A growable big-endian byte buffer. */
class ByteSink {
  private buf = new Uint8Array(4096);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  u32(v: number): void {
    this.ensure(4);
    new DataView(this.buf.buffer).setUint32(this.length, v >>> 0);
    this.length += 4;
  }
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  cstring(s: string): void {
    this.raw(new TextEncoder().encode(`${s}\0`));
  }
  pad4(): void {
    const n = F.align4(this.length) - this.length;
    this.ensure(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
