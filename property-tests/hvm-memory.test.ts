// Model-based test (fc.commands) of HVM memory: frames handed to domains by the host's
// FrameAllocator and mapped into their p2m (P2m.map / unmap4k, including 2 MiB leaves that
// later split), aliases, frees, and guest stores through the real hart, against an abstract
// ownership model. After every command:
//   - each domain's G-stage tables, as they are in host memory, map exactly what the model
//     says (same guest pages, same frames, same rights), only frames the domain owns;
//   - no p2m table frame (hypervisor memory) is mapped into any guest;
//   - the real hart agrees, probe by probe: loads, stores and instruction fetches at the
//     model's pages, at pages unmapped since, at their neighbours, and at attack addresses
//     (other domains' host addresses and p2m roots used as guest-physical addresses) are
//     allowed exactly when the model says, and translate to the model's frame.
// The test acts as the hypervisor's memory manager, changing p2ms through P2m only: P2m
// flushes the domain's vCPU TLBs itself after a change (the HFENCE.GVMA a hypervisor owes),
// so a stale translation left behind would show up in the hart's probes.
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Domain } from '../src/hypervisor/domain.ts';
import type { Hypervisor } from '../src/hypervisor/hypervisor.ts';
import { OutOfMemoryError } from '../src/hypervisor/frames.ts';
import type { P2mRights } from '../src/hypervisor/p2m.ts';
import { propertyTest } from './harness/property.ts';
import { hvmAccess, hvmTranslate, hvmWorld, PAGE, probeValue, walkGStage, type Access } from './lib/hvm-world.ts';
import { applyMutation } from './mutations.ts';

applyMutation();

const DOMAINS = 3;
const RAM = 0x80000000;
const RAM_PAGES = 4096; // 16 MiB domains
const BLOCK = 0xa0000000; // where AllocBlock maps 2 MiB
/** Guest-physical pages commands work on: RAM pages (not the probe code page), pages beyond RAM, odd places. */
const SLOTS = [
  RAM, RAM + PAGE, RAM + 0x1ff * PAGE, RAM + 0x201 * PAGE, RAM + 0x3ff * PAGE, RAM + 0x400 * PAGE, RAM + 0xfff * PAGE,
  0x90000000, 0x90001000, 0x90002000, 0x9ffff000, 0x0, 0x1000, 0x10000000, 0x1fffffff000, BLOCK + PAGE,
];
const PROBE_CODE = 0x80200000;

interface Rights {
  r: boolean;
  w: boolean;
  x: boolean;
}
interface Mapping extends Rights {
  hpa: number;
}

/** The abstract state: who owns which frame, and what each domain's guest-physical pages map. */
class Model {
  readonly owner = new Map<number, number>();
  readonly maps = new Map<number, Map<number, Mapping>>();
  /** Pages commands touched (mapped or unmapped), probed after every command. */
  readonly touched = new Map<number, Set<number>>();
  /** Words written by guest stores that must read back. */
  readonly words = new Map<number, bigint>();
  blockMapped = new Set<number>();

  framesOf(d: number): number[] {
    return [...this.owner].filter(([, o]) => o === d).map(([f]) => f).sort((a, b) => a - b);
  }
  touch(d: number, gpa: number): void {
    this.touched.get(d)!.add(gpa);
  }
}

interface Real {
  hv: Hypervisor;
  doms: Domain[];
}

const RIGHTS: Record<string, Rights> = {
  r: { r: true, w: false, x: false },
  rw: { r: true, w: true, x: false },
  rx: { r: true, w: false, x: true },
  rwx: { r: true, w: true, x: true },
  x: { r: false, w: false, x: true },
};
type RightsName = keyof typeof RIGHTS;
const p2mRights = (r: Rights): P2mRights => ({ read: r.r, write: r.w, exec: r.x });
const rightsName = fc.constantFrom(...(Object.keys(RIGHTS) as RightsName[]));

// ---- the invariant -----------------------------------------------------------------------

function expectedAccess(m: Mapping | undefined, a: Access): boolean {
  if (!m) return false;
  return a === 'read' ? m.r : a === 'write' ? m.r && m.w : m.x;
}

/** Fails with every discrepancy listed (plain comparisons: expect() per page would dominate the run time). */
class Findings {
  readonly list: string[] = [];
  check(ok: boolean, what: () => string): void {
    if (!ok && this.list.length < 20) this.list.push(what());
  }
  done(): void {
    if (this.list.length) throw new Error(`isolation invariant broken:\n  ${this.list.join('\n  ')}`);
  }
}

const hex = (n: number) => `0x${n.toString(16)}`;
const sameMapping = (a: Mapping | undefined, b: Mapping | undefined) => !!a && !!b && a.hpa === b.hpa && a.r === b.r && a.w === b.w && a.x === b.x;

function checkInvariant(model: Model, real: Real): void {
  const { hv, doms } = real;
  const f = new Findings();
  const tableFrames = new Set<number>();
  const roots = doms.map((d) => d.p2m.root);
  for (const d of doms) {
    const { leaves, tables } = walkGStage(hv, d.p2m.root);
    for (const t of tables) tableFrames.add(t);
    const seen = new Map<number, Mapping>();
    for (const l of leaves) for (let i = 0; i < l.pages; i++) seen.set(l.gpa + i * PAGE, { hpa: l.hpa + i * PAGE, r: l.r, w: l.w, x: l.x });
    const want = model.maps.get(d.id)!;
    for (const [gpa, m] of want) f.check(sameMapping(seen.get(gpa), m), () => `domain ${d.id} gpa ${hex(gpa)}: p2m has ${JSON.stringify(seen.get(gpa))}, model ${JSON.stringify(m)}`);
    for (const [gpa, m] of seen) {
      f.check(want.has(gpa), () => `domain ${d.id} gpa ${hex(gpa)}: p2m maps frame ${hex(m.hpa)} the model does not`);
      // a domain reaches its own frames only
      f.check(hv.frames.ownerOf(m.hpa) === d.id, () => `domain ${d.id} gpa ${hex(gpa)} reaches frame ${hex(m.hpa)} owned by ${hv.frames.ownerOf(m.hpa)}`);
    }
  }
  // hypervisor memory: every p2m table frame is the hypervisor's and no guest maps one
  for (const t of tableFrames) f.check(hv.frames.ownerOf(t) === 0, () => `p2m table frame ${hex(t)} is owned by ${hv.frames.ownerOf(t)}`);
  for (const [d, maps] of model.maps) for (const [gpa, m] of maps) f.check(!tableFrames.has(m.hpa), () => `domain ${d} gpa ${hex(gpa)} maps p2m table frame ${hex(m.hpa)}`);

  // the hart, probe by probe
  for (const d of doms) {
    const want = model.maps.get(d.id)!;
    const probes = new Set<number>([RAM, RAM + (RAM_PAGES - 1) * PAGE, RAM + RAM_PAGES * PAGE, RAM - PAGE, BLOCK, BLOCK + 511 * PAGE]);
    for (const g of model.touched.get(d.id)!) for (const k of [-1, 0, 1]) probes.add(g + k * PAGE);
    for (const e of doms) probes.add(e.memory.hostBase).add(e.memory.hostBase + e.memory.ramBytes - PAGE);
    for (const r of roots) probes.add(r);
    for (const gpa of probes) {
      if (gpa < 0 || gpa === PROBE_CODE) continue;
      const m = want.get(gpa);
      const g = BigInt(gpa);
      const hpa = hvmTranslate(d, g);
      f.check(hpa === (m ? m.hpa : -1), () => `domain ${d.id}: the hart translates gpa ${hex(gpa)} to ${hex(hpa)}, model ${m ? hex(m.hpa) : 'unmapped'}`);
      const read = hvmAccess(d, g, 'read');
      f.check(read === expectedAccess(m, 'read'), () => `domain ${d.id}: load from gpa ${hex(gpa)} ${read ? 'allowed' : 'refused'}`);
      const write = hvmAccess(d, g, 'write', read ? probeValue(d) : 0n);
      f.check(write === expectedAccess(m, 'write'), () => `domain ${d.id}: store to gpa ${hex(gpa)} ${write ? 'allowed' : 'refused'}`);
      const exec = hvmAccess(d, g, 'exec');
      f.check(exec === expectedAccess(m, 'exec'), () => `domain ${d.id}: fetch from gpa ${hex(gpa)} ${exec ? 'allowed' : 'refused'}`);
    }
  }
  for (const [hpa, v] of model.words) {
    const got = hv.mem.dv.getBigUint64(hv.mem.ramOffset(hpa, false), true);
    f.check(got === v, () => `word at ${hex(hpa)} is 0x${got.toString(16)}, the guest stored 0x${v.toString(16)}`);
  }
  f.done();
}

// ---- commands ---------------------------------------------------------------------------

type Cmd = fc.Command<Model, Real>;

class AllocMap implements Cmd {
  constructor(readonly d: number, readonly gpa: number, readonly rights: RightsName) {}
  check(m: Model) {
    return !m.maps.get(this.d)!.has(this.gpa);
  }
  run(m: Model, r: Real) {
    const dom = r.doms[this.d - 1];
    let hpa: number;
    try {
      hpa = r.hv.frames.alloc(1, this.d, 1, 'a test frame');
    } catch (e) {
      if (e instanceof OutOfMemoryError) return;
      throw e;
    }
    expect(m.owner.has(hpa), `frame 0x${hpa.toString(16)} handed out twice`).toBe(false);
    dom.p2m.map(BigInt(this.gpa), hpa, PAGE, p2mRights(RIGHTS[this.rights]));
    m.owner.set(hpa, this.d);
    m.maps.get(this.d)!.set(this.gpa, { hpa, ...RIGHTS[this.rights] });
    m.touch(this.d, this.gpa);
    checkInvariant(m, r);
  }
  toString() {
    return `alloc+map(d${this.d}, 0x${this.gpa.toString(16)}, ${this.rights})`;
  }
}

class AliasOwn implements Cmd {
  constructor(readonly d: number, readonly pick: number, readonly gpa: number, readonly rights: RightsName) {}
  check(m: Model) {
    return !m.maps.get(this.d)!.has(this.gpa) && freeable(m, this.d).length > 0;
  }
  run(m: Model, r: Real) {
    // not the probe code's frame: a guest store through an alias would rewrite the probes
    const frames = freeable(m, this.d);
    const hpa = frames[this.pick % frames.length];
    const dom = r.doms[this.d - 1];
    dom.p2m.map(BigInt(this.gpa), hpa, PAGE, p2mRights(RIGHTS[this.rights]));
    m.maps.get(this.d)!.set(this.gpa, { hpa, ...RIGHTS[this.rights] });
    m.touch(this.d, this.gpa);
    checkInvariant(m, r);
  }
  toString() {
    return `alias(d${this.d}, own frame #${this.pick}, 0x${this.gpa.toString(16)}, ${this.rights})`;
  }
}

class Unmap implements Cmd {
  constructor(readonly d: number, readonly gpa: number) {}
  check() {
    return true;
  }
  run(m: Model, r: Real) {
    const dom = r.doms[this.d - 1];
    dom.p2m.unmap4k(BigInt(this.gpa));
    m.maps.get(this.d)!.delete(this.gpa);
    m.touch(this.d, this.gpa);
    checkInvariant(m, r);
  }
  toString() {
    return `unmap(d${this.d}, 0x${this.gpa.toString(16)})`;
  }
}

/** Frames a domain may free or alias: all it owns but the one holding the probe code the checks execute. */
function freeable(m: Model, d: number): number[] {
  const code = m.maps.get(d)!.get(PROBE_CODE)?.hpa;
  return m.framesOf(d).filter((f) => f !== code);
}

/** Frees one of the domain's frames: every mapping of it goes first, then it returns to the allocator. */
class Free implements Cmd {
  constructor(readonly d: number, readonly pick: number) {}
  check(m: Model) {
    return freeable(m, this.d).length > 0;
  }
  run(m: Model, r: Real) {
    const frames = freeable(m, this.d);
    const hpa = frames[this.pick % frames.length];
    const dom = r.doms[this.d - 1];
    const maps = m.maps.get(this.d)!;
    for (const [gpa, x] of [...maps]) {
      if (x.hpa !== hpa) continue;
      dom.p2m.unmap4k(BigInt(gpa));
      maps.delete(gpa);
      m.touch(this.d, gpa);
    }
    r.hv.frames.release(hpa, 1);
    m.owner.delete(hpa);
    for (const w of [...m.words.keys()]) if (w - (w % PAGE) === hpa) m.words.delete(w);
    checkInvariant(m, r);
  }
  toString() {
    return `free(d${this.d}, own frame #${this.pick})`;
  }
}

/** 512 frames mapped by one 2 MiB leaf; later unmaps and frees inside it split it. */
class AllocBlock implements Cmd {
  constructor(readonly d: number, readonly rights: RightsName) {}
  check(m: Model) {
    return !m.blockMapped.has(this.d);
  }
  run(m: Model, r: Real) {
    const dom = r.doms[this.d - 1];
    const maps = m.maps.get(this.d)!;
    for (let i = 0; i < 512; i++) if (maps.has(BLOCK + i * PAGE)) return; // an earlier command mapped inside: not a clean block
    let hpa: number;
    try {
      hpa = r.hv.frames.alloc(512, this.d, 512, 'a test block');
    } catch (e) {
      if (e instanceof OutOfMemoryError) return;
      throw e;
    }
    dom.p2m.map(BigInt(BLOCK), hpa, 512 * PAGE, p2mRights(RIGHTS[this.rights]));
    m.blockMapped.add(this.d);
    for (let i = 0; i < 512; i++) {
      m.owner.set(hpa + i * PAGE, this.d);
      maps.set(BLOCK + i * PAGE, { hpa: hpa + i * PAGE, ...RIGHTS[this.rights] });
    }
    m.touch(this.d, BLOCK);
    checkInvariant(m, r);
  }
  toString() {
    return `alloc-block(d${this.d}, 2 MiB at 0x${BLOCK.toString(16)}, ${this.rights})`;
  }
}

/** A guest store of an arbitrary value (page-table-like values included) through the real hart. */
class GuestStore implements Cmd {
  constructor(readonly d: number, readonly gpa: number, readonly word: number, readonly value: bigint) {}
  check() {
    return true;
  }
  run(m: Model, r: Real) {
    const dom = r.doms[this.d - 1];
    const at = this.gpa + this.word * 8;
    const target = m.maps.get(this.d)!.get(this.gpa);
    const allowed = hvmAccess(dom, BigInt(at), 'write', this.value);
    expect(allowed, `store to 0x${at.toString(16)}`).toBe(expectedAccess(target, 'write'));
    if (allowed && target) m.words.set(target.hpa + this.word * 8, this.value);
    m.touch(this.d, this.gpa);
    checkInvariant(m, r);
  }
  toString() {
    return `guest-store(d${this.d}, 0x${(this.gpa + this.word * 8).toString(16)}, 0x${this.value.toString(16)})`;
  }
}

const dom = fc.integer({ min: 1, max: DOMAINS });
const slot = fc.constantFrom(...SLOTS);
/** Values a hostile guest would write: small numbers, and PTEs naming frames of other domains and p2m tables. */
const storeValue = fc.oneof(
  fc.bigInt(0n, (1n << 64n) - 1n),
  fc.tuple(fc.integer({ min: 0x80000, max: 0x84fff }), fc.constantFrom(0x1fn, 0xdfn, 0x1n)).map(([ppn, flags]) => (BigInt(ppn) << 10n) | flags),
);

const commands = [
  fc.tuple(dom, slot, rightsName).map(([d, g, r]) => new AllocMap(d, g, r)),
  fc.tuple(dom, fc.nat(600), slot, rightsName).map(([d, p, g, r]) => new AliasOwn(d, p, g, r)),
  fc.tuple(dom, slot).map(([d, g]) => new Unmap(d, g)),
  fc.tuple(dom, fc.nat(600)).map(([d, p]) => new Free(d, p)),
  fc.tuple(dom, rightsName).map(([d, r]) => new AllocBlock(d, r)),
  fc.tuple(dom, slot, fc.constantFrom(0, 1, 511), storeValue).map(([d, g, w, v]) => new GuestStore(d, g, w, v)),
];

function setup(): { model: Model; real: Real } {
  const hv = hvmWorld(DOMAINS);
  const model = new Model();
  for (const d of hv.domains) {
    const maps = new Map<number, Mapping>();
    for (let i = 0; i < RAM_PAGES; i++) {
      maps.set(RAM + i * PAGE, { hpa: d.memory.hostBase + i * PAGE, ...RIGHTS.rwx });
      model.owner.set(d.memory.hostBase + i * PAGE, d.id);
    }
    model.maps.set(d.id, maps);
    model.touched.set(d.id, new Set());
  }
  const real = { hv, doms: hv.domains };
  checkInvariant(model, real);
  return { model, real };
}

propertyTest({
  name: 'isolation.hvm.memory-model',
  quickRuns: 25,
  weight: 3,
  build: ({ replayPath }) =>
    fc.property(fc.commands(commands, { maxCommands: 25, replayPath }), (cmds) => {
      fc.modelRun(setup, cmds);
    }),
});
