// What the validators of one configuration file share: where to report problems and how to
// look at the files a configuration names. Files are looked at through FileProbe so tests can
// describe a file system without touching the disk.

import { statSync, accessSync, constants } from 'node:fs';
import path from 'node:path';
import { makeDiagnostic, type SourcePos, type XlCfgDiagnostic } from './diagnostics.ts';
import type { XlCfgFile } from './xlcfg-parse.ts';

export interface FileInfo {
  /** A regular file (not a directory, device or socket). */
  readonly isFile: boolean;
  readonly size: number;
}

export interface FileProbe {
  /** What is at `absPath`, or undefined when nothing is. */
  stat(absPath: string): FileInfo | undefined;
  /** Whether this process may open `absPath` for writing. */
  writable(absPath: string): boolean;
}

export const nodeFileProbe: FileProbe = {
  stat(absPath) {
    const s = statSync(absPath, { throwIfNoEntry: false });
    return s && { isFile: s.isFile(), size: s.size };
  },
  writable(absPath) {
    try {
      accessSync(absPath, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  },
};

export class CheckContext {
  readonly errors: XlCfgDiagnostic[] = [];
  readonly warnings: XlCfgDiagnostic[] = [];
  constructor(
    readonly source: XlCfgFile,
    /** Directory relative paths are resolved against: the cfg file's own. */
    readonly baseDir: string,
    readonly probe: FileProbe,
  ) {}

  error(pos: SourcePos, message: string): void {
    this.errors.push(makeDiagnostic(this.source, pos, message));
  }

  warn(pos: SourcePos, message: string): void {
    this.warnings.push(makeDiagnostic(this.source, pos, message, 'warning'));
  }

  resolve(p: string): string {
    return path.resolve(this.baseDir, p);
  }

  /**
   * Resolves `written` and checks a non-empty regular file is there. Reports at `pos` and
   * returns undefined when not; `what` names the file in messages ("kernel", "disk image").
   */
  existingFile(written: string, pos: SourcePos, what: string): { path: string; size: number } | undefined {
    const abs = this.resolve(written);
    const rel = path.isAbsolute(written) ? '' : ` ("${written}" is relative to the directory of ${this.source.file}, ${this.baseDir})`;
    const info = this.probe.stat(abs);
    if (!info) return void this.error(pos, `${what} not found: ${abs}${rel}`);
    if (!info.isFile) return void this.error(pos, `${what} ${abs} is not a regular file`);
    if (info.size === 0) return void this.error(pos, `${what} ${abs} is empty`);
    return { path: abs, size: info.size };
  }
}
