// In-memory device tree: nodes in order, properties in order, values as raw big-endian bytes
// (Devicetree Specification v0.4, chapter 2). Order is kept exactly because the flattened
// blob, and so every offset a guest's libfdt computes, depends on it.

export interface FdtProperty {
  readonly name: string;
  readonly value: Uint8Array;
}

export interface FdtNode {
  /** Node name with unit address ("serial@10000000"); "" for the root. */
  readonly name: string;
  readonly props: FdtProperty[];
  readonly children: FdtNode[];
}

/** A memory reservation block entry (spec 5.3). */
export interface FdtReservation {
  readonly address: bigint;
  readonly size: bigint;
}

export interface Fdt {
  readonly root: FdtNode;
  readonly reservations: readonly FdtReservation[];
  /** boot_cpuid_phys header field. */
  readonly bootCpuId: number;
}

export function node(name: string, props: FdtProperty[], children: FdtNode[] = []): FdtNode {
  return { name, props, children };
}

export function fdt(root: FdtNode, reservations: FdtReservation[] = [], bootCpuId = 0): Fdt {
  return { root, reservations, bootCpuId };
}

const textEncoder = new TextEncoder();

/** Property value builders (spec 2.2.4 value encodings). */
export const prop = {
  /** A property with no value, e.g. `interrupt-controller;`. */
  empty(name: string): FdtProperty {
    return { name, value: new Uint8Array(0) };
  },
  /** One or more 32-bit cells. */
  u32(name: string, ...cells: number[]): FdtProperty {
    return prop.cells(name, cells);
  },
  cells(name: string, cells: readonly number[]): FdtProperty {
    const value = new Uint8Array(cells.length * 4);
    const dv = new DataView(value.buffer);
    cells.forEach((c, i) => {
      if (!Number.isInteger(c) || c < -0x80000000 || c > 0xffffffff) {
        throw new RangeError(`property "${name}": cell ${i} (${c}) is not a 32-bit integer`);
      }
      dv.setUint32(i * 4, c >>> 0);
    });
    return { name, value };
  },
  /** 64-bit values, each as two cells (high first). */
  u64(name: string, ...values: Array<number | bigint>): FdtProperty {
    const value = new Uint8Array(values.length * 8);
    const dv = new DataView(value.buffer);
    values.forEach((v, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, BigInt(v))));
    return { name, value };
  },
  /** A NUL-terminated string. */
  str(name: string, s: string): FdtProperty {
    return prop.strs(name, [s]);
  },
  /** A string list ("a\0b\0"). */
  strs(name: string, list: readonly string[]): FdtProperty {
    const parts = list.map((s) => {
      if (s.includes('\0')) throw new RangeError(`property "${name}": string contains NUL`);
      return textEncoder.encode(`${s}\0`);
    });
    const value = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      value.set(p, at);
      at += p.length;
    }
    return { name, value };
  },
  bytes(name: string, data: Uint8Array): FdtProperty {
    return { name, value: Uint8Array.from(data) };
  },
};

/** Hands out phandles 1, 2, 3, ... in request order, as QEMU's `phandle++` does. */
export class PhandleAllocator {
  private nextValue: number;
  constructor(first = 1) {
    this.nextValue = first;
  }
  next(): number {
    return this.nextValue++;
  }
}

// ---- Lookup helpers (used by tests and by tools that inspect blobs) ----

/** The node at an absolute path like "/soc/serial@10000000", or undefined. */
export function findNode(root: FdtNode, path: string): FdtNode | undefined {
  if (path === '/') return root;
  if (!path.startsWith('/')) throw new RangeError(`device tree path must be absolute: "${path}"`);
  let cur: FdtNode | undefined = root;
  for (const part of path.slice(1).split('/')) {
    cur = cur.children.find((c) => c.name === part);
    if (!cur) return undefined;
  }
  return cur;
}

export function getProp(n: FdtNode, name: string): FdtProperty | undefined {
  return n.props.find((p) => p.name === name);
}

/** The value as 32-bit cells (its length must be a multiple of 4). */
export function propCells(p: FdtProperty): number[] {
  if (p.value.length % 4 !== 0) {
    throw new RangeError(`property "${p.name}" is ${p.value.length} bytes, not a list of cells`);
  }
  const dv = new DataView(p.value.buffer, p.value.byteOffset, p.value.byteLength);
  return Array.from({ length: p.value.length / 4 }, (_, i) => dv.getUint32(i * 4));
}

/** The value as a string list (each entry NUL-terminated). */
export function propStrings(p: FdtProperty): string[] {
  const v = p.value;
  if (v.length === 0 || v[v.length - 1] !== 0) {
    throw new RangeError(`property "${p.name}" is not a NUL-terminated string list`);
  }
  return new TextDecoder().decode(v.subarray(0, v.length - 1)).split('\0');
}

/** The node whose `phandle` property equals `ph`, or undefined. */
export function findByPhandle(root: FdtNode, ph: number): FdtNode | undefined {
  const p = getProp(root, 'phandle');
  if (p && p.value.length === 4 && propCells(p)[0] === ph) return root;
  for (const c of root.children) {
    const hit = findByPhandle(c, ph);
    if (hit) return hit;
  }
  return undefined;
}

/** Deep copy with every node and value duplicated (trees are otherwise shared by reference). */
export function cloneNode(n: FdtNode): FdtNode {
  return {
    name: n.name,
    props: n.props.map((p) => ({ name: p.name, value: Uint8Array.from(p.value) })),
    children: n.children.map(cloneNode),
  };
}
