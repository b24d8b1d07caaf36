// Record/replay benchmarks (issue "Record and replay", deliverable 6), all on one workload:
// Debian's OpenSBI + U-Boot driven by a console script (version, printenv) — about 58M
// instructions at the default icount shift. Figures, each against a baseline from this run:
//   record.overhead      recording time / plain-run time - 1 (same workload, same process)
//   replay.speedRatio    replay speed / record speed (verifying replay of that recording)
//   seek.p50ms/p95ms     latency of seeks to random icounts in that (>= 50M instruction) trace,
//                        at the debugger's checkpoint interval (200,000; seek1M.* at 1,000,000)
//   trace.bytesPerEvent, trace.bytesPerMInsn, trace.uBootSessionBytes
//   qemu.rrLogBytes      QEMU 7.2's -icount rr=record log for the same session
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConsoleScript, unescapeText, type ScriptStep } from '../src/cli/console-script.ts';
import { locateFirmware } from '../src/cli/firmware.ts';
import { readImage } from '../src/machine/image.ts';
import { Machine, DEFAULT_ICOUNT_SHIFT } from '../src/machine/machine.ts';
import { Recording } from '../src/replay/recorder.ts';
import { BareSystem } from '../src/replay/system.ts';
import { describeBareMachine, traceConfigFor } from '../src/replay/machine-config.ts';
import { Replayer } from '../src/replay/replayer.ts';
import { Timeline } from '../src/replay/timeline.ts';
import { TraceReader } from '../src/trace/reader.ts';
import type { Figures } from './results.ts';

const SCRIPT: ScriptStep[] = [
  { kind: 'expect', text: '=> ' },
  { kind: 'send', text: unescapeText('version\\r') },
  { kind: 'expect', text: '=> ' },
  { kind: 'send', text: unescapeText('printenv\\r') },
  { kind: 'expect', text: '=> ' },
];

interface Runner {
  readonly icount: number;
  run(budget: number): { kind: string };
  sendInput(b: string): void;
  requestStop(): void;
}

/**
 * Seconds of CPU time this process used (all its threads: V8's background compilers count).
 * Much less sensitive than wall time to other processes on a busy machine.
 */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Drives a machine (plain or recording) through the script, like `chronovisor run`. */
function drive(m: Machine, runner: Runner, onOutput: { text: string }): number {
  const script = new ConsoleScript(SCRIPT);
  const t0 = cpuSeconds();
  for (;;) {
    const stop = runner.run(2_000_000);
    const sends = script.feed(onOutput.text);
    onOutput.text = '';
    if (sends) runner.sendInput(sends);
    if (script.done) break;
    if (stop.kind !== 'budget') throw new Error(`U-Boot session stopped early (${stop.kind}) at ${m.icount}`);
  }
  return cpuSeconds() - t0;
}

function newMachine(fw: { opensbi: string; uboot: string }, out: { text: string }, stopOnOutput: () => void) {
  const bios = readImage('bios', fw.opensbi);
  const kernel = readImage('kernel', fw.uboot);
  const m = new Machine({
    memBytes: 256 << 20,
    harts: 1,
    bios,
    kernel,
    wallClockNs: () => 1_700_000_000_000_000_000n,
    onConsole: (b) => {
      out.text += String.fromCharCode(b);
      stopOnOutput();
    },
  });
  return { m, bios, kernel };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** QEMU 7.2 record mode on the same session; returns the rr log size, or null without QEMU. */
async function qemuRrLog(fw: { opensbi: string; uboot: string }, dir: string): Promise<number | null> {
  const rrfile = path.join(dir, 'qemu-rr.bin');
  const args = ['-M', 'virt', '-m', '256M', '-nographic', '-bios', fw.opensbi, '-kernel', fw.uboot, '-icount', `shift=${DEFAULT_ICOUNT_SHIFT},rr=record,rrfile=${rrfile}`];
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn('qemu-system-riscv64', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch {
      resolve(null);
      return;
    }
    const script = new ConsoleScript(SCRIPT);
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', () => resolve(null));
    child.stdin.on('error', () => {}); // QEMU may exit while we write: the exit handler decides
    let quitting = false;
    child.stdout.on('data', (d: Buffer) => {
      if (quitting) return;
      const sends = script.feed(d.toString('latin1'));
      if (sends) child.stdin.write(sends);
      if (script.done) {
        quitting = true;
        child.stdin.write('\x01x'); // QEMU's -nographic console: Ctrl-A x quits (flushes the log)
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      try {
        resolve(script.done ? statSync(rrfile).size : null);
      } catch {
        resolve(null);
      }
    });
  });
}

export async function replayBenchmark(log: (s: string) => void): Promise<Figures> {
  const fw = await locateFirmware();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cv-bench-'));
  try {
    // 1+2. plain and recorded runs of the same session, interleaved after a warm-up run that
    // is not counted (V8 optimizes the interpreter during the first run), best of two each.
    // All timings are process CPU time (see cpuSeconds).
    const plainRun = () => {
      const out = { text: '' };
      let stop = () => {};
      const x = newMachine(fw, out, () => stop());
      stop = () => x.m.requestStop();
      return { secs: drive(x.m, x.m, out), icount: x.m.icount };
    };
    const recordRun = (tracePath: string) => {
      const out = { text: '' };
      let stop = () => {};
      const x = newMachine(fw, out, () => stop());
      const recording = new Recording(new BareSystem(x.m), tracePath, traceConfigFor(describeBareMachine(x.m, { bios: x.bios, kernel: x.kernel }), [x.bios, x.kernel]));
      stop = () => x.m.requestStop();
      const t0 = cpuSeconds();
      drive(x.m, recording, out);
      const t1 = cpuSeconds();
      // closing writes the end marker with the whole-RAM state hash: a fixed cost per
      // recording, kept apart from the per-instruction overhead (replay checks the same hash)
      const summary = recording.close();
      const t2 = cpuSeconds();
      return { secs: t1 - t0, closeSecs: t2 - t1, icount: x.m.icount, summary };
    };
    const warm = plainRun();
    log(`warm-up:     ${warm.icount} instructions in ${warm.secs.toFixed(2)} s (not counted)`);
    const tracePath = path.join(dir, 'uboot.trace');
    const plains: number[] = [];
    const recs: number[] = [];
    let rec!: ReturnType<typeof recordRun>;
    for (let i = 0; i < 2; i++) {
      plains.push(plainRun().secs);
      rec = recordRun(tracePath);
      recs.push(rec.secs);
      if (rec.icount !== warm.icount) throw new Error(`recorded run took ${rec.icount} instructions, plain ${warm.icount}: not the same workload`);
    }
    const plainSecs = Math.min(...plains);
    const recSecs = Math.min(...recs);
    const closeSecs = rec.closeSecs;
    const summary = rec.summary;
    const overhead = recSecs / plainSecs - 1;
    log(`plain run:   best of ${plains.map((v) => v.toFixed(2)).join(' / ')} s of CPU`);
    log(`recorded:    ${summary.events} events, best of ${recs.map((v) => v.toFixed(2)).join(' / ')} s -> record.overhead ${(overhead * 100).toFixed(1)}% of the plain run`);
    log(`             + ${closeSecs.toFixed(2)} s once at close (end marker: SHA-256 of all 256 MiB of RAM and the harts)`);
    const rec_m_icount = rec.icount;

    // 3. verifying replay
    const replays: number[] = [];
    for (let i = 0; i < 2; i++) {
      const t0 = cpuSeconds();
      const r = new Replayer(TraceReader.open(tracePath)).run();
      replays.push(cpuSeconds() - t0);
      if (!r.ok) throw new Error(r.divergence.message);
    }
    const replaySecs = Math.min(...replays);
    // replay checks the end marker's hash, so record is timed with its close() here
    const recWithClose = recSecs + closeSecs;
    log(`replay:      verified in ${replaySecs.toFixed(2)} s (incl. the end-state hash check) -> replay.speedRatio ${(recWithClose / replaySecs).toFixed(3)} (replay speed / record speed incl. close)`);

    // 4. seeks in the (>= 50M instruction) trace: 100 random icounts, at the debugger's
    // checkpoint interval (200,000, `chronovisor debug --interval`) and at 1,000,000
    const reader = TraceReader.open(tracePath);
    const seeks = (interval: number) => {
      const t1 = cpuSeconds();
      const tl = new Timeline(reader, { interval });
      tl.seekIcount(reader.lastIcount);
      const firstPass = cpuSeconds() - t1;
      let x = 20261121;
      const lat: number[] = [];
      for (let i = 0; i < 100; i++) {
        x = (x * 1103515245 + 12345) % 2 ** 31;
        const t = x % reader.lastIcount;
        const a = cpuSeconds();
        tl.seekIcount(t);
        lat.push((cpuSeconds() - a) * 1000);
      }
      lat.sort((a, b) => a - b);
      log(`seek:        ${reader.lastIcount} instruction trace, interval ${interval}: first pass ${firstPass.toFixed(1)} s (${tl.checkpoints.length} checkpoints, ${(tl.checkpointBytes / 2 ** 20).toFixed(1)} MiB); 100 random seeks p50 ${percentile(lat, 50).toFixed(1)} ms, p95 ${percentile(lat, 95).toFixed(1)} ms`);
      return { lat, mib: tl.checkpointBytes / 2 ** 20 };
    };
    const { lat, mib } = seeks(200_000);
    const { lat: lat1M } = seeks(1_000_000);

    // 5. sizes, and QEMU's record log for the same session
    const bytes = summary.bytes;
    const qemu = await qemuRrLog(fw, dir);
    log(`trace size:  ${bytes} bytes, ${(bytes / summary.events).toFixed(2)} bytes/event, ${((bytes / rec_m_icount) * 1e6).toFixed(1)} bytes per million instructions`);
    if (qemu !== null) log(`qemu rr log: ${qemu} bytes for the same session (ours is ${(bytes / qemu).toFixed(3)}x its size)`);
    else log('qemu rr log: not measured (qemu-system-riscv64 missing or the session did not complete)');
    const f: Figures = {
      'record.overhead': round(overhead, 4),
      'record.seconds': round(recSecs),
      'plain.seconds': round(plainSecs),
      'replay.speedRatio': round((recSecs + closeSecs) / replaySecs, 3),
      'record.closeSeconds': round(closeSecs, 3),
      'replay.seconds': round(replaySecs),
      'seek.p50ms': round(percentile(lat, 50), 1),
      'seek.p95ms': round(percentile(lat, 95), 1),
      'seek.checkpointMiB': round(mib, 1),
      'seek1M.p50ms': round(percentile(lat1M, 50), 1),
      'seek1M.p95ms': round(percentile(lat1M, 95), 1),
      'seek.traceInsns': reader.lastIcount,
      'trace.bytesPerEvent': round(bytes / summary.events),
      'trace.bytesPerMInsn': round((bytes / rec_m_icount) * 1e6, 1),
      'trace.uBootSessionBytes': bytes,
    };
    if (qemu !== null) f['qemu.rrLogBytes'] = qemu;
    return f;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
