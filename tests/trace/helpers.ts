// Shared fixtures for trace tests: a temp directory, a config, and a small trace written
// from generated events with checkpoints and explicit flushes at given points.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { EventLog } from '../../src/events/log.ts';
import type { TraceEvent } from '../../src/events/event.ts';
import { imageDigest, type TraceConfig } from '../../src/trace/header.ts';
import { TraceWriter, type TraceWriterOptions } from '../../src/trace/writer.ts';
import fc from 'fast-check';
import { appendAll, eventInitArb, type EventInit } from '../events/arbitraries.ts';

let dir: string | null = null;
let n = 0;
// Registered when a test file imports this module, so it runs after all of that file's tests.
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = null;
});

/** A fresh path in a per-file temp directory removed after the file's tests. */
export function tmpPath(name = 'test'): string {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'cv-trace-'));
  return path.join(dir, `${name}-${n++}.trace`);
}

export const CONFIG: TraceConfig = {
  machine: { name: 'virt', harts: 1, ramMiB: 128, devices: ['uart0', 'clint', 'plic'] },
  images: [imageDigest('kernel.bin', new TextEncoder().encode('not really a kernel'))],
  vtime: { icountShift: 3 },
};

export interface Plan {
  inits: readonly EventInit[];
  /** Before the event with this index: flush(). */
  flushAt?: readonly number[];
  /** Before the event with this index: a checkpoint of these bytes. */
  checkpointAt?: readonly number[];
  close?: boolean;
  writer?: Partial<TraceWriterOptions>;
  spanBytes?: number;
}

export interface Written {
  path: string;
  events: TraceEvent[];
  checkpoints: { seq: number; icount: number; data: Uint8Array }[];
  bytes: Uint8Array;
}

export function checkpointData(i: number): Uint8Array {
  // Compressible with a little variety, like RAM pages.
  const out = new Uint8Array(300 + i * 37);
  for (let k = 0; k < out.length; k++) out[k] = k % 17 === 0 ? (k * i) & 0xff : 0;
  return out;
}

export function writeTrace(plan: Plan, file = tmpPath()): Written {
  const log = new EventLog({ spanBytes: plan.spanBytes ?? 256 });
  const w = TraceWriter.create(file, { config: CONFIG, chunkBytes: 400, ...plan.writer });
  w.attach(log);
  const events: TraceEvent[] = [];
  const checkpoints: Written['checkpoints'] = [];
  plan.inits.forEach((init, i) => {
    if (plan.flushAt?.includes(i)) w.flush();
    if (plan.checkpointAt?.includes(i)) {
      const data = checkpointData(checkpoints.length);
      checkpoints.push({ seq: log.nextSeq, icount: log.lastIcount, data });
      w.writeCheckpoint(log.nextSeq, log.lastIcount, data);
    }
    events.push(...(appendAll(log, [init]) as TraceEvent[]));
  });
  // close: false leaves the file as a killed recorder would: queued events never written.
  if (plan.close ?? true) w.close();
  return { path: file, events, checkpoints, bytes: new Uint8Array(fs.readFileSync(file)) };
}

/** Deterministic small events: a realistic mix, no generator needed. */
export function simpleInits(count: number): EventInit[] {
  const out: EventInit[] = [];
  for (let i = 0; i < count; i++) {
    const dIcount = (i * 7919) % 13;
    if (i % 5 === 4) out.push({ dIcount, domain: 0, vcpu: 0, kind: 'console', payload: { dev: 0, bytes: [0x41 + (i % 26)] } });
    else if (i % 11 === 10) out.push({ dIcount, domain: 1, vcpu: 0, kind: 'interrupt', payload: { cause: 7, priv: 'S', pc: BigInt(0x8000_0000 + i * 4) } });
    else out.push({ dIcount, domain: 0, vcpu: 0, kind: 'mmio', payload: { dev: 1, offset: (i * 4) % 32, size: 4, value: BigInt(i * 3), op: i % 2 ? 'write' : 'read' } });
  }
  return out;
}

/** Bounds for generated write plans (planArb). */
export interface PlanBounds {
  maxEvents: number;
  maxFlushes: number;
  maxCheckpoints: number;
  spanBytes: { min: number; max: number };
  chunkBytes: { min: number; max: number };
}

/** A generated trace to write: events, where to flush and checkpoint, span and chunk sizes. */
export function planArb(b: PlanBounds) {
  return fc
    .array(eventInitArb(), { minLength: 1, maxLength: b.maxEvents })
    .chain((inits) =>
      fc.record({
        inits: fc.constant(inits),
        flushAt: fc.uniqueArray(fc.nat(inits.length - 1), { maxLength: b.maxFlushes }),
        checkpointAt: fc.uniqueArray(fc.nat(inits.length - 1), { maxLength: b.maxCheckpoints }),
        spanBytes: fc.integer(b.spanBytes),
        chunkBytes: fc.integer(b.chunkBytes),
      }),
    );
}
