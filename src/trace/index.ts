// Public surface of src/trace: the versioned binary trace file (traces/FORMAT.md).
export { TraceWriter } from './writer.ts';
export type { TraceSummary, TraceWriterOptions } from './writer.ts';
export { TraceReader } from './reader.ts';
export type { CheckpointInfo, OpenOptions } from './reader.ts';
export type { ChunkInfo } from './chunk-io.ts';
export { EventCursor } from './cursor.ts';
export { canonicalJson, imageDigest } from './header.ts';
export type { ImageDigest, TraceConfig, VirtualTimeRule } from './header.ts';
export { damageMessage, TraceError } from './errors.ts';
export type { Damage, DamageLocation, TraceErrorCode } from './errors.ts';
export { CHUNK_CHECKPOINT, CHUNK_EVENTS, CHUNK_INDEX, chunkTypeName, VERSION_MAJOR, VERSION_MINOR } from './format.ts';
export { crc32 } from './crc32.ts';
