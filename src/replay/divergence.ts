// The divergence report: where replay first disagreed with the recording (event seq,
// instruction count, pc), what was expected and what happened, and the events before it.
import { formatDiff } from '../events/diff.ts';
import { formatEvent, type TraceEvent } from '../events/event.ts';
import type { Schema } from '../events/schema.ts';

export interface Divergence {
  reason: 'mismatch' | 'extra' | 'rtc' | 'state';
  seq: number;
  icount: number;
  pc: bigint;
  hart: number;
  expected: TraceEvent | null;
  actual: TraceEvent | null;
  before: TraceEvent[];
  /** Human-readable report (what the CLI prints). */
  message: string;
}

export function divergenceFrom(d: Omit<Divergence, 'message'> & { schema: Schema; stateHash?: string }): Divergence {
  const lines: string[] = [];
  const where = `event seq ${d.seq}, icount ${d.icount}, hart ${d.hart} pc 0x${d.pc.toString(16)}`;
  switch (d.reason) {
    case 'mismatch':
      lines.push(`replay diverged at ${where}`);
      if (d.expected && d.actual) lines.push(formatDiff(d.expected, d.actual, { schema: d.schema }));
      else if (d.expected) lines.push(`  expected: ${formatEvent(d.expected, d.schema)}\n  actual:   the machine stopped before producing it`);
      break;
    case 'extra':
      lines.push(`replay diverged at ${where}: the machine produced an event the recording does not have`);
      if (d.actual) lines.push(`  actual:   ${formatEvent(d.actual, d.schema)}`);
      break;
    case 'rtc':
      lines.push(`replay diverged at ${where}: the guest read the real-time clock, but the recording has no RTC read here`);
      if (d.expected) lines.push(`  expected: ${formatEvent(d.expected, d.schema)}`);
      break;
    case 'state':
      lines.push(`replay reproduced every event but the final machine state differs at icount ${d.icount} (state hash ${d.stateHash?.slice(0, 16)}…)`);
      break;
  }
  if (d.before.length) {
    lines.push(`the ${d.before.length} events before it:`);
    for (const e of d.before) lines.push(`  ${formatEvent(e, d.schema)}`);
  }
  return { ...d, message: lines.join('\n') };
}
