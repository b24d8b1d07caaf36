// Public surface of src/events: the event model, the kind registry and the append-only log.
export type { FieldFormat, FieldSpec, FieldTypeName, FieldValue, KindSpec, Payload, PayloadOfSpec } from './field-types.ts';
export { EXIT_REASONS, KINDS, LIFECYCLE_ACTIONS, PRIVILEGE_MODES, privilegeMode, SCHED_REASONS } from './kinds.ts';
export type { KindName, PayloadInput, PayloadOf } from './kinds.ts';
export { defaultSchema, Schema, SchemaError } from './schema.ts';
export { eventFromJson, eventToJson, formatEvent, formatValue, freezeEvent, isKind } from './event.ts';
export type { EventJson, EventOf, TraceEvent } from './event.ts';
export { ZERO_STATE } from './codec.ts';
export type { DeltaState } from './codec.ts';
export { decodeSpan, EventDecoder } from './span.ts';
export type { EventSpan } from './span.ts';
export { EventLog } from './log.ts';
export type { EventLogOptions, PrivilegeMode } from './log.ts';
export { diffEvents, eventsEqual, formatDiff, sameRecord, valuesEqual } from './diff.ts';
export type { DiffOptions, FieldDiff } from './diff.ts';
export { DecodeError } from './varint.ts';
