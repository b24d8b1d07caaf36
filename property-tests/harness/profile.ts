// Which profile the property suites run in, and how much each property may spend.
//
// quick (default, inside `npm test`): every property has a fixed seed derived from its name
//   and a small run count, so `npm test` is reproducible and fast.
// deep (`npm run test:property`, which sets CV_PROP_PROFILE=deep): run counts are unbounded
//   and each property runs for its share of the time budget (CV_PROP_FILE_MS per test file,
//   split inside the file by the properties' weights); the seed is fresh on every run unless
//   CV_PROP_SEED pins it, and it is printed with the path of any failure.
//
// Environment variables are read only here, in test code; nothing under src/ sees them.

export type ProfileName = 'quick' | 'deep';

export interface Profile {
  readonly name: ProfileName;
  /** Deep profile: milliseconds one test file may spend on its properties (null in quick). */
  readonly fileMs: number | null;
  /** A seed forced from the command line (deep profile), or null. */
  readonly seed: number | null;
  /** Whether new failures are written to property-tests/regressions/. */
  readonly saveFailures: boolean;
}

function envNumber(name: string): number | null {
  const v = process.env[name];
  if (v === undefined || v === '') return null;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${name}=${v} is not a number`);
  return n;
}

export function currentProfile(): Profile {
  const name: ProfileName = process.env.CV_PROP_PROFILE === 'deep' ? 'deep' : 'quick';
  return {
    name,
    fileMs: name === 'deep' ? (envNumber('CV_PROP_FILE_MS') ?? 60_000) : null,
    seed: envNumber('CV_PROP_SEED'),
    // a deliberately broken hypervisor (mutation check) must not leave "regressions" behind
    saveFailures: process.env.CV_PROP_SAVE !== '0' && !process.env.CV_MUTATION,
  };
}

/** A stable 31-bit seed from a property's name (FNV-1a), so the quick profile never changes by itself. */
export function seedFromName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff;
}
