// Flattened Device Tree reader (Devicetree Specification v0.4, chapter 5) for tests and for
// inspecting blobs (ours, QEMU's `dumpdtb`, or a guest-modified copy in RAM). Accepts
// versions 16 and 17, skips FDT_NOP, and reports the byte offset of anything malformed.

import type { Fdt, FdtNode, FdtProperty, FdtReservation } from './tree.ts';
import * as F from './format.ts';

export interface FdtHeader {
  totalSize: number;
  offDtStruct: number;
  offDtStrings: number;
  offMemRsvmap: number;
  version: number;
  lastCompVersion: number;
  bootCpuId: number;
  sizeDtStrings: number;
  sizeDtStruct: number;
}

export function readFdtHeader(blob: Uint8Array): FdtHeader {
  if (blob.length < F.FDT_HEADER_SIZE) {
    throw new F.FdtError(`blob is ${blob.length} bytes, shorter than an FDT header (${F.FDT_HEADER_SIZE})`);
  }
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const magic = dv.getUint32(F.HDR_MAGIC);
  if (magic !== F.FDT_MAGIC) {
    throw new F.FdtError(`bad FDT magic 0x${magic.toString(16)} at offset 0 (expected 0xd00dfeed)`);
  }
  const h: FdtHeader = {
    totalSize: dv.getUint32(F.HDR_TOTALSIZE),
    offDtStruct: dv.getUint32(F.HDR_OFF_DT_STRUCT),
    offDtStrings: dv.getUint32(F.HDR_OFF_DT_STRINGS),
    offMemRsvmap: dv.getUint32(F.HDR_OFF_MEM_RSVMAP),
    version: dv.getUint32(F.HDR_VERSION),
    lastCompVersion: dv.getUint32(F.HDR_LAST_COMP_VERSION),
    bootCpuId: dv.getUint32(F.HDR_BOOT_CPUID_PHYS),
    sizeDtStrings: dv.getUint32(F.HDR_SIZE_DT_STRINGS),
    sizeDtStruct: dv.getUint32(F.HDR_SIZE_DT_STRUCT),
  };
  if (h.lastCompVersion > F.FDT_VERSION || h.version < 16) {
    throw new F.FdtError(`unsupported FDT version ${h.version} (last compatible ${h.lastCompVersion})`);
  }
  if (h.totalSize > blob.length) {
    throw new F.FdtError(`header totalsize ${h.totalSize} exceeds the ${blob.length} bytes given`);
  }
  return h;
}

/** Parses a DTB blob into a tree. Bytes past the header's totalsize are ignored. */
export function readFdt(blob: Uint8Array): Fdt {
  const h = readFdtHeader(blob);
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });

  const reservations: FdtReservation[] = [];
  for (let off = h.offMemRsvmap; ; off += F.FDT_RESERVE_ENTRY_SIZE) {
    if (off + F.FDT_RESERVE_ENTRY_SIZE > h.totalSize) {
      throw new F.FdtError(`memory reservation block runs past the blob at offset ${off}`);
    }
    const address = dv.getBigUint64(off);
    const size = dv.getBigUint64(off + 8);
    if (address === 0n && size === 0n) break;
    reservations.push({ address, size });
  }

  const stringsEnd = h.offDtStrings + h.sizeDtStrings;
  const stringAt = (nameoff: number, where: number): string => {
    const start = h.offDtStrings + nameoff;
    const end = blob.indexOf(0, start);
    if (nameoff >= h.sizeDtStrings || end < 0 || end >= stringsEnd) {
      throw new F.FdtError(`property at offset ${where} names string offset ${nameoff} outside the strings block`);
    }
    return decoder.decode(blob.subarray(start, end));
  };

  const structEnd = h.version >= 17 ? h.offDtStruct + h.sizeDtStruct : h.totalSize;
  let off = h.offDtStruct;
  const tag = (): number => {
    if (off + 4 > structEnd) throw new F.FdtError(`structure block ends without FDT_END at offset ${off}`);
    const t = dv.getUint32(off);
    off += 4;
    return t;
  };

  const stack: FdtNode[] = [];
  let root: FdtNode | undefined;
  for (;;) {
    const at = off;
    const t = tag();
    if (t === F.FDT_NOP) continue;
    if (t === F.FDT_BEGIN_NODE) {
      const end = blob.indexOf(0, off);
      if (end < 0 || end >= structEnd) throw new F.FdtError(`unterminated node name at offset ${off}`);
      const n: FdtNode = { name: decoder.decode(blob.subarray(off, end)), props: [], children: [] };
      off = F.align4(end + 1);
      if (stack.length === 0) {
        if (root) throw new F.FdtError(`second root node at offset ${at}`);
        root = n;
      } else {
        stack[stack.length - 1]!.children.push(n);
      }
      stack.push(n);
    } else if (t === F.FDT_PROP) {
      const cur = stack[stack.length - 1];
      if (!cur) throw new F.FdtError(`property outside any node at offset ${at}`);
      const len = tag();
      const nameoff = tag();
      if (off + len > structEnd) throw new F.FdtError(`property at offset ${at} runs past the structure block`);
      const p: FdtProperty = { name: stringAt(nameoff, at), value: blob.slice(off, off + len) };
      cur.props.push(p);
      off = F.align4(off + len);
    } else if (t === F.FDT_END_NODE) {
      if (!stack.pop()) throw new F.FdtError(`FDT_END_NODE without an open node at offset ${at}`);
    } else if (t === F.FDT_END) {
      if (stack.length !== 0) throw new F.FdtError(`FDT_END at offset ${at} with ${stack.length} node(s) still open`);
      break;
    } else {
      throw new F.FdtError(`unknown structure token 0x${t.toString(16)} at offset ${at}`);
    }
  }
  if (!root) throw new F.FdtError('structure block has no root node');
  return { root, reservations, bootCpuId: h.bootCpuId };
}
