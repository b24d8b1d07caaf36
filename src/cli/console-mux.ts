// Console output of several domains on one terminal: every line starts with the domain's name
// in brackets (like `xl console` logs side by side). A bare machine prints unprefixed.
import type { TraceReader } from '../trace/reader.ts';

export class ConsoleMux {
  private atLineStart = new Map<string, boolean>();
  private readonly decoder = new Map<string, TextDecoder>();

  constructor(
    private readonly write: (s: string) => void,
    /** Prefix output at all (only when there is more than one domain). */
    private readonly prefix: boolean,
  ) {}

  output(name: string, bytes: Uint8Array): string {
    let dec = this.decoder.get(name);
    if (!dec) this.decoder.set(name, (dec = new TextDecoder()));
    const text = dec.decode(bytes, { stream: true });
    if (!this.prefix) {
      this.write(text);
      return text;
    }
    let out = '';
    for (const ch of text) {
      if (this.atLineStart.get(name) ?? true) out += `[${name}] `;
      out += ch;
      this.atLineStart.set(name, ch === '\n');
    }
    this.write(out);
    return text;
  }
}

/** Console writer for replaying a trace: domain names from its header. */
export function consoleWriter(reader: TraceReader): (domain: number, bytes: Uint8Array) => void {
  const domains = (reader.config.domains ?? []) as Array<{ id: number; name: string }>;
  const names = new Map(domains.map((d) => [d.id, d.name]));
  const mux = new ConsoleMux((s) => process.stdout.write(s), domains.length > 1);
  return (domain, bytes) => mux.output(names.get(domain) ?? String(domain), bytes);
}
