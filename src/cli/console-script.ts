// The scripted console for unattended runs: `--expect TEXT` and `--send TEXT` steps applied in
// order. An expect step waits until TEXT has appeared in the guest's console output since the
// previous match; send steps that follow queue their bytes for the guest's input. The script
// only reacts to guest output (never to host time), so a scripted run is deterministic.

export type ScriptStep = { kind: 'expect'; text: string } | { kind: 'send'; text: string };

export class ScriptEscapeError extends Error {}

/** Decodes the escapes a shell user types: \r \n \t \e \0 \\ \xNN. */
export function unescapeText(s: string, where = 'argument'): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[++i];
    switch (e) {
      case 'r': out += '\r'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'e': out += '\x1b'; break;
      case '0': out += '\0'; break;
      case '\\': out += '\\'; break;
      case 'x': {
        const hex = s.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
          throw new ScriptEscapeError(`${where}: "\\x" must be followed by two hex digits, got "\\x${hex}" in "${s}"`);
        }
        out += String.fromCharCode(parseInt(hex, 16));
        i += 2;
        break;
      }
      default:
        throw new ScriptEscapeError(
          `${where}: unknown escape "\\${e ?? ''}" in "${s}" (use \\r \\n \\t \\e \\0 \\\\ or \\xNN)`,
        );
    }
  }
  return out;
}

export class ConsoleScript {
  private next = 0;
  private window = '';

  constructor(readonly steps: readonly ScriptStep[]) {}

  get done(): boolean {
    return this.next >= this.steps.length;
  }

  /** A script ending with a send lets the guest act on it: the run continues until the guest stops. */
  get endsWithSend(): boolean {
    return this.steps.length > 0 && this.steps[this.steps.length - 1].kind === 'send';
  }

  /** Index of the step being waited for (for messages). */
  get position(): number {
    return this.next;
  }

  /** Bytes to send before any output arrives (sends at the head of the script). */
  start(): string {
    return this.takeSends();
  }

  /** Feeds one chunk of guest output; returns text to send now ('' when nothing). */
  feed(text: string): string {
    let sends = '';
    for (const ch of text) {
      if (this.done) break;
      const step = this.steps[this.next];
      if (step.kind !== 'expect') {
        sends += this.takeSends();
        continue;
      }
      this.window += ch;
      if (this.window.length > 4 * step.text.length + 4096) this.window = this.window.slice(-2 * step.text.length);
      if (this.window.endsWith(step.text)) {
        this.window = '';
        this.next++;
        sends += this.takeSends();
      }
    }
    return sends;
  }

  private takeSends(): string {
    let s = '';
    while (!this.done && this.steps[this.next].kind === 'send') {
      s += this.steps[this.next].text;
      this.next++;
    }
    return s;
  }

  /** What the script is waiting for, for a timeout message. */
  describeWaiting(): string {
    if (this.done) return 'nothing (script complete)';
    const step = this.steps[this.next];
    return `step ${this.next + 1} of ${this.steps.length}: ${step.kind} ${JSON.stringify(step.text)}`;
  }
}
