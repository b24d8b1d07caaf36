// Recording: run a machine with its events streamed to a trace file. The file is flushed at
// deterministic points (every FLUSH_INSNS instructions of progress) so a recording killed
// with SIGKILL is readable up to its last flush. Closing appends an `end` marker carrying the
// final icount and machine-state hash, which replay checks.
import { EventLog } from '../events/log.ts';
import { TraceWriter, type TraceSummary } from '../trace/writer.ts';
import type { TraceConfig } from '../trace/header.ts';
import type { RunStop } from '../machine/machine.ts';
import type { Replayable } from './system.ts';

export const FLUSH_INSNS = 4_000_000;
export const END_MARKER = 'end';

export class Recording {
  readonly log: EventLog;
  readonly writer: TraceWriter;
  private nextFlush: number;
  private closed = false;

  constructor(
    readonly system: Replayable,
    readonly path: string,
    config: TraceConfig,
  ) {
    this.log = new EventLog({ retain: false });
    this.writer = TraceWriter.create(path, { config });
    this.writer.attach(this.log);
    system.setEventLog(this.log, null);
    this.nextFlush = system.icount + FLUSH_INSNS;
  }

  get icount(): number {
    return this.system.icount;
  }

  run(budget: number): RunStop {
    const stop = this.system.run(budget);
    if (this.system.icount >= this.nextFlush) {
      this.writer.flush();
      this.nextFlush = this.system.icount + FLUSH_INSNS;
    }
    return stop;
  }

  /** Console input for `domain` (the console domain by default; 0 on a bare machine). */
  sendInput(bytes: Uint8Array | string, domain?: number): void {
    const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
    this.system.sendInput(b, domain ?? -1);
  }

  requestStop(): void {
    this.system.requestStop();
  }

  /** Ends the recording: the end marker (icount + state hash), index and footer. */
  close(): TraceSummary & { stateHash: string } {
    if (this.closed) throw new Error('recording already closed');
    this.closed = true;
    const stateHash = this.system.stateHash();
    this.log.appendMarker(this.system.icount, 0, 0, `${END_MARKER} state=${stateHash}`);
    this.system.setEventLog(null, null);
    return { ...this.writer.close(), stateHash };
  }
}

/** Parses an end marker's label; null when the label is not one. */
export function parseEndMarker(label: string): { stateHash: string } | null {
  const m = /^end state=([0-9a-f]{64})$/.exec(label);
  return m ? { stateHash: m[1] } : null;
}
