// How a bare-machine run is described in a trace header, and how replay rebuilds the same
// machine from it: the same images (checked by SHA-256), memory, harts and icount shift.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { imageDigest, type TraceConfig } from '../trace/header.ts';
import { readImage, type GuestImage } from '../machine/image.ts';
import { Machine } from '../machine/machine.ts';

export interface BareMachineDescription {
  kind: 'bare';
  memBytes: number;
  harts: number;
  icountShift: number;
  bootargs?: string;
  /** Image paths by role, as given when recording (absolute path alongside). */
  images: Record<string, { path: string; absolute: string } | null>;
  /** Device names by MMIO device id (the `dev` field of mmio events). */
  devices: string[];
}

export class ImageMismatchError extends Error {
  readonly userFacing = true;
}

export function describeBareMachine(m: Machine, images: Record<string, GuestImage | null>): BareMachineDescription {
  const paths: BareMachineDescription['images'] = {};
  for (const [role, img] of Object.entries(images)) paths[role] = img ? { path: img.path, absolute: path.resolve(img.path) } : null;
  return {
    kind: 'bare',
    memBytes: m.config.memBytes,
    harts: m.config.harts,
    icountShift: m.clock.shift,
    bootargs: m.config.bootargs,
    images: paths,
    devices: m.mem.bus.mappings.map((b) => b.device.name),
  };
}

export function traceConfigFor(desc: BareMachineDescription, images: GuestImage[]): TraceConfig {
  return {
    machine: desc,
    images: images.map((i) => imageDigest(i.role, i.bytes)),
    vtime: { icountShift: desc.icountShift },
  };
}

/**
 * Finds an image for replay: an override, the recorded path (relative to the working
 * directory), the recorded absolute path, or the path relative to the trace file.
 */
function locate(role: string, rec: { path: string; absolute: string }, traceDir: string, overrides: Record<string, string>): string {
  if (overrides[role]) return overrides[role];
  for (const p of [rec.path, rec.absolute, path.join(traceDir, rec.path)]) if (existsSync(p)) return p;
  throw new ImageMismatchError(
    `the trace needs its ${role} image "${rec.path}", which is not there (also tried ${rec.absolute}); ` +
      `pass --image ${role}=PATH to point at a copy with the same contents`,
  );
}

/** Rebuilds the recorded machine; refuses images whose contents differ from the recording. */
export function machineFromTrace(
  config: TraceConfig,
  traceFile: string,
  hooks: { wallClockNs: () => bigint; onConsole?: (b: number) => void },
  overrides: Record<string, string> = {},
): { machine: Machine; images: GuestImage[] } {
  const desc = config.machine as BareMachineDescription;
  if (!desc || desc.kind !== 'bare') throw new ImageMismatchError(`${traceFile}: not a bare-machine trace (machine kind ${JSON.stringify((desc as { kind?: unknown })?.kind)})`);
  const loaded: Record<string, GuestImage | null> = {};
  const images: GuestImage[] = [];
  for (const [role, rec] of Object.entries(desc.images)) {
    if (!rec) {
      loaded[role] = null;
      continue;
    }
    const img = readImage(role, locate(role, rec, path.dirname(traceFile), overrides));
    const want = config.images.find((d) => d.name === role);
    if (want && want.sha256 !== img.sha256) {
      throw new ImageMismatchError(
        `${role} image ${img.path} differs from the one recorded in ${traceFile}: sha256 ${img.sha256.slice(0, 16)}… ` +
          `(${img.bytes.length} bytes), recorded ${want.sha256.slice(0, 16)}… (${want.size} bytes). ` +
          `Replay needs the exact same image; pass --image ${role}=PATH to use another copy of it.`,
      );
    }
    loaded[role] = img;
    images.push(img);
  }
  const machine = new Machine({
    memBytes: desc.memBytes,
    harts: desc.harts,
    icountShift: desc.icountShift,
    bios: loaded.bios ?? null,
    kernel: loaded.kernel ?? null,
    initrd: loaded.initrd ?? null,
    bootargs: desc.bootargs,
    wallClockNs: hooks.wallClockNs,
    onConsole: hooks.onConsole,
  });
  return { machine, images };
}
