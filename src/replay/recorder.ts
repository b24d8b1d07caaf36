// Recording: run a machine with its events streamed to a trace file. The file is flushed at
// deterministic points (every FLUSH_INSNS instructions of progress) so a recording killed
// with SIGKILL is readable up to its last flush. Closing appends an `end` marker carrying the
// final icount and machine-state hash, which replay checks.
import { EventLog } from '../events/log.ts';
import { TraceWriter, type TraceSummary } from '../trace/writer.ts';
import type { TraceConfig } from '../trace/header.ts';
import type { Machine, RunStop } from '../machine/machine.ts';
import { LogSink } from './log-sink.ts';
import { machineStateHash } from './state-hash.ts';

export const FLUSH_INSNS = 4_000_000;
export const END_MARKER = 'end';

export class Recording {
  readonly log: EventLog;
  readonly writer: TraceWriter;
  private nextFlush: number;
  private closed = false;

  constructor(
    readonly machine: Machine,
    readonly path: string,
    config: TraceConfig,
  ) {
    this.log = new EventLog({ retain: false });
    this.writer = TraceWriter.create(path, { config });
    this.writer.attach(this.log);
    machine.events = new LogSink(this.log);
    this.nextFlush = machine.icount + FLUSH_INSNS;
  }

  get icount(): number {
    return this.machine.icount;
  }

  run(budget: number): RunStop {
    const stop = this.machine.run(budget);
    if (this.machine.icount >= this.nextFlush) {
      this.writer.flush();
      this.nextFlush = this.machine.icount + FLUSH_INSNS;
    }
    return stop;
  }

  sendInput(bytes: Uint8Array | string): void {
    this.machine.sendInput(bytes);
  }

  requestStop(): void {
    this.machine.requestStop();
  }

  /** Ends the recording: the end marker (icount + state hash), index and footer. */
  close(): TraceSummary & { stateHash: string } {
    if (this.closed) throw new Error('recording already closed');
    this.closed = true;
    const stateHash = machineStateHash(this.machine);
    this.log.appendMarker(this.machine.icount, 0, 0, `${END_MARKER} state=${stateHash}`);
    this.machine.events = null;
    return { ...this.writer.close(), stateHash };
  }
}

/** Parses an end marker's label; null when the label is not one. */
export function parseEndMarker(label: string): { stateHash: string } | null {
  const m = /^end state=([0-9a-f]{64})$/.exec(label);
  return m ? { stateHash: m[1] } : null;
}
