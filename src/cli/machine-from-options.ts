// Builds a bare machine from `run`/`record` options (the --bios/--kernel form).
import { readImage, type GuestImage } from '../machine/image.ts';
import { Machine } from '../machine/machine.ts';
import type { RunOptions } from './run-options.ts';
import { UsageError } from './run-options.ts';

export interface BareMachineSetup {
  machine: Machine;
  images: GuestImage[];
}

export function buildBareMachine(o: RunOptions, hooks: { onConsole: (b: number) => void; wallClockNs: () => bigint }): BareMachineSetup {
  if (!o.bios && !o.kernel) throw new UsageError('give --bios FILE (or --bios none with --kernel FILE)');
  const bios = o.bios && o.bios !== 'none' ? readImage('bios', o.bios) : null;
  const kernel = o.kernel ? readImage('kernel', o.kernel) : null;
  const initrd = o.initrd ? readImage('initrd', o.initrd) : null;
  if (!bios && !kernel) throw new UsageError('--bios none needs --kernel FILE');
  const machine = new Machine({
    memBytes: o.memBytes,
    harts: o.smp,
    icountShift: o.icountShift,
    bios,
    kernel,
    initrd,
    bootargs: o.append,
    wallClockNs: hooks.wallClockNs,
    onConsole: hooks.onConsole,
  });
  return { machine, images: [bios, kernel, initrd].filter((x): x is GuestImage => x !== null) };
}
