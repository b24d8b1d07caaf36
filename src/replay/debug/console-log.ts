// The guest console as of a moment of the recording: rebuilt from the `console` events up to
// the current event, per domain, the way a terminal would show it (CR returns to the line
// start, backspace moves left, other control bytes are dropped).
import type { TraceReader } from '../../trace/reader.ts';

interface ConsoleChunk {
  seq: number;
  domain: number;
  bytes: readonly number[];
}

export class ConsoleLog {
  private readonly chunks: ConsoleChunk[] = [];

  constructor(reader: TraceReader) {
    for (const e of reader.events()) {
      if (e.kind === 'console') this.chunks.push({ seq: e.seq, domain: e.domain, bytes: e.payload.bytes as readonly number[] });
    }
  }

  /** Domains that wrote to a console. */
  get domains(): number[] {
    return [...new Set(this.chunks.map((c) => c.domain))].sort((a, b) => a - b);
  }

  /** Console events before `seq` (that is, produced so far). */
  private countBefore(seq: number): number {
    let lo = 0, hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.chunks[mid].seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The last `maxLines` lines of output produced before event `seq` (all domains, or one).
   * Walks back only as far as those lines need, so long recordings stay cheap.
   */
  linesBefore(seq: number, maxLines: number, domain?: number): string[] {
    const n = this.countBefore(seq);
    const parts: Array<readonly number[]> = [];
    let newlines = 0;
    for (let i = n - 1; i >= 0 && newlines <= maxLines; i--) {
      const c = this.chunks[i];
      if (domain !== undefined && c.domain !== domain) continue;
      parts.push(c.bytes);
      for (const b of c.bytes) if (b === 10) newlines++;
    }
    parts.reverse();
    const lines = renderTerminal(parts);
    return lines.slice(-maxLines);
  }

  /** Bytes of output produced before `seq`. */
  bytesBefore(seq: number): number {
    let total = 0;
    const n = this.countBefore(seq);
    for (let i = 0; i < n; i++) total += this.chunks[i].bytes.length;
    return total;
  }
}

function renderTerminal(parts: Array<readonly number[]>): string[] {
  const lines: string[] = [];
  let line: string[] = [];
  let col = 0;
  for (const bytes of parts) {
    for (const b of bytes) {
      if (b === 10) {
        lines.push(line.join(''));
        line = [];
        col = 0;
      } else if (b === 13) col = 0;
      else if (b === 8) col = Math.max(0, col - 1);
      else if (b === 9) {
        const to = (col + 8) & ~7;
        while (col < to) line[col++] = ' ';
      } else if (b >= 0x20 && b < 0x7f) {
        line[col++] = String.fromCharCode(b);
      }
    }
  }
  lines.push(line.join(''));
  return lines;
}
