// The debugger-facing API of src/replay (DESIGN §1): everything debugger/ and `chronovisor
// debug --print` may use. Nothing outside src/replay/debug needs machine internals.
export { DebugSession, type HartInfo, type MotionResult, type SessionOptions } from './session.ts';
export { runJob, unitBudget, type Job, type JobProgress, type JobState, type SliceBudget } from './job.ts';
export type { DisasmLine } from './disasm-view.ts';
export type { MemoryBytes } from './memory.ts';
export type { RegisterSnapshot, PrivilegeName } from './registers.ts';
export { describeStop, type Breakpoint, type Stop, type StopHit, type Watchpoint, type WatchAccess } from './stops.ts';
export type { ContinueResult } from './scan.ts';
export { littleEndianHex } from './hit-text.ts';
export type { TraceEvent } from '../../events/index.ts';
