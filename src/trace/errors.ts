// Typed trace errors. The message is what a user sees, so it always says which file, which
// chunk (numbered from 1 in file order) and which byte offset, what is wrong there, and what
// can still be read (`--salvage` recovers the intact chunks before the damage).

export type TraceErrorCode =
  /** The file could not be read or written. */
  | 'io'
  /** No trace magic at offset 0. */
  | 'not-a-trace'
  /** A major version this reader does not know. */
  | 'version'
  /** The file header (configuration block) is damaged or invalid. */
  | 'header'
  /** The file ends inside a structure. */
  | 'truncated'
  /** A stored CRC does not match the data. */
  | 'crc'
  /** A chunk header is malformed or inconsistent with its neighbours. */
  | 'chunk'
  /** A chunk's payload does not decompress or decode. */
  | 'payload'
  /** The index chunk or the footer is inconsistent. */
  | 'index'
  /** A request for events or checkpoints outside the trace. */
  | 'range'
  /** The writer was misused (closed, spans out of order...). */
  | 'usage';

/** Where the damage is and how much before it is intact. */
export interface DamageLocation {
  readonly code: TraceErrorCode;
  /** Number of the damaged chunk (1-based); null when the damage is outside any chunk. */
  readonly chunk: number | null;
  /** Byte offset in the file where the damaged structure starts. */
  readonly offset: number;
  /** What is wrong, without the location prefix. */
  readonly reason: string;
  /** Chunks (events and checkpoints) before the damage, all intact; null when not known
   *  (the index was unusable, so nothing was counted). */
  readonly intactChunks: number | null;
  readonly intactEvents: number | null;
}

/** Salvage mode's account of what was lost. */
export interface Damage extends DamageLocation {
  /** The full message a strict reader would have thrown. */
  readonly message: string;
  /** Bytes from `offset` to the end of the file that were not used. */
  readonly bytesLost: number;
}

export class TraceError extends Error {
  override name = 'TraceError';
  readonly code: TraceErrorCode;
  readonly path: string;
  readonly chunk: number | null;
  readonly offset: number | null;
  readonly intactChunks: number | null;
  readonly intactEvents: number | null;

  constructor(path: string, code: TraceErrorCode, message: string, where?: Partial<DamageLocation>) {
    super(message);
    this.path = path;
    this.code = code;
    this.chunk = where?.chunk ?? null;
    this.offset = where?.offset ?? null;
    this.intactChunks = where?.intactChunks ?? null;
    this.intactEvents = where?.intactEvents ?? null;
  }

  /** An error about damage at a known place, with the salvage hint. */
  static at(path: string, loc: DamageLocation, salvageHint = true): TraceError {
    return new TraceError(path, loc.code, damageMessage(path, loc, salvageHint), loc);
  }
}

/**
 * `trace.cvt: chunk 17 at byte offset 1048576: payload CRC mismatch (stored 0x.., computed
 * 0x..); run with --salvage to read the 16 chunks (130000 events) before it`.
 */
export function damageMessage(path: string, loc: DamageLocation, salvageHint = true): string {
  const where = loc.chunk !== null ? `chunk ${loc.chunk} at byte offset ${loc.offset}` : `byte offset ${loc.offset}`;
  let msg = `${path}: ${where}: ${loc.reason}`;
  if (salvageHint && loc.intactChunks === null) {
    msg += '; run with --salvage to read the intact chunks before it';
  } else if (salvageHint) {
    msg += loc.intactChunks! > 0
      ? `; run with --salvage to read the ${loc.intactChunks} chunk${loc.intactChunks === 1 ? '' : 's'} (${loc.intactEvents} events) before it`
      : '; no chunk before it is intact (--salvage can read only the header)';
  }
  return msg;
}
