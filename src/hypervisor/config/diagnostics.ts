// Messages about a domain configuration file, in the compiler style every editor and terminal
// understands: `file:line:column: message`, then the offending line and a caret under the
// column. Syntax errors (xlcfg-parse.ts) and validation errors (domain-config.ts) share it, so
// a user sees one format whatever went wrong.

/** A place in a configuration file. */
export interface SourcePos {
  /** 1-based line number. */
  readonly line: number;
  /** 1-based column, counted in characters (a tab is one column). */
  readonly column: number;
  /** 0-based character offset into the file's text. */
  readonly offset: number;
}

export type Severity = 'error' | 'warning';

export interface XlCfgDiagnostic {
  readonly severity: Severity;
  /** The file name as the user gave it. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** What was wrong and, where it helps, what to write instead. */
  readonly message: string;
  /** The text of the offending line, without its newline. */
  readonly lineText: string;
}

/** What a diagnostic needs to know about the file it points into. */
export interface DiagnosticSource {
  readonly file: string;
  readonly lines: readonly string[];
}

export function makeDiagnostic(
  src: DiagnosticSource,
  pos: SourcePos,
  message: string,
  severity: Severity = 'error',
): XlCfgDiagnostic {
  return { severity, file: src.file, line: pos.line, column: pos.column, message, lineText: src.lines[pos.line - 1] ?? '' };
}

/** `file:line:col: message` (warnings say so), the line, and a caret under the column. */
export function formatDiagnostic(d: XlCfgDiagnostic): string {
  const head = `${d.file}:${d.line}:${d.column}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`;
  // Copy tabs into the padding so the caret lines up however the terminal expands them.
  let pad = '';
  for (let i = 0; i < d.column - 1; i++) pad += d.lineText[i] === '\t' ? '\t' : ' ';
  return `${head}\n    ${d.lineText}\n    ${pad}^`;
}

/** The first line of a formatted diagnostic, for one-line logs. */
export function diagnosticHeadline(d: XlCfgDiagnostic): string {
  return formatDiagnostic(d).split('\n', 1)[0]!;
}

/** Splits text into lines the way positions count them ("\r\n" and "\n" both end a line). */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/**
 * Validation failed. Carries every problem found (not just the first), so one run of the
 * command shows the user everything to fix; the message is all of them, formatted.
 */
export class DomainConfigError extends Error {
  readonly diagnostics: readonly XlCfgDiagnostic[];
  constructor(diagnostics: readonly XlCfgDiagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'DomainConfigError';
    this.diagnostics = diagnostics;
  }
}

/** The configuration file itself could not be read. */
export class ConfigReadError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: cannot read the domain configuration: ${reason}`);
    this.name = 'ConfigReadError';
  }
}
