// Turns errors into one clear message on stderr and an exit status. Expected errors (bad
// options, unreadable files, corrupt traces) print their message; anything else also prints
// its stack, because it is a bug.
import { UsageError } from './run-options.ts';
import { ImageError } from '../machine/image.ts';
import { ScriptEscapeError } from './console-script.ts';

/** Error classes whose message is the whole story for the user. */
const EXPECTED: Array<new (...args: never[]) => Error> = [UsageError, ImageError, ScriptEscapeError];

export function registerExpectedError(cls: new (...args: never[]) => Error): void {
  EXPECTED.push(cls);
}

export function reportError(e: unknown): number {
  if (e instanceof Error && (EXPECTED.some((c) => e instanceof c) || (e as { userFacing?: boolean }).userFacing)) {
    process.stderr.write(`chronovisor: ${e.message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
  process.stderr.write(`chronovisor: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 70;
}
