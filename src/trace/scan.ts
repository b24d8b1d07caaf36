// Finding the chunks of a file. With a footer, the index chunk lists them (one read); with
// none (the writer was killed) or when asked to verify or salvage, the scanner walks the file
// chunk by chunk from the header. A scan never throws for damage: it returns the intact
// chunks before the first problem plus a description of it, and the caller decides whether
// that is an error (strict) or the result (salvage).

import type { DeltaState } from '../events/codec.ts';
import { ChunkFault, type ChunkInfo, decodeEventsPayload, inflatePayload, type ByteSource } from './chunk-io.ts';
import type { DamageLocation, TraceErrorCode } from './errors.ts';
import {
  CHUNK_ANCILLARY, CHUNK_CHECKPOINT, CHUNK_EVENTS, CHUNK_HEADER_SIZE, CHUNK_INDEX, type ChunkHeader, chunkHeaderFault, decodeChunkHeader, decodeFooter, decodeIndex,
  FOOTER_SIZE, FOOTER_MAGIC, type Footer, hasFooterMagic, headerMismatch, type IndexEntry,
} from './format.ts';
import type { FileHeader } from './header.ts';

export interface ScanResult {
  /** Intact event, checkpoint and ancillary chunks in file order (the index chunk excluded). */
  readonly chunks: ChunkInfo[];
  readonly indexChunk: ChunkInfo | null;
  readonly footer: Footer | null;
  readonly damage: DamageLocation | null;
}

/** Why chunk `c` cannot follow the events chunk `prev`, or null. Shared by scan and index checks. */
export function sequenceFault(prev: ChunkHeader | null, c: ChunkHeader): string | null {
  if (c.type === CHUNK_INDEX) return 'an index chunk may only be the last chunk';
  if (c.type !== CHUNK_EVENTS && c.type !== CHUNK_CHECKPOINT && !(c.type & CHUNK_ANCILLARY)) return `unknown critical chunk type ${c.type} (written by a newer Chronovisor?)`;
  if (c.type !== CHUNK_EVENTS) return null;
  if (c.eventCount === 0) return 'events chunk with no events';
  if (c.firstIcount < c.baseIcount || c.lastIcount < c.firstIcount) return `icounts out of order (base ${c.baseIcount}, first ${c.firstIcount}, last ${c.lastIcount})`;
  if (!prev) return null;
  const seq = prev.firstSeq + prev.eventCount;
  if (c.firstSeq !== seq) return `first seq is ${c.firstSeq} but the previous events chunk ended before seq ${seq}`;
  if (c.baseIcount !== prev.lastIcount) return `icount base ${c.baseIcount} does not continue the previous events chunk (last icount ${prev.lastIcount})`;
  return null;
}

/**
 * Walks every chunk from the header on. `full` also reads, CRC-checks, inflates and decodes
 * each payload (verify and salvage); otherwise only headers are read (a footer-less open).
 */
export function scanChunks(src: ByteSource, header: FileHeader, full: boolean): ScanResult {
  const chunks: ChunkInfo[] = [];
  let events = 0;
  let prevEvents: ChunkInfo | null = null;
  let prevEnd: DeltaState | null = null;
  let indexChunk: ChunkInfo | null = null;
  let pos = header.size;
  const result = (damage: DamageLocation | null, footer: Footer | null = null): ScanResult => ({ chunks, indexChunk, footer, damage });
  const fault = (code: TraceErrorCode, reason: string, chunk: number | null, offset = pos): ScanResult =>
    result({ code, reason, chunk, offset, intactChunks: chunks.length, intactEvents: events });

  for (let number = 1; pos < src.size; number++) {
    const remaining = src.size - pos;
    if (indexChunk) return afterIndex(src, pos, indexChunk, chunks.length, events, result, fault);
    if (remaining < CHUNK_HEADER_SIZE) return fault('truncated', `file ends ${remaining} bytes into a ${CHUNK_HEADER_SIZE}-byte chunk header`, number);
    const h = decodeChunkHeader(src.read(pos, CHUNK_HEADER_SIZE));
    if (typeof h === 'string') return fault(h.includes('CRC') ? 'crc' : 'chunk', h, number);
    const end = pos + CHUNK_HEADER_SIZE + h.storedLength;
    if (end > src.size) return fault('truncated', `chunk declares ${h.storedLength} payload bytes but the file ends ${remaining - CHUNK_HEADER_SIZE} bytes into them (the recording stopped mid-write?)`, number);
    const info: ChunkInfo = Object.freeze({ ...h, offset: pos, number, end });
    if (h.type === CHUNK_INDEX) {
      const reason = checkIndexChunk(src, info, chunks);
      if (reason) return fault('index', reason, number);
      indexChunk = info;
      pos = end;
      continue;
    }
    const order = sequenceFault(prevEvents, h);
    if (order) return fault('chunk', order, number);
    if (full) {
      try {
        const raw = inflatePayload(h, src.read(pos + CHUNK_HEADER_SIZE, h.storedLength));
        if (h.type === CHUNK_EVENTS) {
          if (prevEnd && (h.baseDomain !== prevEnd.domain || h.baseVcpu !== prevEnd.vcpu)) {
            return fault('chunk', `base context d${h.baseDomain}:v${h.baseVcpu} does not continue the previous chunk (d${prevEnd.domain}:v${prevEnd.vcpu})`, number);
          }
          prevEnd = decodeEventsPayload(header.schema, h, raw, false).end;
        }
      } catch (e) {
        if (e instanceof ChunkFault) return fault(e.code, e.message, number);
        throw e;
      }
    }
    chunks.push(info);
    if (h.type === CHUNK_EVENTS) {
      events += h.eventCount;
      prevEvents = info;
    }
    pos = end;
  }
  return result(null);
}

/** Only a footer may follow the index chunk, and it must agree with it. */
function afterIndex(
  src: ByteSource, pos: number, index: ChunkInfo, chunkCount: number, events: number,
  result: (d: null, f: Footer) => ScanResult, fault: (code: TraceErrorCode, reason: string, chunk: null) => ScanResult,
): ScanResult {
  const remaining = src.size - pos;
  const tail = src.read(pos, Math.min(remaining, FOOTER_SIZE));
  if (remaining < FOOTER_SIZE) {
    return tail.every((x, i) => i >= FOOTER_MAGIC.length || x === FOOTER_MAGIC[i])
      ? fault('truncated', `file ends ${remaining} bytes into the ${FOOTER_SIZE}-byte footer`, null)
      : fault('index', `${remaining} bytes after the index chunk are not a footer`, null);
  }
  if (remaining > FOOTER_SIZE || !hasFooterMagic(tail)) return fault('index', `${remaining} bytes after the index chunk are not a ${FOOTER_SIZE}-byte footer`, null);
  const f = decodeFooter(tail);
  if (typeof f === 'string') return fault('crc', f, null);
  const problem = footerFault(f, index.offset, chunkCount, events);
  return problem ? fault('index', problem, null) : result(null, f);
}

export function footerFault(f: Footer, indexOffset: number, chunkCount: number, events: number): string | null {
  if (f.indexOffset !== indexOffset) return `footer points at an index chunk at byte ${f.indexOffset}, but it is at ${indexOffset}`;
  if (f.chunkCount !== chunkCount) return `footer counts ${f.chunkCount} chunks, the file has ${chunkCount}`;
  if (f.eventCount !== events) return `footer counts ${f.eventCount} events, the chunks hold ${events}`;
  return null;
}

/** Reads the index chunk's payload and compares every entry with the chunks found. */
function checkIndexChunk(src: ByteSource, info: ChunkInfo, found: readonly ChunkInfo[]): string | null {
  const entries = readIndexEntries(src, info);
  if (typeof entries === 'string') return entries;
  if (entries.length !== found.length) return `index lists ${entries.length} chunks, the file has ${found.length} before it`;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const c = found[i];
    const differs = e.offset !== c.offset ? 'offset' : headerMismatch(e, c);
    if (differs) return `index entry ${i} disagrees with chunk ${c.number} about ${differs}`;
  }
  return null;
}

export function readIndexEntries(src: ByteSource, info: ChunkInfo): IndexEntry[] | string {
  try {
    return decodeIndex(inflatePayload(info, src.read(info.offset + CHUNK_HEADER_SIZE, info.storedLength)));
  } catch (e) {
    if (e instanceof ChunkFault) return e.message;
    throw e;
  }
}

/**
 * The fast open: footer -> index chunk -> chunk list, checked for internal consistency
 * (contiguous offsets, seq continuity, counts) without touching the chunks themselves.
 * null when the file has no footer magic at its end. Damage here is located but the intact
 * prefix is unknown (nothing was scanned), so salvage must scan instead.
 */
export function readFromFooter(src: ByteSource, header: FileHeader): ScanResult | null {
  const footerOffset = src.size - FOOTER_SIZE;
  if (footerOffset < header.size + CHUNK_HEADER_SIZE) return null;
  const tail = src.read(footerOffset, FOOTER_SIZE);
  if (!hasFooterMagic(tail)) return null;
  const fail = (code: TraceErrorCode, reason: string, chunk: number | null, offset: number): ScanResult => ({
    chunks: [], indexChunk: null, footer: null, damage: { code, reason, chunk, offset, intactChunks: null, intactEvents: null },
  });
  const f = decodeFooter(tail);
  if (typeof f === 'string') return fail('crc', f, null, footerOffset);
  if (f.indexOffset < header.size || f.indexOffset + CHUNK_HEADER_SIZE > footerOffset) return fail('index', `footer points at byte ${f.indexOffset}, outside the chunk area`, null, footerOffset);
  const number = f.chunkCount + 1;
  const h = decodeChunkHeader(src.read(f.indexOffset, CHUNK_HEADER_SIZE));
  if (typeof h === 'string') return fail(h.includes('CRC') ? 'crc' : 'chunk', h, number, f.indexOffset);
  if (h.type !== CHUNK_INDEX) return fail('index', `footer points at a ${h.type} chunk, not the index`, number, f.indexOffset);
  if (f.indexOffset + CHUNK_HEADER_SIZE + h.storedLength !== footerOffset) return fail('index', 'index chunk does not end where the footer starts', number, f.indexOffset);
  const indexChunk: ChunkInfo = Object.freeze({ ...h, offset: f.indexOffset, number, end: footerOffset });
  const entries = readIndexEntries(src, indexChunk);
  if (typeof entries === 'string') return fail('index', entries, number, f.indexOffset);
  const chunks: ChunkInfo[] = [];
  let pos = header.size;
  let prev: ChunkHeader | null = null;
  let events = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.offset !== pos) return fail('index', `index entry ${i} puts chunk ${i + 1} at byte ${e.offset}, expected ${pos}`, number, f.indexOffset);
    const problem = chunkHeaderFault(e) ?? sequenceFault(prev, e);
    if (problem) return fail('index', `index entry ${i}: ${problem}`, number, f.indexOffset);
    pos = e.offset + CHUNK_HEADER_SIZE + e.storedLength;
    chunks.push(Object.freeze({ ...e, number: i + 1, end: pos }));
    if (e.type === CHUNK_EVENTS) {
      events += e.eventCount;
      prev = e;
    }
  }
  if (pos !== f.indexOffset) return fail('index', `indexed chunks end at byte ${pos}, but the index chunk starts at ${f.indexOffset}`, number, f.indexOffset);
  const problem = footerFault(f, f.indexOffset, entries.length, events);
  if (problem) return fail('index', problem, null, footerOffset);
  return { chunks, indexChunk, footer: f, damage: null };
}
