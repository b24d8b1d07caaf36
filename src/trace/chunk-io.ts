// Reading one chunk back: fetch header and payload with one read, check the header against
// what the index or scan said, check the payload CRC, inflate, and for event chunks decode
// every record to prove the payload holds exactly what the header claims. Problems are
// thrown as ChunkFault (what is wrong, not where); callers add the location.

import fs from 'node:fs';
import zlib from 'node:zlib';
import type { DeltaState } from '../events/codec.ts';
import type { TraceEvent } from '../events/event.ts';
import type { Schema } from '../events/schema.ts';
import { EventDecoder } from '../events/span.ts';
import { DecodeError } from '../events/varint.ts';
import { crc32 } from './crc32.ts';
import { TraceError, type TraceErrorCode } from './errors.ts';
import { CHUNK_HEADER_SIZE, type ChunkHeader, decodeChunkHeader, FLAG_DEFLATE, headerMismatch, hex, type IndexEntry } from './format.ts';

/** Random-access bytes: a file or, for tests and embedded traces, memory. */
export interface ByteSource {
  readonly path: string;
  readonly size: number;
  /** Exactly `length` bytes at `offset`; callers never read past `size`. */
  read(offset: number, length: number): Uint8Array;
  close(): void;
}

export function fileSource(path: string, fd: number): ByteSource {
  const size = fs.fstatSync(fd).size;
  return {
    path,
    size,
    read(offset, length) {
      const out = new Uint8Array(length);
      for (let done = 0; done < length; ) {
        let n: number;
        try {
          n = fs.readSync(fd, out, done, length - done, offset + done);
        } catch (e) {
          throw new TraceError(path, 'io', `${path}: read failed at byte offset ${offset + done}: ${(e as Error).message}`, { offset: offset + done });
        }
        if (n === 0) throw new TraceError(path, 'io', `${path}: file shrank while being read (nothing at byte offset ${offset + done})`, { offset: offset + done });
        done += n;
      }
      return out;
    },
    close() {
      fs.closeSync(fd);
    },
  };
}

export function memorySource(bytes: Uint8Array, path: string): ByteSource {
  return { path, size: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length), close() {} };
}

/** A chunk as listed by the index or found by a scan. */
export interface ChunkInfo extends IndexEntry {
  /** 1-based position in the file, as error messages count. */
  readonly number: number;
  /** Offset just past the payload. */
  readonly end: number;
}

export class ChunkFault extends Error {
  constructor(
    readonly code: TraceErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a chunk whose header was already checked, validates and inflates its payload. */
export function loadPayload(src: ByteSource, chunk: ChunkInfo): Uint8Array {
  const bytes = src.read(chunk.offset, CHUNK_HEADER_SIZE + chunk.storedLength);
  const h = decodeChunkHeader(bytes.subarray(0, CHUNK_HEADER_SIZE));
  if (typeof h === 'string') throw new ChunkFault(h.includes('CRC') ? 'crc' : 'chunk', h);
  const differs = headerMismatch(h, chunk);
  if (differs) throw new ChunkFault('index', `chunk header disagrees with the index about ${differs} (header ${h[differs]}, index ${chunk[differs]})`);
  return inflatePayload(h, bytes.subarray(CHUNK_HEADER_SIZE));
}

export function inflatePayload(h: ChunkHeader, stored: Uint8Array): Uint8Array {
  const computed = crc32(stored);
  if (computed !== h.payloadCrc) throw new ChunkFault('crc', `payload CRC mismatch (stored ${hex(h.payloadCrc)}, computed ${hex(computed)})`);
  if (!(h.flags & FLAG_DEFLATE)) return stored;
  let raw: Uint8Array;
  try {
    const out = zlib.inflateRawSync(stored, { maxOutputLength: Math.max(1, h.rawLength) });
    raw = new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch (e) {
    throw new ChunkFault('payload', `payload does not inflate (${(e as Error).message})`);
  }
  if (raw.length !== h.rawLength) throw new ChunkFault('payload', `payload inflates to ${raw.length} bytes, header says ${h.rawLength}`);
  return raw;
}

/**
 * Decodes an events payload, checking count, seqs and icounts against the header. Returns
 * the events (when asked) and the delta state after the last one.
 */
export function decodeEventsPayload(schema: Schema, h: ChunkHeader, raw: Uint8Array, materialize: boolean): { events: TraceEvent[] | null; end: DeltaState } {
  const base = { icount: h.baseIcount, domain: h.baseDomain, vcpu: h.baseVcpu };
  const d = new EventDecoder(schema, raw, h.firstSeq, base);
  const events: TraceEvent[] | null = materialize ? new Array(h.eventCount) : null;
  try {
    for (let i = 0; i < h.eventCount; i++) {
      if (d.atEnd) throw new ChunkFault('payload', `payload holds ${i} events, header says ${h.eventCount}`);
      if (events) events[i] = d.next();
      else d.skip();
      if (i === 0 && d.icount !== h.firstIcount) throw new ChunkFault('payload', `first event has icount ${d.icount}, header says ${h.firstIcount}`);
    }
  } catch (e) {
    if (e instanceof DecodeError) throw new ChunkFault('payload', `event ${d.seq} (byte ${e.at} of the inflated payload) does not decode: ${e.message}`);
    throw e;
  }
  if (!d.atEnd) throw new ChunkFault('payload', `${raw.length - d.pos} bytes follow the last of the ${h.eventCount} events`);
  if (d.icount !== h.lastIcount) throw new ChunkFault('payload', `last event has icount ${d.icount}, header says ${h.lastIcount}`);
  return { events, end: d.state };
}
