// The abstract ownership model of PV memory and sharing, its commands, and the world they
// run on (see pv-memory.test.ts for what is checked). The model predicts each hypercall's
// result from docs/PV-ABI.md's rules alone; it never asks the hypervisor what it thinks.
//
// The world per domain (set up by real hypercalls before the commands):
//   pool    eight of its frames (pfns 4000..4007); the first four mapped RWX in the kernel
//           window ("k0".."k3"), the others unmapped from it ("k4".."k7")
//   window  a frame of its own made an l1 table (pinned, linked at l2 index 8): 16 slots of
//           kernel VA from KERNEL_BASE + 16 MiB ("w0".."w14"; w15 maps the grant table)
//   link    l2 index 9, where a command may link one more l1 table built by the guest
//   grants  a one-frame grant table (setup_table), entries 0..7 used
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import { GNTST, GTF, PTE, SH } from '../../src/hypervisor/pv/abi.ts';
import { GuestVa } from '../../src/hypervisor/pv/guest-va.ts';
import { checkPvInvariant } from './pv-invariant.ts';
import * as ops from './pv-ops.ts';
import { kernelVa, mfnOfPfn, PAGE, pvAccess, pvHost, pvWorld } from './pv-world.ts';
import { restoreWorld, snapshotWorld, type WorldSnapshot } from './snapshot.ts';

export const DOMAINS = 3;
const POOL_PFNS = [4000, 4001, 4002, 4003, 4004, 4005, 4006, 4007];
const WINDOW_PFN = 4090;
/** Pool frames from this index on are unmapped at the start. */
const UNMAPPED_FROM = 4;
export const WINDOW_VA = kernelVa(4096);
export const LINK_VA = kernelVa(4096 + 512);
const GRANT_SLOT = 15;
export const REFS = 8;

export interface Mapping {
  mfn: number;
  r: boolean;
  w: boolean;
  x: boolean;
  /** Set when the slot holds a grant mapping (its maptrack handle). */
  handle?: number;
}

export interface GrantEntry {
  grantee: number;
  mfn: number;
  ro: boolean;
  permit: boolean;
}

export interface Held {
  granter: number;
  ref: number;
  slot: string;
  ro: boolean;
  mfn: number;
}

export interface Binding {
  state: 'unbound' | 'interdomain';
  remoteDom: number;
  remotePort: number;
}

export class PvModel {
  readonly doms = [1, 2, 3];
  /** Frames the model follows: owner by MFN (0 = hypervisor, for grant-table frames). */
  readonly owner = new Map<number, number>();
  /** Frames a domain's commands pick from (pool, frames it allocated), in order. */
  readonly frames = new Map<number, number[]>();
  readonly windowTable = new Map<number, number>();
  readonly grantFrame = new Map<number, number>();
  /** Tracked PTE slots per domain: key -> machine address of the PTE, VA, mapping. */
  readonly slotAddr = new Map<number, Map<string, { pte: number; va: bigint }>>();
  readonly slots = new Map<number, Map<string, Mapping>>();
  readonly pinned = new Set<number>();
  readonly linked = new Map<number, number | null>();
  /** References held by the validated contents of pinned or linked tables. */
  readonly tableRefs = new Map<number, Array<{ mfn: number; w: boolean }>>();
  readonly grants = new Map<number, Map<number, GrantEntry>>();
  readonly held = new Map<number, Map<number, Held>>();
  readonly ports = new Map<number, Map<number, Binding>>();
  readonly pending = new Map<number, Set<number>>();
  /** Words guest stores and copies put in frames the model follows (by host address). */
  readonly words = new Map<number, bigint>();
  /** Frames released by decrease_reservation, not yet taken back (increase_reservation room). */
  readonly room = new Map<number, number>();
  /** Attack targets no domain may reach: other domains' frames are added per domain. */
  hypervisorFrames: number[] = [];
  freeFrame = 0;
  /** Outcomes seen, by command and result, for coverage reports (outcomeCounts). */
  readonly outcomes: string[] = [];

  isTable(m: number): boolean {
    if (this.pinned.has(m)) return true;
    for (const [, t] of this.windowTable) if (t === m) return true;
    for (const [, l] of this.linked) if (l === m) return true;
    return false;
  }

  isGrantFrame(m: number): boolean {
    for (const [, g] of this.grantFrame) if (g === m) return true;
    return false;
  }

  /** Mappings of a frame everywhere: PTEs in tracked slots and in validated table contents. */
  mappings(m: number): { any: number; writable: number } {
    let any = 0;
    let writable = 0;
    for (const [, s] of this.slots) for (const [, x] of s) if (x.mfn === m) any++, (writable += x.w ? 1 : 0);
    for (const [, refs] of this.tableRefs) for (const x of refs) if (x.mfn === m) any++, (writable += x.w ? 1 : 0);
    return { any, writable };
  }

  activeOf(granter: number, ref: number): { readers: number; writers: number } {
    let readers = 0;
    let writers = 0;
    for (const [, h] of this.held) for (const [, x] of h) if (x.granter === granter && x.ref === ref) (x.ro ? readers++ : writers++);
    return { readers, writers };
  }

  lowestFreePort(d: number): number {
    const p = this.ports.get(d)!;
    let n = 1;
    while (p.has(n)) n++;
    return n;
  }

  /**
   * The §4.1 rule-2/5 verdict on a frame's contents as an l1 table (what pinning or linking
   * it must answer), from the words the model knows were written: the references it would
   * hold, or the error.
   */
  validateL1(d: number, m: number): { rc: number; refs: Array<{ mfn: number; w: boolean }> } {
    const refs: Array<{ mfn: number; w: boolean }> = [];
    for (let i = 0; i < 512; i++) {
      const pte = this.words.get(m * PAGE + i * 8) ?? 0n;
      if (!(pte & PTE.V)) continue;
      if (pte & 0xffc0000000000000n) return { rc: -22, refs: [] };
      if (!(pte & (PTE.R | PTE.X)) || (pte & PTE.W && !(pte & PTE.R)) || !(pte & PTE.U)) return { rc: -22, refs: [] };
      const target = Number((pte >> 10n) & 0xfffffffffffn);
      const own = this.owner.get(target) === d || (this.grantFrame.get(d) === target);
      if (!own) return { rc: -1, refs: [] };
      const w = !!(pte & PTE.W);
      if (w && (this.isTable(target) || target === m)) return { rc: -22, refs: [] };
      refs.push({ mfn: target, w });
    }
    return { rc: 0, refs };
  }
}

export interface PvReal {
  hv: Hypervisor;
}

type Cmd = fc.Command<PvModel, PvReal>;

const pte = (mfn: number, r: { r: boolean; w: boolean; x: boolean }): bigint =>
  (BigInt(mfn) << 10n) | PTE.V | PTE.U | PTE.A | PTE.D | (r.r ? PTE.R : 0n) | (r.w ? PTE.W : 0n) | (r.x ? PTE.X : 0n);

const RIGHTS = {
  r: { r: true, w: false, x: false },
  rw: { r: true, w: true, x: false },
  rx: { r: true, w: false, x: true },
  rwx: { r: true, w: true, x: true },
  x: { r: false, w: false, x: true },
} as const;
type RightsName = keyof typeof RIGHTS;
const rightsArb = fc.constantFrom(...(Object.keys(RIGHTS) as RightsName[]));

function done(m: PvModel, r: PvReal): void {
  checkPvInvariant(m, r.hv);
}

function expectRc(got: number, want: number, what: string): void {
  expect(got, what).toBe(want);
  outcomeCounts.set(`${what.split('(')[0]} -> ${got}`, (outcomeCounts.get(`${what.split('(')[0]} -> ${got}`) ?? 0) + 1);
}

/** How often each command ended with each result in this process (to see what the generator reaches). */
export const outcomeCounts = new Map<string, number>();

function noteStatus(what: string, st: number): void {
  expectRc(st, st, what);
}

// ---- page-table commands ------------------------------------------------------------------

/** mmu_update of a tracked slot to map one of the domain's own frames (or its grant-table frame). */
class MapOwn implements Cmd {
  constructor(readonly d: number, readonly slot: string, readonly pick: number, readonly rights: RightsName) {}
  frame(m: PvModel): number {
    const own = [...m.frames.get(this.d)!, m.windowTable.get(this.d)!, m.grantFrame.get(this.d)!];
    return own[this.pick % own.length];
  }
  check() {
    return true;
  }
  run(m: PvModel, r: PvReal) {
    const f = this.frame(m);
    const rights = RIGHTS[this.rights];
    const cur = m.slots.get(this.d)!.get(this.slot);
    let want = 0;
    if (cur?.handle !== undefined) want = -22; // a grant mapping's entry changes only by unmap_grant_ref
    else if (rights.w && m.isTable(f)) want = -22; // rule 1
    const rc = ops.mmuUpdate(r.hv, this.d, m.slotAddr.get(this.d)!.get(this.slot)!.pte, pte(f, rights));
    expectRc(rc, want, this.toString());
    if (rc === 0) m.slots.get(this.d)!.set(this.slot, { mfn: f, ...rights });
    done(m, r);
  }
  toString() {
    return `map-own(d${this.d}, ${this.slot}, frame #${this.pick}, ${this.rights})`;
  }
}

/** mmu_update naming a frame the domain does not own: another domain's, the hypervisor's, a free one. */
class MapForeign implements Cmd {
  constructor(readonly d: number, readonly slot: string, readonly pick: number, readonly rights: RightsName) {}
  check() {
    return true;
  }
  run(m: PvModel, r: PvReal) {
    const targets = [...m.hypervisorFrames, m.freeFrame];
    for (const e of m.doms) if (e !== this.d) targets.push(...m.frames.get(e)!, m.windowTable.get(e)!, m.grantFrame.get(e)!);
    // a frame this domain has come to own since (a freed frame it allocated) is not foreign
    const foreign = targets.filter((t) => m.owner.get(t) !== this.d);
    const f = foreign[this.pick % foreign.length];
    const cur = m.slots.get(this.d)!.get(this.slot);
    const rc = ops.mmuUpdate(r.hv, this.d, m.slotAddr.get(this.d)!.get(this.slot)!.pte, pte(f, RIGHTS[this.rights]));
    expectRc(rc, cur?.handle !== undefined ? -22 : -1, `${this}: frame 0x${f.toString(16)} (owner ${r.hv.frames.ownerOf(f * PAGE)})`);
    done(m, r);
  }
  toString() {
    return `map-foreign(d${this.d}, ${this.slot}, target #${this.pick}, ${this.rights})`;
  }
}

class Unmap implements Cmd {
  constructor(readonly d: number, readonly slot: string) {}
  check() {
    return true;
  }
  run(m: PvModel, r: PvReal) {
    const cur = m.slots.get(this.d)!.get(this.slot);
    const rc = ops.mmuUpdate(r.hv, this.d, m.slotAddr.get(this.d)!.get(this.slot)!.pte, 0n);
    expectRc(rc, cur?.handle !== undefined ? -22 : 0, this.toString());
    if (rc === 0) m.slots.get(this.d)!.delete(this.slot);
    done(m, r);
  }
  toString() {
    return `unmap(d${this.d}, ${this.slot})`;
  }
}

/** A frame of the domain: `smart` prefers frames no writable mapping holds (so pins and frees can succeed). */
function ownFrame(m: PvModel, d: number, pick: number, smart: boolean): number {
  const fs = m.frames.get(d)!;
  const quiet = fs.filter((f) => m.mappings(f).writable === 0 && !m.isTable(f));
  const from = smart && quiet.length ? quiet : fs;
  return from[pick % from.length];
}

class Pin implements Cmd {
  constructor(readonly d: number, readonly pick: number, readonly smart = false) {}
  check(m: PvModel) {
    return m.frames.get(this.d)!.length > 0;
  }
  run(m: PvModel, r: PvReal) {
    const f = ownFrame(m, this.d, this.pick, this.smart);
    let want: number;
    let refs: Array<{ mfn: number; w: boolean }> | undefined;
    if (m.pinned.has(f)) want = -22;
    else if (m.isTable(f)) want = 0; // already an l1 (linked): another type reference
    else if (m.mappings(f).writable > 0) want = -16; // rule 1: not a table while mapped writable
    else ({ rc: want, refs } = m.validateL1(this.d, f));
    const rc = ops.pinL1(r.hv, this.d, f);
    expectRc(rc, want, this.toString());
    if (rc === 0) {
      if (refs) m.tableRefs.set(f, refs);
      m.pinned.add(f);
    }
    done(m, r);
  }
  toString() {
    return `pin-l1(d${this.d}, ${this.smart ? 'quiet ' : ''}frame #${this.pick})`;
  }
}

class Unpin implements Cmd {
  constructor(readonly d: number, readonly pick: number) {}
  check(m: PvModel) {
    return m.frames.get(this.d)!.length > 0;
  }
  run(m: PvModel, r: PvReal) {
    const fs = m.frames.get(this.d)!;
    const f = fs[this.pick % fs.length];
    const rc = ops.unpin(r.hv, this.d, f);
    expectRc(rc, m.pinned.has(f) ? 0 : -22, this.toString());
    if (rc === 0) {
      m.pinned.delete(f);
      if (m.linked.get(this.d) !== f) m.tableRefs.delete(f);
    }
    done(m, r);
  }
  toString() {
    return `unpin(d${this.d}, frame #${this.pick})`;
  }
}

/** mmu_update of l2 entry 9: link one of the domain's frames as an l1 table (or unlink). */
class Link implements Cmd {
  constructor(readonly d: number, readonly pick: number | null, readonly smart = false) {}
  check(m: PvModel) {
    return m.frames.get(this.d)!.length > 0;
  }
  run(m: PvModel, r: PvReal) {
    const f = this.pick === null ? null : ownFrame(m, this.d, this.pick, this.smart);
    const old = m.linked.get(this.d) ?? null;
    let want = 0;
    let refs: Array<{ mfn: number; w: boolean }> | undefined;
    if (f !== null && f !== old) {
      if (m.isTable(f)) want = 0;
      else if (m.mappings(f).writable > 0) want = -16;
      else ({ rc: want, refs } = m.validateL1(this.d, f));
    }
    const l2 = linkSlot(r.hv, this.d);
    const rc = ops.mmuUpdate(r.hv, this.d, l2, f === null ? 0n : (BigInt(f) << 10n) | PTE.V);
    expectRc(rc, want, this.toString());
    if (rc === 0) {
      if (old !== null && old !== f && !m.pinned.has(old)) m.tableRefs.delete(old);
      if (f !== null && refs) m.tableRefs.set(f, refs);
      m.linked.set(this.d, f);
    }
    done(m, r);
  }
  toString() {
    return this.pick === null ? `unlink(d${this.d})` : `link-l1(d${this.d}, ${this.smart ? 'quiet ' : ''}frame #${this.pick})`;
  }
}

/** Machine address of the l2 entry for LINK_VA in the domain's kernel root. */
export function linkSlot(hv: Hypervisor, d: number): number {
  const pv = pvHost(hv);
  const root = pv.vcpu(d, 0).kernelRoot;
  const l2 = Number((pv.hm.u64(root * PAGE + 256 * 8) >> 10n) & 0xfffffffffffn);
  return l2 * PAGE + 9 * 8;
}

/** What a hostile guest stores: any value, or a PTE naming a pool frame of some domain (resolved when it runs). */
type StoreValue = { raw: bigint } | { dom: number; pool: number; flags: bigint };

function storeBits(m: PvModel, v: StoreValue): bigint {
  if ('raw' in v) return v.raw;
  const fs = m.frames.get(v.dom)!;
  const f = fs.length ? fs[v.pool % fs.length] : m.freeFrame;
  return (BigInt(f) << 10n) | v.flags;
}

/** A guest store through the real hart into a tracked slot (hostile values included). */
class GuestStore implements Cmd {
  constructor(readonly d: number, readonly slot: string, readonly word: number, readonly spec: StoreValue) {}
  value = 0n;
  check(m: PvModel) {
    // grant-table frames are written by the Grant and Revoke commands, which the model follows
    const s = m.slots.get(this.d)!.get(this.slot);
    return !s || !m.isGrantFrame(s.mfn);
  }
  run(m: PvModel, r: PvReal) {
    this.value = storeBits(m, this.spec);
    const s = m.slots.get(this.d)!.get(this.slot);
    const va = m.slotAddr.get(this.d)!.get(this.slot)!.va + BigInt(this.word * 8);
    const ok = pvAccess(r.hv.domain(this.d), va, 'write', this.value);
    expect(ok, this.toString()).toBe(!!s && s.r && s.w);
    if (ok && s) m.words.set(s.mfn * PAGE + this.word * 8, this.value);
    done(m, r);
  }
  toString() {
    const v = 'raw' in this.spec ? `0x${this.spec.raw.toString(16)}` : `pte(d${this.spec.dom} frame #${this.spec.pool}, flags 0x${this.spec.flags.toString(16)})`;
    return `guest-store(d${this.d}, ${this.slot}+${this.word * 8}, ${v})`;
  }
}

/** XENMEM_decrease_reservation of one of the domain's frames. */
class Free implements Cmd {
  constructor(readonly d: number, readonly pick: number, readonly smart = false) {}
  check(m: PvModel) {
    return m.frames.get(this.d)!.length > 0;
  }
  run(m: PvModel, r: PvReal) {
    const fs = m.frames.get(this.d)!;
    const unmapped = fs.filter((f) => m.mappings(f).any === 0 && !m.isTable(f));
    const from = this.smart && unmapped.length ? unmapped : fs;
    const f = from[this.pick % from.length];
    const busy = m.isTable(f) || m.mappings(f).any > 0;
    const { rc } = ops.reservation(r.hv, this.d, false, [f]);
    expectRc(rc, busy ? -16 : 1, this.toString());
    if (rc === 1) {
      fs.splice(fs.indexOf(f), 1);
      m.owner.delete(f);
      for (const w of [...m.words.keys()]) if (Math.floor(w / PAGE) === f) m.words.delete(w);
      m.room.set(this.d, m.room.get(this.d)! + 1);
    }
    done(m, r);
  }
  toString() {
    return `free(d${this.d}, ${this.smart ? 'unmapped ' : ''}frame #${this.pick})`;
  }
}

/** XENMEM_increase_reservation of one frame: only within the domain's limit. */
class Alloc implements Cmd {
  constructor(readonly d: number) {}
  check() {
    return true;
  }
  run(m: PvModel, r: PvReal) {
    const { rc, mfns } = ops.reservation(r.hv, this.d, true, [0]);
    expectRc(rc, m.room.get(this.d)! > 0 ? 1 : 0, this.toString());
    for (const f of mfns) {
      expect(m.owner.has(f), `frame 0x${f.toString(16)} handed out while the model says it is owned`).toBe(false);
      m.owner.set(f, this.d);
      m.frames.get(this.d)!.push(f);
      m.room.set(this.d, m.room.get(this.d)! - 1);
    }
    done(m, r);
  }
  toString() {
    return `alloc(d${this.d})`;
  }
}

// ---- grants --------------------------------------------------------------------------------

/** The granter writes entry `ref` with a real store through its mapping of the grant table. */
class GrantCmd implements Cmd {
  constructor(readonly d: number, readonly ref: number, readonly grantee: number, readonly pick: number, readonly ro: boolean, readonly foreign: boolean) {}
  check(m: PvModel) {
    const a = m.activeOf(this.d, this.ref);
    return a.readers + a.writers === 0; // the protocol: an entry in use is not rewritten
  }
  run(m: PvModel, r: PvReal) {
    const pool = this.foreign ? m.frames.get(this.grantee)! : m.frames.get(this.d)!;
    const f = pool.length ? pool[this.pick % pool.length] : m.freeFrame;
    const flags = GTF.permit_access | (this.ro ? GTF.readonly : 0);
    const entry = BigInt(flags) | (BigInt(this.grantee) << 16n) | (BigInt(f) << 32n);
    const va = WINDOW_VA + BigInt(GRANT_SLOT * PAGE + this.ref * 8);
    expect(pvAccess(r.hv.domain(this.d), va, 'write', entry), `${this}: store to the grant table`).toBe(true);
    m.grants.get(this.d)!.set(this.ref, { grantee: this.grantee, mfn: f, ro: this.ro, permit: true });
    done(m, r);
  }
  toString() {
    return `grant(d${this.d} ref ${this.ref} -> d${this.grantee}, ${this.foreign ? 'a frame of the grantee' : 'own'} frame #${this.pick}${this.ro ? ', readonly' : ''})`;
  }
}

/** Revocation as the ABI prescribes: clear GTF_permit_access only if GTF_reading|GTF_writing are clear. */
class Revoke implements Cmd {
  constructor(readonly d: number, readonly ref: number) {}
  check(m: PvModel) {
    return m.grants.get(this.d)!.has(this.ref);
  }
  run(m: PvModel, r: PvReal) {
    const pv = pvHost(r.hv);
    const at = m.grantFrame.get(this.d)! * PAGE + this.ref * 8;
    const flags = pv.hm.u16(at);
    const inUse = (flags & (GTF.reading | GTF.writing)) !== 0;
    const a = m.activeOf(this.d, this.ref);
    noteStatus(this.toString(), inUse ? 1 : 0);
    expect(inUse, `${this}: the entry says ${inUse ? 'in use' : 'not in use'}; mappings held: ${a.readers} read-only, ${a.writers} writable`).toBe(a.readers + a.writers > 0);
    expect((flags & GTF.writing) !== 0, `${this}: GTF_writing`).toBe(a.writers > 0);
    if (!inUse) {
      pv.hm.setU16(at, flags & ~GTF.permit_access);
      m.grants.get(this.d)!.get(this.ref)!.permit = false;
    }
    done(m, r);
  }
  toString() {
    return `revoke(d${this.d} ref ${this.ref})`;
  }
}

function grantStatus(m: PvModel, grantee: number, granter: number, ref: number, write: boolean): number {
  const g = m.grants.get(granter)!.get(ref);
  if (!g || !g.permit || g.grantee !== grantee) return GNTST.permission_denied;
  if (write && g.ro) return GNTST.permission_denied;
  if (m.owner.get(g.mfn) !== granter) return GNTST.bad_page;
  return GNTST.okay;
}

/**
 * Who uses which grant entry: `smart` picks one of the entries granters have written (and
 * the domain it names as the user), else the raw (d, granter, ref) — mostly refused.
 */
function grantFor(m: PvModel, d: number, granter: number, ref: number, smart: boolean): [number, number, number] {
  if (smart) {
    const all: Array<[number, number, number]> = [];
    for (const [g, refs] of m.grants) for (const [rf, e] of refs) if (m.doms.includes(e.grantee)) all.push([e.grantee, g, rf]);
    if (all.length) return all[(granter * REFS + ref) % all.length];
  }
  return [d, granter, ref];
}

class MapGrant implements Cmd {
  d: number;
  granter: number;
  ref: number;
  constructor(readonly d0: number, readonly g0: number, readonly r0: number, public slot: number, readonly ro: boolean, readonly smart = false) {
    this.d = d0;
    this.granter = g0;
    this.ref = r0;
  }
  check() {
    return true;
  }
  run(m: PvModel, r: PvReal) {
    [this.d, this.granter, this.ref] = grantFor(m, this.d0, this.g0, this.r0, this.smart);
    if (this.smart) {
      const slots = m.slots.get(this.d)!;
      for (let k = 0; k < 15; k++) {
        const i = (this.slot + k) % 15;
        if (!slots.has(`w${i}`)) {
          this.slot = i;
          break;
        }
      }
    }
    const key = `w${this.slot}`;
    let want = grantStatus(m, this.d, this.granter, this.ref, !this.ro);
    const g = m.grants.get(this.granter)!.get(this.ref);
    if (want === GNTST.okay && m.slots.get(this.d)!.has(key)) want = GNTST.bad_virt_addr;
    if (want === GNTST.okay && !this.ro && m.isTable(g!.mfn)) want = GNTST.general_error; // rule 1
    const { status, handle } = ops.mapGrant(r.hv, this.d, this.granter, this.ref, m.slotAddr.get(this.d)!.get(key)!.va, this.ro);
    expect(status, this.toString()).toBe(want);
    noteStatus(this.toString(), status);
    if (status === GNTST.okay) {
      m.slots.get(this.d)!.set(key, { mfn: g!.mfn, r: true, w: !this.ro, x: false, handle });
      m.held.get(this.d)!.set(handle, { granter: this.granter, ref: this.ref, slot: key, ro: this.ro, mfn: g!.mfn });
    }
    done(m, r);
  }
  toString() {
    const which = this.smart ? `written grant #${this.g0 * REFS + this.r0}, first free slot from w${this.slot}` : `d${this.d0} <- d${this.g0} ref ${this.r0} at w${this.slot}`;
    return `map-grant(${which}${this.ro ? ', readonly' : ''})`;
  }
}

class UnmapGrant implements Cmd {
  constructor(readonly d: number, readonly pick: number, readonly bogus: boolean) {}
  check() {
    return true;
  }
  run(m: PvModel, r: PvReal) {
    const held = [...m.held.get(this.d)!.keys()];
    const handle = this.bogus || held.length === 0 ? 777 : held[this.pick % held.length];
    const h = m.held.get(this.d)!.get(handle);
    const st = ops.unmapGrant(r.hv, this.d, handle);
    expect(st, this.toString()).toBe(h ? GNTST.okay : GNTST.bad_handle);
    noteStatus(this.toString(), st);
    if (h && st === GNTST.okay) {
      m.held.get(this.d)!.delete(handle);
      m.slots.get(this.d)!.delete(h.slot);
    }
    done(m, r);
  }
  toString() {
    return this.bogus ? `unmap-grant(d${this.d}, a handle it does not hold)` : `unmap-grant(d${this.d}, held #${this.pick})`;
  }
}

/** GNTTABOP_copy between a grant of `granter` and one of the caller's frames, either direction. */
class CopyGrant implements Cmd {
  d: number;
  granter: number;
  ref: number;
  constructor(readonly d0: number, readonly g0: number, readonly r0: number, readonly toGranter: boolean, readonly pick: number, readonly offset: number, readonly len: number, readonly smart = false) {
    this.d = d0;
    this.granter = g0;
    this.ref = r0;
  }
  check() {
    return true;
  }
  run(m: PvModel, r: PvReal) {
    [this.d, this.granter, this.ref] = grantFor(m, this.d0, this.g0, this.r0, this.smart);
    if (m.frames.get(this.d)!.length === 0) return;
    const fs = m.frames.get(this.d)!;
    const own = fs[this.pick % fs.length];
    const g = m.grants.get(this.granter)!.get(this.ref);
    const gside = { u: this.ref, dom: this.granter, offset: this.offset, gref: true };
    const oside = { u: own, dom: 0x7ff0, offset: this.offset, gref: false };
    let want = grantStatus(m, this.d, this.granter, this.ref, this.toGranter);
    if (want === GNTST.okay && this.offset + this.len > PAGE) want = GNTST.bad_copy_arg;
    const dest = this.toGranter ? g?.mfn : own;
    if (want === GNTST.okay && m.isTable(dest!)) want = GNTST.general_error; // never into a page table
    const st = this.toGranter ? ops.grantCopy(r.hv, this.d, oside, gside, this.len) : ops.grantCopy(r.hv, this.d, gside, oside, this.len);
    expect(st, this.toString()).toBe(want);
    noteStatus(this.toString(), st);
    if (st === GNTST.okay) {
      // what landed is what the source held; the model adopts those words
      const pv = pvHost(r.hv);
      const src = (this.toGranter ? own : g!.mfn) * PAGE + this.offset;
      const dst = dest! * PAGE + this.offset;
      expect([...pv.hm.read(dst, this.len)], `${this}: bytes copied`).toEqual([...pv.hm.read(src, this.len)]);
      for (let o = 0; o < this.len; o += 8) {
        const w = pv.hm.u64(dst + o);
        if (w !== 0n || m.words.has(dst + o)) m.words.set(dst + o, w);
      }
    }
    done(m, r);
  }
  toString() {
    const which = this.smart ? `written grant #${this.g0 * REFS + this.r0}` : `d${this.d0} / d${this.g0} ref ${this.r0}`;
    return `grant-copy(${which}, ${this.toGranter ? 'into the grant' : 'out of the grant'}, own frame #${this.pick}, ${this.len} bytes at ${this.offset})`;
  }
}

// ---- event channels --------------------------------------------------------------------------

class AllocUnbound implements Cmd {
  constructor(readonly d: number, readonly remote: number) {}
  check() {
    return true;
  }
  run(m: PvModel, r: PvReal) {
    const exists = this.remote === 0 || m.doms.includes(this.remote);
    const { rc, port } = ops.allocUnbound(r.hv, this.d, this.remote);
    expectRc(rc, exists ? 0 : -3, this.toString());
    if (rc === 0) {
      expect(port, `${this}: port`).toBe(m.lowestFreePort(this.d));
      m.ports.get(this.d)!.set(port, { state: 'unbound', remoteDom: this.remote, remotePort: 0 });
    }
    done(m, r);
  }
  toString() {
    return `alloc-unbound(d${this.d} for d${this.remote})`;
  }
}

class BindInterdomain implements Cmd {
  remote: number;
  remotePort: number;
  constructor(readonly d: number, readonly r0: number, readonly p0: number, readonly smart = false) {
    this.remote = r0;
    this.remotePort = p0;
  }
  check() {
    return true;
  }
  run(m: PvModel, r: PvReal) {
    if (this.smart) {
      const offered: Array<[number, number]> = [];
      for (const [e, ps] of m.ports) for (const [p, b] of ps) if (b.state === 'unbound' && b.remoteDom === this.d) offered.push([e, p]);
      if (offered.length) [this.remote, this.remotePort] = offered[(this.r0 * 8 + this.p0) % offered.length];
    }
    const peer = m.ports.get(this.remote)?.get(this.remotePort);
    const ok = this.remote !== 0 && !!peer && peer.state === 'unbound' && peer.remoteDom === this.d;
    const { rc, port } = ops.bindInterdomain(r.hv, this.d, this.remote, this.remotePort);
    expectRc(rc, ok ? 0 : -22, this.toString());
    if (rc === 0) {
      expect(port, `${this}: port`).toBe(m.lowestFreePort(this.d));
      m.ports.get(this.d)!.set(port, { state: 'interdomain', remoteDom: this.remote, remotePort: this.remotePort });
      m.ports.get(this.remote)!.set(this.remotePort, { state: 'interdomain', remoteDom: this.d, remotePort: port });
    }
    done(m, r);
  }
  toString() {
    return this.smart ? `bind-interdomain(d${this.d} to offered port #${this.r0 * 8 + this.p0})` : `bind-interdomain(d${this.d} to d${this.r0} port ${this.p0})`;
  }
}

/** A port of `d`: `smart` picks among the ports it has beyond the two backend ones. */
function portOf(m: PvModel, d: number, port: number, smart: boolean): number {
  const own = [...m.ports.get(d)!.keys()].filter((p) => p > 2);
  return smart && own.length ? own[port % own.length] : port;
}

/** A command on one port of `d`: the generated port number, or with `smart` one of the ports it has. */
abstract class PortCmd implements Cmd {
  port: number;
  constructor(readonly d: number, readonly p0: number, readonly smart = false) {
    this.port = p0;
  }
  check() {
    return true;
  }
  abstract run(m: PvModel, r: PvReal): void;
  /** Picks the port for this run; returns its binding in the model (undefined: not allocated). */
  protected pick(m: PvModel): Binding | undefined {
    this.port = portOf(m, this.d, this.p0, this.smart);
    return m.ports.get(this.d)!.get(this.port);
  }
  protected label(op: string): string {
    return `${op}(d${this.d} ${this.smart ? 'own port #' : 'port '}${this.p0})`;
  }
}

class Send extends PortCmd {
  override run(m: PvModel, r: PvReal) {
    const b = this.pick(m);
    const rc = ops.evtchnSend(r.hv, this.d, this.port);
    expectRc(rc, b ? 0 : -22, this.toString());
    // only an interdomain peer hears it; an unbound port has nobody to deliver to
    if (b && b.state === 'interdomain' && b.remoteDom !== 0) m.pending.get(b.remoteDom)!.add(b.remotePort);
    done(m, r);
  }
  override toString() {
    return this.label('send');
  }
}

class Close extends PortCmd {
  override run(m: PvModel, r: PvReal) {
    const b = this.pick(m);
    if (b && b.state === 'interdomain' && b.remoteDom === 0) return; // backend ports (xenstore, console) stay
    const rc = ops.evtchnClose(r.hv, this.d, this.port);
    expectRc(rc, b ? 0 : -22, this.toString());
    if (b) {
      if (b.state === 'interdomain') m.ports.get(b.remoteDom)!.set(b.remotePort, { state: 'unbound', remoteDom: this.d, remotePort: 0 });
      m.ports.get(this.d)!.delete(this.port);
    }
    done(m, r);
  }
  override toString() {
    return this.label('close');
  }
}

/** The guest acknowledges a pending port (clears its bit in shared_info, as a kernel's handler does). */
class Ack implements Cmd {
  constructor(readonly d: number, readonly port: number) {}
  check(m: PvModel) {
    return m.pending.get(this.d)!.has(this.port);
  }
  run(m: PvModel, r: PvReal) {
    const pv = pvHost(r.hv);
    const at = pv.dom(this.d).boot.sharedInfo * PAGE + SH.evtchn_pending + (this.port >> 6) * 8;
    pv.hm.setU64(at, pv.hm.u64(at) & ~(1n << BigInt(this.port & 63)));
    m.pending.get(this.d)!.delete(this.port);
    done(m, r);
  }
  toString() {
    return `ack(d${this.d} port ${this.port})`;
  }
}

// ---- arbitraries ---------------------------------------------------------------------------

const dom = fc.integer({ min: 1, max: DOMAINS });
const slotKey = fc.oneof(fc.integer({ min: 0, max: 7 }).map((i) => `k${i}`), fc.integer({ min: 0, max: 14 }).map((i) => `w${i}`));
const pick = fc.nat(40);
const port = fc.integer({ min: 1, max: 8 });
/** Mostly resolve a choice against the model's state (so the interesting successes happen), sometimes take it raw. */
const smartly = fc.nat(3).map((x) => x > 0);
/** Any value, or a PTE (read-only, writable, executable, invalid encodings) naming some domain's frame. */
const storeValue: fc.Arbitrary<StoreValue> = fc.oneof(
  fc.bigInt(0n, (1n << 64n) - 1n).map((raw) => ({ raw })),
  fc.record({ dom, pool: pick, flags: fc.constantFrom(0xd3n, 0xd7n, 0xdfn, 0xcbn, 0xd9n, 0x1n, 0x17n, 0xc7n) }),
);

const commandList = [
  fc.tuple(dom, slotKey, pick, rightsArb).map(([d, s, p, r]) => new MapOwn(d, s, p, r)),
  fc.tuple(dom, slotKey, pick, rightsArb).map(([d, s, p, r]) => new MapForeign(d, s, p, r)),
  fc.tuple(dom, slotKey).map(([d, s]) => new Unmap(d, s)),
  fc.tuple(dom, pick, fc.boolean()).map(([d, p, s]) => new Pin(d, p, s)),
  fc.tuple(dom, pick).map(([d, p]) => new Unpin(d, p)),
  fc.tuple(dom, fc.option(pick, { freq: 3 }), fc.boolean()).map(([d, p, s]) => new Link(d, p, s)),
  fc.tuple(dom, slotKey, fc.constantFrom(0, 1, 511), storeValue).map(([d, s, w, v]) => new GuestStore(d, s, w, v)),
  fc.tuple(dom, pick, fc.boolean()).map(([d, p, s]) => new Free(d, p, s)),
  dom.map((d) => new Alloc(d)),
  fc.tuple(dom, fc.nat(REFS - 1), dom, pick, fc.boolean(), fc.nat(4)).map(([d, ref, g, p, ro, f]) => new GrantCmd(d, ref, g, p, ro, f === 0)),
  fc.tuple(dom, fc.nat(REFS - 1)).map(([d, ref]) => new Revoke(d, ref)),
  fc.tuple(dom, dom, fc.nat(REFS - 1), fc.integer({ min: 0, max: 14 }), fc.boolean(), smartly).map(([d, g, ref, s, ro, sm]) => new MapGrant(d, g, ref, s, ro, sm)),
  fc.tuple(dom, pick, fc.nat(3)).map(([d, p, b]) => new UnmapGrant(d, p, b === 0)),
  fc.tuple(dom, dom, fc.nat(REFS - 1), fc.boolean(), pick, fc.constantFrom(0, 8, 4088), fc.constantFrom(8, 16), smartly).map(([d, g, ref, to, p, o, l, sm]) => new CopyGrant(d, g, ref, to, p, o, l, sm)),
  fc.tuple(dom, fc.integer({ min: 0, max: 9 })).map(([d, r]) => new AllocUnbound(d, r === 9 ? 99 : r === 8 ? 0 : 1 + ((d + (r % 2)) % DOMAINS))),
  fc.tuple(dom, fc.integer({ min: 0, max: 3 }), port, smartly).map(([d, r, p, sm]) => new BindInterdomain(d, r, p, sm)),
  fc.tuple(dom, port, smartly).map(([d, p, sm]) => new Send(d, p, sm)),
  fc.tuple(dom, port, smartly).map(([d, p, sm]) => new Close(d, p, sm)),
  fc.tuple(dom, port).map(([d, p]) => new Ack(d, p)),
];

/** fc.commands picks uniformly: sharing commands appear twice so grants get made and then used. */
export const pvCommands = [...commandList, commandList[9], commandList[9], commandList[10], commandList[11], commandList[13], commandList[15]];

// ---- the world -------------------------------------------------------------------------------

function must(rc: number, what: string): void {
  if (rc !== 0) throw new Error(`setup: ${what} returned ${rc}`);
}

let world: { hv: Hypervisor; snap: WorldSnapshot } | null = null;

/** The world of the header, built once with real hypercalls, then restored for every run. */
function pvWorldOnce(): Hypervisor {
  if (world) {
    restoreWorld(world.hv, world.snap);
    return world.hv;
  }
  const hv = pvWorld(DOMAINS);
  const pv = pvHost(hv);
  for (const d of [1, 2, 3]) {
    const root = pv.vcpu(d, 0).kernelRoot;
    const va = new GuestVa(pv.hm, root);
    // the window table: unmap the frame from the kernel window, pin it, link it at l2 index 8
    const w = mfnOfPfn(hv, d, WINDOW_PFN);
    must(ops.mmuUpdate(hv, d, va.l1Slot(kernelVa(WINDOW_PFN)).l1Slot, 0n), 'unmapping the window frame');
    must(ops.pinL1(hv, d, w), 'pinning the window table');
    const l2 = Number((pv.hm.u64(root * PAGE + 256 * 8) >> 10n) & 0xfffffffffffn);
    must(ops.mmuUpdate(hv, d, l2 * PAGE + 8 * 8, (BigInt(w) << 10n) | PTE.V), 'linking the window table');
    // the grant table, mapped at w15
    must(ops.setupTable(hv, d, [WINDOW_VA + BigInt(GRANT_SLOT * PAGE)]), 'setup_table');
    // half of the pool starts unmapped, free to become tables, be freed or be granted writable
    for (const pfn of POOL_PFNS.slice(UNMAPPED_FROM)) must(ops.mmuUpdate(hv, d, va.l1Slot(kernelVa(pfn)).l1Slot, 0n), 'unmapping a pool frame');
  }
  world = { hv, snap: snapshotWorld(hv) };
  return hv;
}

/** A fresh world and the model that describes it. */
export function pvSetup(): { model: PvModel; real: PvReal } {
  const hv = pvWorldOnce();
  const pv = pvHost(hv);
  const m = new PvModel();
  for (const d of m.doms) {
    const root = pv.vcpu(d, 0).kernelRoot;
    const va = new GuestVa(pv.hm, root);
    const addr = new Map<string, { pte: number; va: bigint }>();
    const slots = new Map<string, Mapping>();
    const pool = POOL_PFNS.map((pfn) => mfnOfPfn(hv, d, pfn));
    POOL_PFNS.forEach((pfn, i) => {
      addr.set(`k${i}`, { pte: va.l1Slot(kernelVa(pfn)).l1Slot, va: kernelVa(pfn) });
      if (i < UNMAPPED_FROM) slots.set(`k${i}`, { mfn: pool[i], ...RIGHTS.rwx });
      m.owner.set(pool[i], d);
    });
    const w = mfnOfPfn(hv, d, WINDOW_PFN);
    m.owner.set(w, d);
    m.windowTable.set(d, w);
    for (let i = 0; i < 16; i++) addr.set(`w${i}`, { pte: w * PAGE + i * 8, va: WINDOW_VA + BigInt(i * PAGE) });
    const g = pv.dom(d).grantFrames[0];
    m.grantFrame.set(d, g);
    m.owner.set(g, 0);
    slots.set(`w${GRANT_SLOT}`, { mfn: g, ...RIGHTS.rw });
    m.slotAddr.set(d, addr);
    m.slots.set(d, slots);
    m.frames.set(d, pool);
    m.linked.set(d, null);
    m.grants.set(d, new Map());
    m.held.set(d, new Map());
    m.ports.set(d, new Map([[1, { state: 'interdomain', remoteDom: 0, remotePort: 0 }], [2, { state: 'interdomain', remoteDom: 0, remotePort: 0 }]]));
    m.pending.set(d, new Set());
    m.room.set(d, 0);
  }
  m.hypervisorFrames = [...hv.domains.map((d) => d.p2m.root / PAGE), pv.emptyRoot];
  const first = hv.frames.base / PAGE;
  for (let f = hv.frames.count - 1; f >= 0; f--) if (hv.frames.ownerOf((first + f) * PAGE) === -1) (m.freeFrame = first + f), (f = -1);
  const real = { hv };
  checkPvInvariant(m, hv);
  return { model: m, real };
}
