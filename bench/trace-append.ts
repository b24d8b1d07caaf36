// Event-log micro-benchmark: cost of the hot-path append, and trace size for a realistic
// event mix. Prints numbers; asserts nothing. `node bin/run-ts.mjs bench/trace-append.ts`
//
// Baseline (same run): storing the same mmio fields into preallocated typed arrays, the
// least any log could do; the append cost is printed as a ratio against it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EventLog } from '../src/events/log.ts';
import { imageDigest } from '../src/trace/header.ts';
import { TraceReader } from '../src/trace/reader.ts';
import { TraceWriter } from '../src/trace/writer.ts';

const N = Number(process.env.N ?? 2_000_000);
const ROUNDS = 5;

/** xorshift32: deterministic "randomness" so every run measures the same stream. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

function best(f: () => void): number {
  let min = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    f();
    min = Math.min(min, performance.now() - t);
  }
  return (min * 1e6) / N;
}

// Pre-generated mmio stream (UART polling, CLINT mtime reads, PLIC claims), so the timed loop
// measures the log, not the generator.
const rand = rng(42);
const dIcount = new Int32Array(N), dev = new Int32Array(N), off = new Int32Array(N), val = new Float64Array(N), wr = new Uint8Array(N);
for (let i = 0; i < N; i++) {
  dIcount[i] = 20 + Math.floor(rand() * 400);
  const d = Math.floor(rand() * 3);
  dev[i] = d;
  off[i] = d === 0 ? [0, 5, 5, 5][Math.floor(rand() * 4)] : d === 1 ? 0xbff8 : 0x200004;
  val[i] = d === 0 ? 0x60 : d === 1 ? Math.floor(i * 37.5) : 10;
  wr[i] = d === 0 && off[i] === 0 ? 1 : 0;
}

const store = new Float64Array(N * 6);
const baseline = best(() => {
  const a = store;
  let icount = 0;
  for (let i = 0; i < N; i++) {
    icount += dIcount[i];
    const o = i * 6;
    a[o] = icount;
    a[o + 1] = dev[i];
    a[o + 2] = off[i];
    a[o + 3] = 4;
    a[o + 4] = val[i];
    a[o + 5] = wr[i];
  }
});

function appendMmioRun(log: EventLog): void {
  let icount = 0;
  for (let i = 0; i < N; i++) {
    icount += dIcount[i];
    log.appendMmio(icount, 0, 0, dev[i], off[i], 4, val[i], wr[i] === 1);
  }
}

const fast = best(() => appendMmioRun(new EventLog({ retain: false })));
const retained = best(() => appendMmioRun(new EventLog()));
const generic = best(() => {
  const log = new EventLog({ retain: false });
  let icount = 0;
  for (let i = 0; i < N; i++) {
    icount += dIcount[i];
    log.append('mmio', icount, 0, 0, { dev: dev[i], offset: off[i], size: 4, value: val[i], op: wr[i] ? 'write' : 'read' });
  }
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-bench-'));
const config = { machine: { bench: 'trace-append' }, images: [imageDigest('none', new Uint8Array(0))], vtime: { icountShift: 3 } };
function streamed(level: number): number {
  return best(() => {
    const log = new EventLog({ retain: false });
    const w = TraceWriter.create(path.join(dir, `mmio-${level}.trace`), { config, level });
    w.attach(log);
    appendMmioRun(log);
    w.close();
  });
}
const stream6 = streamed(6);
const stream1 = streamed(1);

// A realistic mix for a console-driven boot: mostly device polling, some interrupts, console
// traffic both ways, a few SBI calls and exits, rare RTC, entropy, scheduling and markers.
function writeMix(file: string, level: number, count: number): { raw: number; file: number } {
  const r = rng(7);
  const log = new EventLog({ retain: false });
  const w = TraceWriter.create(file, { config, level });
  w.attach(log);
  let icount = 0;
  let pc = 0x8020_0000;
  for (let i = 0; i < count; i++) {
    icount += 10 + Math.floor(r() * 600);
    pc = (pc + Math.floor(r() * 64) * 2) & 0x7fff_ffff;
    const x = r();
    if (x < 0.6) log.appendMmio(icount, 0, 0, 0, 5, 1, 0x60, false);
    else if (x < 0.68) log.appendMmio(icount, 0, 0, 2, 0x200004, 4, 10, r() < 0.5);
    else if (x < 0.76) log.appendInterrupt(icount, 0, 0, [5, 7, 9][Math.floor(r() * 3)], 'S', pc);
    else if (x < 0.84) log.appendConsole(icount, 0, 0, 0, [0x20 + Math.floor(r() * 90)]);
    else if (x < 0.87) log.appendInput(icount, 0, 0, 0, [0x61 + Math.floor(r() * 26)]);
    else if (x < 0.93) log.appendSbi(icount, 0, 0, 0x54494d45, 0, [BigInt(icount * 8)], 0n, 0n);
    else if (x < 0.98) log.appendExit(icount, 0, 0, 'ecall', [9n, BigInt(pc)]);
    else if (x < 0.99) log.appendRtc(icount, 0, 0, 3, BigInt(1_700_000_000) * 1_000_000_000n + BigInt(icount));
    else if (x < 0.995) log.appendEntropy(icount, 0, 0, 4, Array.from({ length: 16 }, () => Math.floor(r() * 256)));
    else log.appendSched(icount, 0, 0, 0, 0, 0, 0, 'timeslice');
  }
  const s = w.close();
  return { raw: s.rawEventBytes, file: s.bytes };
}
const MIX = Math.min(N, 1_000_000);
const mix6 = writeMix(path.join(dir, 'mix-6.trace'), 6, MIX);
const mix1 = writeMix(path.join(dir, 'mix-1.trace'), 1, MIX);

// Reading back in order, as a replayer does: materializing every event, or only taking each
// record's bytes (enough to check a live event in lockstep: EventLog.lastRecord()).
function walk(materialize: boolean): number {
  const reader = TraceReader.open(path.join(dir, 'mix-1.trace'));
  const cur = reader.cursor();
  const t = performance.now();
  let n = 0;
  for (; !cur.done; n++) {
    if (materialize) cur.next();
    else cur.nextRecord();
  }
  const ns = ((performance.now() - t) * 1e6) / n;
  reader.close();
  return ns;
}
const readNs = walk(true);
const recordNs = walk(false);
fs.rmSync(dir, { recursive: true, force: true });

const f = (x: number, d = 1) => x.toFixed(d).padStart(7);
console.log(`trace-append: ${N} mmio events per round, best of ${ROUNDS}; mix of ${MIX} events`);
console.log(`  baseline typed-array store     ${f(baseline)} ns/event`);
console.log(`  appendMmio (retain: false)     ${f(fast)} ns/event   ${f(fast / baseline, 2)}x baseline`);
console.log(`  appendMmio (retained spans)    ${f(retained)} ns/event   ${f(retained / baseline, 2)}x baseline`);
console.log(`  append('mmio', {...}) generic  ${f(generic)} ns/event   ${f(generic / baseline, 2)}x baseline`);
console.log(`  appendMmio -> writer, level 6  ${f(stream6)} ns/event   ${f(stream6 / baseline, 2)}x baseline (deflate + write included)`);
console.log(`  appendMmio -> writer, level 1  ${f(stream1)} ns/event   ${f(stream1 / baseline, 2)}x baseline (the writer's default level)`);
console.log(`  mix: encoded                   ${f(mix6.raw / MIX, 2)} bytes/event`);
console.log(`  mix: file, deflate level 6     ${f(mix6.file / MIX, 2)} bytes/event   (${f(mix6.raw / mix6.file, 2)}x smaller than encoded)`);
console.log(`  mix: file, deflate level 1     ${f(mix1.file / MIX, 2)} bytes/event   (default)`);
console.log(`  read: cursor.next() (frozen)   ${f(readNs)} ns/event   (inflate + validate + decode)`);
console.log(`  read: cursor.nextRecord()      ${f(recordNs)} ns/event   (bytes only, for lockstep checks)`);
