// The PV platform (issue "PV guests"): what the core calls for PV domains — building them,
// their hypercalls and exceptions, upcalls before a vCPU runs, backend work at slice
// boundaries, console input, shutdown and checkpoints. The parts live next to this file,
// one concept each; this class holds what they share (the PV plane, host memory, timers and
// the bridge ports of netback).
import type { NetPort } from '../dm/net-port.ts';
import { Bridge } from '../dm/bridge.ts';
import type { Domain } from '../domain.ts';
import type { ExitOutcome } from '../dispatch.ts';
import type { Hypervisor } from '../hypervisor.ts';
import type { PvPlatform } from '../pv-platform.ts';
import type { Timer } from '../types.ts';
import type { Vcpu } from '../vcpu.ts';
import type { BlockOverlayState } from '../dm/block-backend.ts';
import { EVENT_UPCALL, PAGE, VIRQ_TIMER } from './abi.ts';
import { Call } from './call.ts';
import { TypeTxn } from './frame-types.ts';
import { HostMem } from './host-mem.ts';
import { runHypercall } from './hypercalls.ts';
import { PvLog } from './log.ts';
import { PvPlane } from './plane.ts';
import type { GrantMapping, PvDomain, PvState, PvVcpu } from './state.ts';
import { bounce, upcallDeliverable } from './traps.ts';
import { raiseVirq } from './evtchn.ts';
import { flushAll, processXenstore } from './xenstore/protocol.ts';
import { consoleInput, processConsole } from './console.ts';
import { backendFrame, backendPortClosed, processBackend, xenstoreChanged } from './backends/xenbus.ts';
import { startPvDomain } from './lifecycle.ts';
import { teardownPvDomain } from './teardown.ts';

export interface PvHostState {
  pv: PvState;
  /** Copy-on-write overlays of PV domains' disks (blkback), by domain id. */
  disks: Array<[number, Array<BlockOverlayState | null>]>;
}

export class PvHost implements PvPlatform {
  readonly plane = new PvPlane();
  readonly hm: HostMem;
  readonly log: PvLog;
  /** An all-invalid root table, loaded in user mode while the kernel has installed no user root. */
  readonly emptyRoot: number;
  private readonly timers = new Map<string, Timer>();
  private readonly pollTimers = new Map<string, Timer>();
  readonly netPorts = new Map<string, NetPort>();

  constructor(readonly hv: Hypervisor) {
    this.hm = new HostMem(hv.mem, hv.code, hv.frames);
    this.log = new PvLog(hv.events);
    const pvDomains = hv.domains.filter((d) => d.type === 'pv');
    this.emptyRoot = pvDomains.length > 0 ? hv.frames.alloc(1, 0, 1, 'the PV empty root table') / PAGE : 0;
    if (this.emptyRoot) this.hm.zeroFrame(this.emptyRoot);
    for (const d of pvDomains) this.attach(d);
  }

  /** Per-domain host objects made once, in domain order: timers and netback's bridge ports. */
  private attach(d: Domain): void {
    for (const v of d.vcpus) {
      this.timers.set(`${d.id}.${v.id}`, d.services.timer(`pv-timer.vcpu${v.id}`, () => this.timerFired(d.id, v.id)));
      this.pollTimers.set(`${d.id}.${v.id}`, d.services.timer(`pv-poll.vcpu${v.id}`, () => this.wake(d.id, v.id)));
    }
    for (const vif of d.config.vifs) {
      let b = this.hv.bridges.get(vif.bridge);
      if (!b) this.hv.bridges.set(vif.bridge, (b = new Bridge(vif.bridge)));
      const port = b.port(`${d.name}.${vif.index}`);
      port.onFrame((frame) => backendFrame(this, d.id, `vif/${vif.index}`, frame));
      this.netPorts.set(`${d.id}/${vif.index}`, port);
    }
  }

  get state(): PvState {
    return this.plane.state;
  }

  dom(id: number): PvDomain {
    const x = this.plane.state.domains[id];
    if (!x) throw new Error(`domain ${id} is not a running PV domain`);
    return x;
  }

  vcpu(dom: number, v: number): PvVcpu {
    return this.dom(dom).vcpus[v];
  }

  setVcpu(dom: number, vcpu: number, set: Partial<PvVcpu>): void {
    this.plane.apply({ kind: 'vcpu', dom, vcpu, set });
  }

  domain(id: number): Domain {
    return this.hv.domain(id);
  }

  // ---- memory ------------------------------------------------------------------------

  grantAt(dom: number, slot: number): GrantMapping | undefined {
    const mt = this.state.domains[dom]?.maptrack;
    if (!mt) return undefined;
    for (const k in mt) if (mt[k].pteAddr === slot) return mt[k];
    return undefined;
  }

  typeTxn(dom: number): TypeTxn {
    const pd = this.state.domains[dom];
    const slots = new Map<number, GrantMapping>();
    if (pd) for (const k in pd.maptrack) slots.set(pd.maptrack[k].pteAddr, pd.maptrack[k]);
    const startInfo = pd?.boot.startInfo ?? -1;
    return new TypeTxn(this.state, this.hm, dom, { grantAt: (s) => slots.get(s), readOnly: (m) => m === startInfo });
  }

  isBootPage(dom: number, mfn: number): boolean {
    const b = this.dom(dom).boot;
    return mfn === b.startInfo || mfn === b.store || mfn === b.console || mfn === b.sharedInfo || b.trapFrames.includes(mfn);
  }

  /** Loads a root table into satp (Sv39, ASID 0) and drops cached translations. */
  loadRoot(v: Vcpu, mfn: number): void {
    v.hart.satp = (8n << 60n) | BigInt(mfn);
    v.hart.flushTlb();
  }

  flushDomain(dom: number): void {
    for (const v of this.domain(dom).vcpus) v.hart.flushTlb();
  }

  // ---- scheduling: timers, blocking and waking -----------------------------------------

  timer(dom: number, vcpu: number): Timer {
    return this.timers.get(`${dom}.${vcpu}`)!;
  }

  pollTimer(dom: number, vcpu: number): Timer {
    return this.pollTimers.get(`${dom}.${vcpu}`)!;
  }

  private timerFired(dom: number, vcpu: number): void {
    if (!this.state.domains[dom]) return;
    this.setVcpu(dom, vcpu, { timerNs: -1 });
    raiseVirq(this, dom, vcpu, VIRQ_TIMER);
  }

  private blocked(dom: number, vcpu: number): boolean {
    return this.hv.control.state.domains[dom]?.vcpus[vcpu]?.status === 'blocked';
  }

  /** A blocked (or polling) vCPU becomes runnable. */
  wake(dom: number, vcpu: number): void {
    if (!this.state.domains[dom]) return;
    this.pollTimer(dom, vcpu).del();
    if (this.vcpu(dom, vcpu).poll) this.setVcpu(dom, vcpu, { poll: null });
    if (this.blocked(dom, vcpu)) this.hv.setVcpuStatus(dom, vcpu, 'runnable', 'wake');
  }

  /** An upcall may have become deliverable: wake the vCPU if it sleeps in SCHEDOP_block. */
  upcallWake(dom: number, vcpu: number): void {
    if (this.blocked(dom, vcpu) && !this.vcpu(dom, vcpu).poll && upcallDeliverable(this, dom, vcpu)) this.wake(dom, vcpu);
  }

  /** A port became pending: wake vCPUs polling it. */
  pollWake(dom: number, port: number): void {
    this.dom(dom).vcpus.forEach((v, i) => {
      if (v.poll && v.poll.includes(port) && this.blocked(dom, i)) this.wake(dom, i);
    });
  }

  // ---- backends ------------------------------------------------------------------------

  /** The guest sent on a port whose peer is the hypervisor. */
  kickBackend(dom: number, backend: string): void {
    if (backend === 'xenstore') this.plane.apply({ kind: 'xs-conn', dom, xsKicked: true });
    else if (backend === 'console') this.plane.apply({ kind: 'console', dom, consoleKicked: true });
    else {
      const be = this.dom(dom).backends[backend];
      if (be) this.plane.apply({ kind: 'backend', dom, key: backend, backend: { ...be, kicked: true } });
    }
  }

  backendPortClosed(dom: number, backend: string): void {
    backendPortClosed(this, dom, backend);
  }

  /** The frontend's port for a hypervisor-side service ('xenstore', 'console', 'vbd/768'...), or 0. */
  backendPort(dom: number, backend: string): number {
    const ports = this.state.domains[dom]?.ports ?? {};
    for (const p in ports) if (ports[p].state === 'interdomain' && ports[p].remoteDom === 0 && ports[p].backend === backend) return Number(p);
    return 0;
  }

  storePort(dom: number): number {
    return this.backendPort(dom, 'xenstore');
  }

  xenstoreChanged(paths: readonly string[]): void {
    xenstoreChanged(this, paths);
  }

  // ---- PvPlatform ----------------------------------------------------------------------

  build(d: Domain): void {
    startPvDomain(this, d);
  }

  shutdown(d: Domain): void {
    teardownPvDomain(this, d);
    for (const v of d.vcpus) {
      this.timer(d.id, v.id).del();
      this.pollTimer(d.id, v.id).del();
    }
  }

  hypercall(d: Domain, v: Vcpu): ExitOutcome {
    const h = v.hart;
    if (this.vcpu(d.id, v.id).mode === 'user') {
      // an ecall from a user program is a system call for the guest kernel (§6.2)
      this.hv.events.exit(d.id, v.id, 'ecall', [8n, h.getX(17)]);
      return bounce(this, d, v, 8n, 0n);
    }
    const pc = h.pc;
    const a7 = h.getX(17);
    const nr = a7 < 0x100000000n ? Number(a7) : -1;
    const args = [10, 11, 12, 13, 14, 15].map((r) => h.getX(r));
    const ret = runHypercall(new Call(this, d, v, args, false), nr);
    const r = typeof ret === 'object' ? ret : { result: ret };
    const result = BigInt(r.result);
    if (!('noReturn' in r && r.noReturn)) {
      h.setX(10, BigInt.asUintN(64, result));
      h.setPc(pc + 4n);
    }
    this.hv.events.hypercall(d.id, v.id, nr < 0 ? 0xffffffff : nr, args, result);
    // the ecall already counted as executed (the hart counts ecalls, as QEMU's icount does)
    const outcome = 'then' in r && r.then ? r.then() : ('outcome' in r && r.outcome) || 'continue';
    return outcome;
  }

  exception(d: Domain, v: Vcpu, cause: number, tval: bigint): ExitOutcome {
    return bounce(this, d, v, BigInt(cause), tval);
  }

  beforeRun(d: Domain, v: Vcpu): void {
    const st = this.state.domains[d.id]?.vcpus[v.id];
    if (!st || st.eventCallback === 0n || !upcallDeliverable(this, d.id, v.id)) return;
    this.log.evtchn(d.id, v.id, 'upcall', 0, d.id, 0, 0);
    bounce(this, d, v, EVENT_UPCALL, 0n);
  }

  boundary(): void {
    const s = this.state;
    for (const key in s.domains) {
      const pd = s.domains[key];
      const id = pd.id;
      if (pd.xsKicked) processXenstore(this, id);
      if (pd.consoleKicked) processConsole(this, id);
      for (const be in pd.backends) if (this.state.domains[id]?.backends[be]?.kicked) processBackend(this, id, be);
    }
    // watch events fired by backends (or by other domains' requests) reach their rings
    for (const key in this.state.domains) if (this.state.domains[key].xsOut.length > 0) flushAll(this);
  }

  consoleInput(d: Domain, bytes: Uint8Array): void {
    if (this.state.domains[d.id]) consoleInput(this, d.id, bytes);
  }

  save(): PvHostState {
    return {
      pv: this.plane.save(),
      disks: this.hv.domains.filter((d) => d.type === 'pv').map((d) => [d.id, d.disks.map((k) => k.save?.() ?? null)]),
    };
  }

  restore(s: PvHostState | null | undefined): void {
    if (!s) return; // a checkpoint from before PV state was saved
    this.plane.restore(s.pv);
    for (const [id, overlays] of s.disks) {
      const d = this.hv.domain(id);
      overlays.forEach((o, i) => {
        if (o && d.disks[i]?.restore) d.disks[i].restore!(o);
      });
    }
  }
}
