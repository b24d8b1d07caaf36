// Xen's xl.cfg syntax, as libxlu (tools/libs/util/libxlu_cfg_l.l and _y.y) accepts it:
//
//   file       := { [ KEY ("=" | "+=") value ] (NEWLINE | ";") } [ KEY ("=" | "+=") value ]
//   value      := STRING | NUMBER | "[" NL* [ value NL* { "," NL* value NL* } [ "," NL* ] ] "]"
//
// KEY is [a-z][_0-9a-z]* (libxlu's lexer has no uppercase), strings are '...' or "..." on one
// line with C escapes, numbers are decimal, 0-prefixed octal or 0x hex (lowercase, as the lexer
// has it), `#` starts a comment that runs to the end of the line, and only spaces and tabs
// separate tokens. Lists may nest and be mixed. A value must start on the line of its "=".
// `KEY += value` appends to an earlier list or string of the same key; a later `KEY = value`
// replaces an earlier one (libxlu looks settings up newest first).
//
// Deliberate differences from libxlu, all more forgiving or more exact, none changing the
// meaning of a file xl accepts:
// - "\r\n" line ends are accepted (libxlu reports a lexical error on "\r");
// - a comment may end the file without a final newline (libxlu's comment rule needs one);
// - \xHH and \NNN (octal) escapes give the character C would (libxlu's dequoting drops them);
// - the first error stops parsing and says exactly where and what was expected, instead of
//   libxlu's "config parsing error near `x'" per line.

import { makeDiagnostic, splitLines, formatDiagnostic, type SourcePos, type XlCfgDiagnostic } from './diagnostics.ts';

export interface XlCfgString {
  readonly kind: 'string';
  readonly value: string;
  /** Position of the opening quote. */
  readonly pos: SourcePos;
  /** True when each character of `value` sits at its own column after the quote (no escapes, not joined by +=). */
  readonly exact: boolean;
}

export interface XlCfgNumber {
  readonly kind: 'number';
  readonly value: number;
  /** The number as written ("0x200", "010"). */
  readonly text: string;
  readonly pos: SourcePos;
}

export interface XlCfgList {
  readonly kind: 'list';
  readonly items: readonly XlCfgValue[];
  /** Position of the "[". */
  readonly pos: SourcePos;
}

export type XlCfgValue = XlCfgString | XlCfgNumber | XlCfgList;

export interface XlCfgSetting {
  readonly key: string;
  /** Where the key was last assigned. */
  readonly keyPos: SourcePos;
  /** The operator of the last assignment. */
  readonly op: '=' | '+=';
  readonly value: XlCfgValue;
}

export interface XlCfgFile {
  /** The file name as given (used in every message). */
  readonly file: string;
  readonly text: string;
  readonly lines: readonly string[];
  /** Settings in order of first appearance; each holds its final value. */
  readonly settings: ReadonlyMap<string, XlCfgSetting>;
  /** Things xl accepts silently but a user probably did not mean (a key set twice). */
  readonly warnings: readonly XlCfgDiagnostic[];
}

/** A syntax error; the message is `file:line:column: ...` plus the line and a caret. */
export class XlCfgError extends Error {
  readonly diagnostic: XlCfgDiagnostic;
  constructor(diagnostic: XlCfgDiagnostic) {
    super(formatDiagnostic(diagnostic));
    this.name = 'XlCfgError';
    this.diagnostic = diagnostic;
  }
  get file(): string {
    return this.diagnostic.file;
  }
  get line(): number {
    return this.diagnostic.line;
  }
  get column(): number {
    return this.diagnostic.column;
  }
}

/** Position of character `index` of a string value, or of its opening quote when not exact. */
export function positionInString(s: XlCfgString, index: number): SourcePos {
  if (!s.exact) return s.pos;
  return { line: s.pos.line, column: s.pos.column + 1 + index, offset: s.pos.offset + 1 + index };
}

/** How a value reads in a message: `the string "x"`, `the number 5`, `a list`. */
export function describeValue(v: XlCfgValue): string {
  if (v.kind === 'string') return `the string ${JSON.stringify(v.value)}`;
  if (v.kind === 'number') return `the number ${v.text}`;
  return 'a list';
}

type TokenKind = 'name' | 'word' | 'number' | 'string' | 'invalid' | '=' | '+=' | ',' | '[' | ']' | ';' | 'newline' | 'eof';

interface Token {
  readonly kind: TokenKind;
  readonly pos: SourcePos;
  /** Source text of the token (for a newline: "\n", or the comment before it). */
  readonly text: string;
  readonly str?: XlCfgString;
  readonly num?: XlCfgNumber;
}

const ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
const NAME = /^[a-z][_0-9a-z]*$/;
const WORD_CHAR = /[A-Za-z0-9_]/;

/** Parses xl.cfg text. Throws XlCfgError at the first syntax error. */
export function parseXlCfg(text: string, file = '<config>'): XlCfgFile {
  return new Parser(text, file).parseFile();
}

class Parser {
  private i = 0;
  private line = 1;
  private col = 1;
  private readonly lines: string[];
  private readonly settings = new Map<string, XlCfgSetting>();
  private readonly warnings: XlCfgDiagnostic[] = [];

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {
    this.lines = splitLines(text);
  }

  parseFile(): XlCfgFile {
    for (;;) {
      const t = this.next();
      if (t.kind === 'eof') break;
      if (t.kind === 'newline' || t.kind === ';') continue;
      if (t.kind !== 'name') {
        if (t.kind === 'word') this.fail(t.pos, `invalid setting name "${t.text}": names are lowercase letters, digits and "_", starting with a letter`);
        this.expected(t, 'a setting name (KEY = VALUE)');
      }
      this.assignment(t);
      const end = this.next();
      if (end.kind === 'eof') break;
      if (end.kind !== 'newline' && end.kind !== ';') this.expected(end, `a newline or ";" after the value of "${t.text}"`);
    }
    return { file: this.file, text: this.text, lines: this.lines, settings: this.settings, warnings: this.warnings };
  }

  private assignment(key: Token): void {
    const op = this.next();
    if (op.kind !== '=' && op.kind !== '+=') {
      const dash = op.kind === 'invalid' && op.text === '-' ? ' (setting names use "_", not "-")' : '';
      this.fail(op.pos, `expected "=" or "+=" after "${key.text}", found ${describe(op)}${dash}`);
    }
    const value = this.value(this.next(), `a string, number or list after "${op.kind}"`);
    const prev = this.settings.get(key.text);
    let final = value;
    if (op.kind === '+=') {
      if (value.kind === 'number' || prev?.value.kind === 'number') {
        this.fail(value.pos, `"+=" cannot be used with numbers (xl refuses them); write the whole value with "="`);
      }
      if (prev) final = this.join(prev.value, value);
    } else if (prev) {
      this.warnings.push(
        makeDiagnostic(this.src(), key.pos, `"${key.text}" is set again; this value replaces the one on line ${prev.keyPos.line}, as in xl`, 'warning'),
      );
    }
    this.settings.set(key.text, { key: key.text, keyPos: key.pos, op: op.kind, value: final });
  }

  private join(prev: XlCfgValue, add: XlCfgValue): XlCfgValue {
    if (prev.kind === 'string' && add.kind === 'string') {
      return { kind: 'string', value: prev.value + add.value, pos: prev.pos, exact: false };
    }
    if (prev.kind === 'list' && add.kind === 'list') return { kind: 'list', items: [...prev.items, ...add.items], pos: prev.pos };
    const what = (v: XlCfgValue) => (v.kind === 'list' ? 'a list' : 'a string');
    return this.fail(add.pos, `"+=" cannot add ${what(add)} to ${what(prev)} (set at ${prev.pos.line}:${prev.pos.column})`);
  }

  private value(t: Token, expectation: string): XlCfgValue {
    if (t.kind === 'string') return t.str!;
    if (t.kind === 'number') return t.num!;
    if (t.kind === '[') return this.list(t);
    return this.expected(t, expectation, true);
  }

  private list(open: Token): XlCfgList {
    const items: XlCfgValue[] = [];
    let t = this.skipNewlines();
    let after = '"["';
    while (t.kind !== ']') {
      if (t.kind === 'eof') this.unclosed(t, open, `a value or "]" after ${after}`);
      items.push(this.value(t, `a value or "]" after ${after}`));
      t = this.skipNewlines();
      if (t.kind === ']') break;
      if (t.kind !== ',') this.unclosed(t, open, '"," or "]" after a list item');
      t = this.skipNewlines();
      after = '","';
    }
    return { kind: 'list', items, pos: open.pos };
  }

  private unclosed(t: Token, open: Token, what: string): never {
    const note = t.kind === 'eof' ? ` (the list opened at ${open.pos.line}:${open.pos.column} is not closed)` : '';
    return this.fail(t.pos, `expected ${what}, found ${describe(t)}${note}`);
  }

  private skipNewlines(): Token {
    let t = this.next();
    while (t.kind === 'newline') t = this.next();
    return t;
  }

  private expected(t: Token, what: string, wantValue = false): never {
    return this.fail(t.pos, `expected ${what}, found ${describe(t)}${hint(t, wantValue)}`);
  }

  private fail(pos: SourcePos, message: string): never {
    throw new XlCfgError(makeDiagnostic(this.src(), pos, message));
  }

  // ---- Lexer ----

  private src(): { file: string; lines: readonly string[] } {
    return { file: this.file, lines: this.lines };
  }

  private pos(): SourcePos {
    return { line: this.line, column: this.col, offset: this.i };
  }

  private advance(n = 1): void {
    for (let k = 0; k < n; k++) {
      if (this.text[this.i] === '\n') {
        this.line++;
        this.col = 1;
      } else {
        this.col++;
      }
      this.i++;
    }
  }

  private atLineEnd(at = this.i): boolean {
    const c = this.text[at];
    return c === '\n' || (c === '\r' && this.text[at + 1] === '\n');
  }

  private next(): Token {
    while (this.text[this.i] === ' ' || this.text[this.i] === '\t') this.advance();
    const pos = this.pos();
    const start = this.i;
    const c = this.text[this.i];
    if (c === undefined) return { kind: 'eof', pos, text: '' };
    if (this.atLineEnd() || c === '#') {
      while (this.i < this.text.length && !this.atLineEnd()) this.advance();
      const comment = this.text.slice(start, this.i);
      if (this.text[this.i] === '\r') this.advance();
      if (this.text[this.i] === '\n') this.advance();
      return { kind: 'newline', pos, text: comment || '\n' };
    }
    if (c === '"' || c === "'") return this.string(pos, c);
    if (/[0-9]/.test(c)) return this.number(pos);
    if (WORD_CHAR.test(c)) {
      while (this.i < this.text.length && WORD_CHAR.test(this.text[this.i]!)) this.advance();
      const word = this.text.slice(start, this.i);
      return { kind: NAME.test(word) ? 'name' : 'word', pos, text: word };
    }
    if (c === '+' && this.text[this.i + 1] === '=') {
      this.advance(2);
      return { kind: '+=', pos, text: '+=' };
    }
    this.advance();
    if (c === '=' || c === ',' || c === '[' || c === ']' || c === ';') return { kind: c, pos, text: c };
    return { kind: 'invalid', pos, text: c };
  }

  private number(pos: SourcePos): Token {
    const start = this.i;
    while (this.i < this.text.length && /[A-Za-z0-9_.]/.test(this.text[this.i]!)) this.advance();
    const text = this.text.slice(start, this.i);
    let value: number;
    if (/^(0|[1-9][0-9]*)$/.test(text)) value = Number(text);
    else if (/^0[0-7]+$/.test(text)) value = parseInt(text, 8);
    else if (/^0x[0-9a-f]+$/.test(text)) value = parseInt(text.slice(2), 16);
    else {
      const why = /^0[xX][0-9a-fA-F]+$/.test(text)
        ? 'hex numbers are written with a lowercase "0x" and lowercase digits, as xl reads them'
        : /^0[0-9]+$/.test(text)
          ? 'a leading 0 makes a number octal, and 8 and 9 are not octal digits'
          : 'numbers are whole: decimal, octal with a leading 0, or hex with 0x';
      this.fail(pos, `invalid number "${text}": ${why}`);
    }
    if (!Number.isSafeInteger(value)) this.fail(pos, `number "${text}" is too large (at most ${Number.MAX_SAFE_INTEGER})`);
    return { kind: 'number', pos, text, num: { kind: 'number', value, text, pos } };
  }

  private string(pos: SourcePos, quote: string): Token {
    const start = this.i;
    this.advance();
    let out = '';
    let exact = true;
    for (;;) {
      const ch = this.text[this.i];
      if (ch === undefined || this.atLineEnd()) {
        this.fail(pos, `unterminated string: expected a closing ${quote} before the end of the ${ch === undefined ? 'file' : 'line'}`);
      }
      if (ch === quote) {
        this.advance();
        break;
      }
      if (ch !== '\\') {
        out += ch;
        this.advance();
        continue;
      }
      exact = false;
      out += this.escape(quote, pos);
    }
    const value: XlCfgString = { kind: 'string', value: out, pos, exact };
    return { kind: 'string', pos, text: this.text.slice(start, this.i), str: value };
  }

  /** Reads one backslash escape starting at the backslash; returns the character it stands for. */
  private escape(quote: string, stringPos: SourcePos): string {
    const at = this.pos();
    const nc = this.text[this.i + 1];
    if (nc === undefined || this.atLineEnd(this.i + 1)) {
      this.fail(stringPos, `unterminated string: expected a closing ${quote} before the end of the line`);
    }
    if (Object.hasOwn(ESCAPES, nc)) {
      this.advance(2);
      return ESCAPES[nc]!;
    }
    let code: number;
    if (nc === 'x') {
      const hex = this.text.slice(this.i + 2, this.i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) this.fail(at, 'invalid escape: expected two hex digits after "\\x"');
      code = parseInt(hex, 16);
      this.advance(4);
    } else if (/[0-7]/.test(nc)) {
      const oct = /^[0-7]{1,3}/.exec(this.text.slice(this.i + 1, this.i + 4))![0];
      code = parseInt(oct, 8);
      if (code > 0xff) this.fail(at, `invalid escape "\\${oct}": octal escapes go up to \\377`);
      this.advance(1 + oct.length);
    } else {
      return this.fail(at, `invalid escape "\\${nc}": expected one of \\\\ \\" \\' \\a \\b \\f \\n \\r \\t \\v \\xHH \\NNN`);
    }
    if (code === 0) this.fail(at, 'a string cannot contain a NUL character (xl would cut the string there)');
    return String.fromCharCode(code);
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of file';
    case 'newline':
      return t.text.startsWith('#') ? 'a comment' : 'end of line';
    case 'string':
      return `the string ${JSON.stringify(t.str!.value)}`;
    case 'number':
      return `the number ${t.text}`;
    default:
      return JSON.stringify(t.text);
  }
}

function hint(t: Token, wantValue: boolean): string {
  if ((t.kind === 'name' || t.kind === 'word') && wantValue) return ` (strings need quotes: "${t.text}")`;
  if (t.kind !== 'invalid') return '';
  if (t.text === '-' || t.text === '+') return wantValue ? ' (xl.cfg numbers have no sign)' : ' (there is no arithmetic in xl.cfg)';
  if ('().:{}*/'.includes(t.text)) return ' (xl.cfg is not Python: values are "strings", numbers and [lists])';
  return '';
}
