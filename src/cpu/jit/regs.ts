// Guest integer registers as generated code names them. Registers are hi/lo int32 pairs in
// h.x (pair index r at x[2r], x[2r + 1]); the decoded cache hands out pre-doubled indices and
// sends rd = x0 to the sink pair 32.
//
// With caching on, each half a region touches lives in a JS local (`L5`/`H5` for x5) that V8
// can keep in a machine register: loaded once on region entry, written back to h.x when the
// region returns (regions call nothing that reads h.x). Without it, every access goes to
// h.x, which is what the interpreter does.

const PAIRS = 33;

export class RegisterNames {
  private readonly readLo = new Uint8Array(PAIRS);
  private readonly readHi = new Uint8Array(PAIRS);
  private readonly wroteLo = new Uint8Array(PAIRS);
  private readonly wroteHi = new Uint8Array(PAIRS);

  constructor(readonly cached: boolean) {}

  /** Expression for the low word of pre-doubled register `r2` (x0 reads as 0). */
  lo(r2: number): string {
    if (r2 === 0) return '0';
    if (!this.cached) return `x[${r2}]`;
    this.readLo[r2 >> 1] = 1;
    return `L${r2 >> 1}`;
  }

  hi(r2: number): string {
    if (r2 === 0) return '0';
    if (!this.cached) return `x[${r2 + 1}]`;
    this.readHi[r2 >> 1] = 1;
    return `H${r2 >> 1}`;
  }

  /** Assignable name for the low word of destination `r2` (the sink included). */
  setLo(r2: number): string {
    if (!this.cached) return `x[${r2}]`;
    this.wroteLo[r2 >> 1] = 1;
    return `L${r2 >> 1}`;
  }

  setHi(r2: number): string {
    if (!this.cached) return `x[${r2 + 1}]`;
    this.wroteHi[r2 >> 1] = 1;
    return `H${r2 >> 1}`;
  }

  /** Declarations for the region's entry: every touched half starts as h.x holds it. */
  prologue(): string {
    if (!this.cached) return '';
    const out: string[] = [];
    for (let r = 1; r < PAIRS; r++) {
      if (this.readLo[r] || this.wroteLo[r]) out.push(`L${r} = x[${2 * r}]`);
      if (this.readHi[r] || this.wroteHi[r]) out.push(`H${r} = x[${2 * r + 1}]`);
    }
    return out.length ? `let ${out.join(', ')};` : '';
  }

  /**
   * Stores every written half back to h.x. The sink pair too: nothing reads it, but keeping
   * h.x identical to the interpreter's word for word makes differential testing exact.
   */
  writeback(): string {
    if (!this.cached) return '';
    const out: string[] = [];
    for (let r = 1; r < PAIRS; r++) {
      if (this.wroteLo[r]) out.push(`x[${2 * r}] = L${r};`);
      if (this.wroteHi[r]) out.push(`x[${2 * r + 1}] = H${r};`);
    }
    return out.join(' ');
  }
}
