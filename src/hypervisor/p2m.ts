// The p2m: a domain's guest-physical to host-physical map, kept as real Sv39x4 G-stage page
// tables in host memory that the hart walks (privileged spec 9.5.1). Leaves are 4 KiB or
// 2 MiB; A and D are preset so the hardware never has to update them, and U is set as the
// spec requires of every G-stage leaf.
import type { PhysicalMemory } from '../machine/phys-mem.ts';
import type { FrameAllocator } from './frames.ts';

const V = 1n, R = 2n, W = 4n, X = 8n, U = 16n, A = 64n, D = 128n;

export interface P2mRights {
  read: boolean;
  write: boolean;
  exec: boolean;
}

export const RWX: P2mRights = Object.freeze({ read: true, write: true, exec: true });

export class P2m {
  /** Host physical address of the 16 KiB root table (4 pages, 16 KiB aligned). */
  readonly root: number;
  /**
   * Called after every change of an existing translation (the HFENCE.GVMA a hypervisor owes
   * its vCPUs): the domain flushes its harts' TLBs and fetch caches, so no guest keeps
   * reaching a frame through a translation that is gone.
   */
  onChange: (() => void) | null = null;

  constructor(
    private readonly mem: PhysicalMemory,
    private readonly frames: FrameAllocator,
    readonly vmid: number,
  ) {
    this.root = frames.alloc(4, 0, 4, `p2m root of VMID ${vmid}`);
    this.zero(this.root, 4 * 4096);
  }

  /** hgatp value selecting this p2m (mode 8 = Sv39x4). */
  get hgatp(): bigint {
    return (8n << 60n) | (BigInt(this.vmid) << 44n) | BigInt(this.root / 4096);
  }

  private zero(hpa: number, len: number): void {
    const off = this.mem.ramOffset(hpa, true);
    this.mem.bytes.fill(0, off, off + len);
  }

  private readPte(hpa: number): bigint {
    return this.mem.dv.getBigUint64(this.mem.ramOffset(hpa, false), true);
  }

  private writePte(hpa: number, v: bigint): void {
    const off = this.mem.ramOffset(hpa, true);
    this.mem.dv.setBigUint64(off, v, true);
    const page = off >>> 12;
    if (this.mem.pageFlags[page]) this.mem.onPageStore(page);
  }

  private index(gpa: bigint, level: number): number {
    // Sv39x4: level 2 uses GPA bits 40:30 (11 bits), levels 1 and 0 use 9 bits each
    const bits = Number((gpa >> BigInt(12 + 9 * level)) & (level === 2 ? 0x7ffn : 0x1ffn));
    return bits;
  }

  /** The PTE slot for gpa at `level`, creating intermediate tables down to it. */
  private slot(gpa: bigint, level: number): number {
    let table = this.root;
    for (let l = 2; l > level; l--) {
      const at = table + this.index(gpa, l) * 8;
      let pte = this.readPte(at);
      if (!(pte & V)) {
        const next = this.frames.alloc(1, 0, 1, `p2m table of VMID ${this.vmid}`);
        this.zero(next, 4096);
        pte = (BigInt(next / 4096) << 10n) | V;
        this.writePte(at, pte);
      } else if (pte & (R | W | X)) {
        pte = this.split(at, pte, l);
      }
      table = Number(pte >> 10n) * 4096;
    }
    return table + this.index(gpa, level) * 8;
  }

  /** Replaces a superpage leaf at `at` (level l) by a table of 512 leaves one level down. */
  private split(at: number, pte: bigint, l: number): bigint {
    const next = this.frames.alloc(1, 0, 1, `p2m table of VMID ${this.vmid}`);
    const step = BigInt(512 ** (l - 1)); // pages per child leaf
    const flags = pte & 0x3ffn;
    const ppn = pte >> 10n;
    for (let i = 0; i < 512; i++) this.writePte(next + i * 8, ((ppn + BigInt(i) * step) << 10n) | flags);
    const table = (BigInt(next / 4096) << 10n) | V;
    this.writePte(at, table);
    return table;
  }

  private leaf(hpa: number, rights: P2mRights): bigint {
    return (BigInt(hpa / 4096) << 10n) | V | U | A | D | (rights.read ? R : 0n) | (rights.write ? W | D : 0n) | (rights.exec ? X : 0n);
  }

  /** Maps `bytes` of guest-physical space at gpa to host memory at hpa (2 MiB leaves where aligned). */
  map(gpa: bigint, hpa: number, bytes: number, rights: P2mRights = RWX): void {
    // A G-stage PTE with neither R nor X is a pointer to a next-level table, and W without R
    // is reserved (priv. spec 9.5.1): such "rights" would turn the frame into a page table.
    if (!rights.read && !rights.exec) throw new RangeError(`p2m of VMID ${this.vmid}: a mapping needs read or execute rights (gpa 0x${gpa.toString(16)})`);
    if (rights.write && !rights.read) throw new RangeError(`p2m of VMID ${this.vmid}: write without read is reserved (gpa 0x${gpa.toString(16)})`);
    let done = 0;
    while (done < bytes) {
      const g = gpa + BigInt(done);
      const h = hpa + done;
      if (g % 0x200000n === 0n && h % 0x200000 === 0 && bytes - done >= 0x200000) {
        this.writePte(this.slot(g, 1), this.leaf(h, rights));
        done += 0x200000;
      } else {
        this.writePte(this.slot(g, 0), this.leaf(h, rights));
        done += 4096;
      }
    }
    this.onChange?.();
  }

  /** Removes the 4 KiB mapping at gpa (which must not be inside a superpage). */
  unmap4k(gpa: bigint): void {
    this.writePte(this.slot(gpa, 0), 0n);
    this.onChange?.();
  }

  /** Host physical address of gpa, or -1 when unmapped. */
  lookup(gpa: bigint): number {
    let table = this.root;
    for (let l = 2; l >= 0; l--) {
      const pte = this.readPte(table + this.index(gpa, l) * 8);
      if (!(pte & V)) return -1;
      const ppn = Number(pte >> 10n);
      if (pte & (R | W | X)) {
        const pageBytes = 4096 * 512 ** l;
        return ppn * 4096 + Number(gpa % BigInt(pageBytes));
      }
      table = ppn * 4096;
    }
    return -1;
  }
}
