// Page types with reference counts (docs/PV-ABI.md §4.1), Xen's get_page_type/put_page_type
// adapted to Sv39. A TypeTxn works on an overlay over the immutable state: validation is
// recursive (installing a non-leaf entry validates the child table if it has no type yet) and
// a refused request just drops the overlay, so nothing changes. On success the caller applies
// `changes()` as one PvEvent.
//
// Levels: an `l1` holds 4 KiB leaves (Sv39 level 0), an `l2` points to l1s, an `l3` is a root.
import { E, PAGE, PTE } from './abi.ts';
import type { HostMem } from './host-mem.ts';
import type { FrameSet } from './reducer.ts';
import { frameInfo, type FrameInfo, type GrantMapping, type PageType, type PvState } from './state.ts';

export type TableType = 'l1' | 'l2' | 'l3';
const CHILD: Record<TableType, TableType | null> = { l3: 'l2', l2: 'l1', l1: null };
/** PTE bits 63..54 are reserved (no Svpbmt/Svnapot). */
const RESERVED = 0xffc0000000000000n;

export function ppnOf(pte: bigint): number {
  return Number((pte >> 10n) & 0xfffffffffffn);
}

/** What a transaction needs to know about the domain whose tables it validates. */
export interface TypeContext {
  /** The grant mapping whose PTE lives at this machine address, if any (§7). */
  grantAt(slot: number): GrantMapping | undefined;
  /** Frames the domain may map read-only only (start_info, §3.3). */
  readOnly(mfn: number): boolean;
}

export class TypeTxn {
  private readonly overlay = new Map<number, FrameInfo>();

  constructor(
    private readonly s: PvState,
    private readonly hm: HostMem,
    readonly dom: number,
    private readonly ctx: TypeContext,
  ) {}

  info(mfn: number): FrameInfo {
    return this.overlay.get(mfn) ?? frameInfo(this.s, mfn);
  }

  set(mfn: number, change: Partial<FrameInfo>): void {
    this.overlay.set(mfn, { ...this.info(mfn), ...change });
  }

  changes(): FrameSet {
    return [...this.overlay];
  }

  /** Whether the domain may reference this frame in its own tables (§4.1 rule 5). */
  mayMap(mfn: number): boolean {
    const owner = this.hm.owner(mfn);
    if (owner === this.dom) return true;
    const f = this.info(mfn);
    return owner === 0 && f.type === 'shared' && f.sharedWith === this.dom;
  }

  /** Takes a type reference of type `t` on a frame, validating it as a table if untyped. */
  getType(mfn: number, t: TableType | 'writable'): number {
    const f = this.info(mfn);
    if (f.type === 'shared') return t === 'writable' ? 0 : -E.EINVAL;
    if (f.count === 0) {
      this.set(mfn, { type: t, count: 1 });
      return t === 'writable' ? 0 : this.validate(mfn, t);
    }
    if (f.type === t) {
      this.set(mfn, { count: f.count + 1 });
      return 0;
    }
    if (t === 'writable') return -E.EINVAL; // rule 1: never writable while a table
    if (f.type === 'writable') return -E.EBUSY; // rule 1: not a table while mapped writable
    return -E.EINVAL;
  }

  putType(mfn: number, t: PageType): void {
    const f = this.info(mfn);
    if (f.type === 'shared' || f.count === 0) return;
    if (f.count > 1) {
      this.set(mfn, { count: f.count - 1 });
      return;
    }
    this.set(mfn, { type: 'none', count: 0 });
    if (t === 'l1' || t === 'l2' || t === 'l3') this.devalidate(mfn, t);
  }

  private validate(mfn: number, t: TableType): number {
    const base = mfn * PAGE;
    for (let i = 0; i < 512; i++) {
      const slot = base + i * 8;
      const rc = this.getEntry(t, this.hm.u64(slot), slot);
      if (rc < 0) return rc;
    }
    return 0;
  }

  private devalidate(mfn: number, t: TableType): void {
    const base = mfn * PAGE;
    for (let i = 0; i < 512; i++) {
      const slot = base + i * 8;
      this.putEntry(t, this.hm.u64(slot), slot);
    }
  }

  /** Validates entry `pte` of a table of type t at `slot` and takes the references it needs (§4.1 rule 2). */
  getEntry(t: TableType, pte: bigint, slot: number): number {
    if (!(pte & PTE.V)) return 0;
    if (pte & RESERVED) return -E.EINVAL;
    const mfn = ppnOf(pte);
    const child = CHILD[t];
    if (child) {
      if (pte & (PTE.R | PTE.W | PTE.X)) return -E.EINVAL; // superpage leaf
      if (this.hm.owner(mfn) !== this.dom) return -E.EPERM;
      return this.getType(mfn, child);
    }
    if (!(pte & (PTE.R | PTE.X)) || (pte & PTE.W && !(pte & PTE.R)) || !(pte & PTE.U)) return -E.EINVAL;
    const g = this.ctx.grantAt(slot);
    if (g && g.mfn === mfn) return pte & PTE.W && g.readonly ? -E.EPERM : 0; // the maptrack holds its references
    if (!this.mayMap(mfn)) return -E.EPERM;
    if (pte & PTE.W) {
      if (this.ctx.readOnly(mfn)) return -E.EPERM;
      const rc = this.getType(mfn, 'writable');
      if (rc < 0) return rc;
    }
    this.set(mfn, { maps: this.info(mfn).maps + 1 });
    return 0;
  }

  putEntry(t: TableType, pte: bigint, slot: number): void {
    if (!(pte & PTE.V)) return;
    const mfn = ppnOf(pte);
    const child = CHILD[t];
    if (child) {
      this.putType(mfn, child);
      return;
    }
    const g = this.ctx.grantAt(slot);
    if (g && g.mfn === mfn) return;
    const f = this.info(mfn);
    this.set(mfn, { maps: Math.max(0, f.maps - 1) });
    if (pte & PTE.W) this.putType(mfn, 'writable');
  }

  pin(mfn: number, t: TableType): number {
    if (this.hm.owner(mfn) !== this.dom) return -E.EPERM;
    if (this.info(mfn).pinned) return -E.EINVAL;
    const rc = this.getType(mfn, t);
    if (rc < 0) return rc;
    this.set(mfn, { pinned: true });
    return 0;
  }

  unpin(mfn: number): number {
    if (this.hm.owner(mfn) !== this.dom) return -E.EPERM;
    const f = this.info(mfn);
    if (!f.pinned) return -E.EINVAL;
    this.set(mfn, { pinned: false });
    this.putType(mfn, f.type);
    return 0;
  }
}

export function tableLevel(t: PageType): TableType | null {
  return t === 'l1' || t === 'l2' || t === 'l3' ? t : null;
}
