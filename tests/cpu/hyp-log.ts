// The trap/value log H-extension test programs write (format in hyp-harness.ts): tags,
// parsing, and the two printed forms (full, and `brief` without epc for assertions).

export const TAG_M = 0x7a9e_0000_0000_004dn;
export const TAG_HS = 0x7a9e_0000_0000_0048n;
export const TAG_VS = 0x7a9e_0000_0000_0056n;
export const TAG_VAL = 0x7a9e_0000_0000_004cn;

export interface LogEntry {
  tag: 'M' | 'HS' | 'VS' | 'VAL';
  /** For traps: cause, tval, tval2, tinst, epc, status. For VAL: [value]. */
  v: bigint[];
}

/** Splits the raw log dwords into entries. */
export function parseLog(words: bigint[]): LogEntry[] {
  const out: LogEntry[] = [];
  for (let i = 0; i < words.length; ) {
    const t = words[i];
    if (t === TAG_VAL) {
      if (i + 2 > words.length) break;
      out.push({ tag: 'VAL', v: [words[i + 1]] });
      i += 2;
    } else if (t === TAG_M || t === TAG_HS || t === TAG_VS) {
      if (i + 7 > words.length) break;
      out.push({ tag: t === TAG_M ? 'M' : t === TAG_HS ? 'HS' : 'VS', v: words.slice(i + 1, i + 7) });
      i += 7;
    } else throw new Error(`log word ${i} is not a tag: 0x${t.toString(16)}`);
  }
  return out;
}

export function formatEntry(e: LogEntry): string {
  const hex = (x: bigint) => `0x${x.toString(16)}`;
  if (e.tag === 'VAL') return `VAL ${hex(e.v[0])}`;
  const [cause, tval, tval2, tinst, epc, status] = e.v;
  const c = cause >> 63n ? `irq${cause & 0xffn}` : `exc${cause}`;
  return `${e.tag} ${c} tval=${hex(tval)} tval2=${hex(tval2)} tinst=${hex(tinst)} epc=${hex(epc)} status=${hex(status)}`;
}

/**
 * A log entry without its epc, for assertions: `M c=21 tval=0x10 t2=0x4 ti=0 gva mpv mpp=1`,
 * `HS c=21 tval=… t2=… ti=… gva spv spvp`, `VS c=13 tval=… spp`, `VAL 0x…`; interrupts as
 * `M irq=7`.
 */
export function brief(e: LogEntry): string {
  const hex = (x: bigint) => (x === 0n ? '0' : `0x${x.toString(16)}`);
  if (e.tag === 'VAL') return `VAL ${hex(e.v[0])}`;
  const [cause, tval, tval2, tinst, , st] = e.v;
  const c = cause >> 63n ? `irq=${cause & 0xffn}` : `c=${cause}`;
  const bit = (n: bigint, name: string) => ((st >> n) & 1n ? ` ${name}` : '');
  if (e.tag === 'M') {
    return `M ${c} tval=${hex(tval)} t2=${hex(tval2)} ti=${hex(tinst)}${bit(38n, 'gva')}${bit(39n, 'mpv')} mpp=${(st >> 11n) & 3n}`;
  }
  if (e.tag === 'HS') return `HS ${c} tval=${hex(tval)} t2=${hex(tval2)} ti=${hex(tinst)}${bit(6n, 'gva')}${bit(7n, 'spv')}${bit(8n, 'spvp')}`;
  return `VS ${c} tval=${hex(tval)}${bit(8n, 'spp')}`;
}
