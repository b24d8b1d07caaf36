// Recording generated runs to trace files, the way `chronovisor record` does: a bare machine
// or a hypervisor with HVM domains, driven by a console-input schedule, closed with the end
// marker (final icount + state hash). Images and traces live in one temp directory per test
// process, removed when it exits.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TraceEvent } from '../../src/events/event.ts';
import { loadDomainConfig, type DomainConfig } from '../../src/hypervisor/config/domain-config.ts';
import { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import { imageFromBytes } from '../../src/machine/image.ts';
import { Machine, type RunStop } from '../../src/machine/machine.ts';
import { traceConfigForHypervisor } from '../../src/replay/hypervisor-config.ts';
import { describeBareMachine, traceConfigFor } from '../../src/replay/machine-config.ts';
import { Recording } from '../../src/replay/recorder.ts';
import { BareSystem, HypervisorSystem } from '../../src/replay/system.ts';
import { TraceReader } from '../../src/trace/reader.ts';
import { assembleProgram, type Block, type InputStep } from './guest-programs.ts';
import { assembleHostile, type HostileSpec } from './hostile.ts';
import { KERNEL_BASE } from '../../src/hypervisor/pv/abi.ts';
import { elfImage } from '../../tests/hypervisor/pv-guest.ts';

let dir: string | null = null;
let n = 0;
// at process exit rather than afterAll, so the helpers also work in scripts outside vitest
process.once('exit', () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A fresh path in this test file's temp directory. */
export function tempPath(name: string): string {
  dir ??= mkdtempSync(path.join(os.tmpdir(), 'cv-prop-'));
  return path.join(dir, `${n++}-${name}`);
}

export interface Recorded {
  trace: string;
  /** State hash in the end marker, and where the run stopped. */
  stateHash: string;
  icount: number;
  stop: RunStop['kind'];
  events: TraceEvent[];
}

/** Drives a recording: inputs at their icounts, then runs until the guest stops or `maxInsns`. */
function drive(rec: Recording, schedule: readonly InputStep[], maxInsns: number): RunStop['kind'] {
  let stop: RunStop = { kind: 'budget' };
  for (const s of schedule) {
    stop = rec.run(s.after);
    if (stop.kind !== 'budget') return stop.kind;
    rec.sendInput(Uint8Array.from(s.bytes));
  }
  while (stop.kind === 'budget' && rec.icount < maxInsns) stop = rec.run(Math.min(100_000, maxInsns - rec.icount));
  return stop.kind;
}

function finish(rec: Recording, trace: string, stop: RunStop['kind']): Recorded {
  const s = rec.close();
  const r = TraceReader.open(trace);
  const events = [...r.events()];
  r.close();
  return { trace, stateHash: s.stateHash, icount: rec.icount, stop, events };
}

export interface BareRunSpec {
  blocks: readonly Block[];
  schedule: readonly InputStep[];
  /** What the RTC reads as wall-clock time (an external input, recorded). */
  wallClockNs: bigint;
  maxInsns?: number;
}

/** Writes the program image (replay reads it again by path) and records a run. */
export function recordBare(spec: BareRunSpec, image = tempPath('bare.bin')): Recorded {
  writeFileSync(image, assembleProgram(spec.blocks, 'bare'));
  return recordBareImage(image, spec);
}

export function recordBareImage(image: string, spec: Omit<BareRunSpec, 'blocks'>): Recorded {
  const img = imageFromBytes('kernel', image, new Uint8Array(readFileSync(image)));
  const m = new Machine({ memBytes: 8 << 20, harts: 1, bios: null, kernel: img, wallClockNs: () => spec.wallClockNs });
  const trace = tempPath('bare.trace');
  const rec = new Recording(new BareSystem(m), trace, traceConfigFor(describeBareMachine(m, { bios: null, kernel: img }), [img]));
  return finish(rec, trace, drive(rec, spec.schedule, spec.maxInsns ?? 400_000));
}

/** An HVM domain's config for a generated kernel (written next to its cfg, loaded by the real loader). */
export function hvmDomain(name: string, kernel: Uint8Array, extra = '', memoryMiB = 16): DomainConfig {
  const img = tempPath(`${name}.bin`);
  writeFileSync(img, kernel);
  const cfg = tempPath(`${name}.cfg`);
  writeFileSync(cfg, `name = "${name}"\ntype = "hvm"\nmemory = ${memoryMiB}\nvcpus = 1\nkernel = "${img}"\n${extra}\n`);
  return loadDomainConfig(cfg).config;
}

export interface HvRunSpec {
  /** One generated program per HVM domain; the first domain gets the console input. */
  domains: readonly (readonly Block[])[];
  /** Generated PV kernels (lib/hostile.ts streams: hypercalls, bounced traps), run after the HVM domains. */
  pv?: readonly HostileSpec[];
  schedule: readonly InputStep[];
  maxInsns?: number;
}

/** A PV domain running a generated kernel; its attack addresses are fixed (replay needs no world). */
export function pvHostileDomain(name: string, spec: HostileSpec): DomainConfig {
  const elf = tempPath(`${name}.elf`);
  writeFileSync(elf, elfImage(assembleHostile(spec, 'pv', { victimBase: 0x80000000, ownBase: KERNEL_BASE, hvFrame: 0x81000000 }), KERNEL_BASE));
  const cfg = tempPath(`${name}.cfg`);
  writeFileSync(cfg, `name = "${name}"\ntype = "pv"\nmemory = 16\nvcpus = 1\nkernel = "${elf}"\non_crash = "preserve"\n`);
  return loadDomainConfig(cfg).config;
}

export function hvmConfigs(spec: HvRunSpec): DomainConfig[] {
  return [...spec.domains.map((blocks, i) => hvmDomain(`d${i}`, assembleProgram(blocks, 'hvm'))), ...(spec.pv ?? []).map((k, i) => pvHostileDomain(`pv${i}`, k))];
}

export function recordHypervisor(spec: HvRunSpec, domains = hvmConfigs(spec)): Recorded {
  const hv = new Hypervisor({ domains });
  const trace = tempPath('hv.trace');
  const rec = new Recording(new HypervisorSystem(hv), trace, traceConfigForHypervisor(hv));
  return finish(rec, trace, drive(rec, spec.schedule, spec.maxInsns ?? (spec.pv?.length ? 60_000 : 600_000)));
}
