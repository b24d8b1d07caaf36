// The device tree QEMU actually hands the firmware, read from guest RAM at the reset vector.
// It is not what `-M virt,dumpdtb=` writes: QEMU 7.2 re-draws every /chosen/rng-seed when it
// resets the machine (qemu_fdt_randomize_seeds, a reset handler on the "fdt" ROM blob), after
// dumpdtb has run, so only RAM shows the bytes OpenSBI copies (docs/ORACLE.md §7).
import { QemuSession, type QemuOptions } from './qemu-session.ts';

/**
 * /chosen/rng-seed as the guest sees it with `-seed 1` (QEMU 7.2, any -dtb or none): the
 * reset-time draw, measured with readQemuGuestFdt(). dumpdtb shows the machine-init draw
 * (0xdf6af1d8 ...) instead.
 */
export const QEMU_SEED1_RNG_SEED = Uint8Array.from(
  Buffer.from('a3d811736110e5781bcccea696762e6116c6e9c92d99bf358c2e0718822ce47c', 'hex'),
);

/** Starts QEMU paused at the reset vector and reads the flattened device tree at `fdtAddr`. */
export async function readQemuGuestFdt(opts: QemuOptions, fdtAddr: bigint): Promise<Uint8Array> {
  const s = await QemuSession.start({ ...opts, gdb: true });
  try {
    const header = await s.gdb.readMemory(fdtAddr, 8);
    const magic = Buffer.from(header).readUInt32BE(0);
    if (magic !== 0xd00dfeed) throw new Error(`no device tree at 0x${fdtAddr.toString(16)} in QEMU's RAM (magic 0x${magic.toString(16)})`);
    return await s.gdb.readMemory(fdtAddr, Buffer.from(header).readUInt32BE(4));
  } finally {
    await s.close();
  }
}

/** Value of /chosen/rng-seed in a blob, found by its name in the strings block (for messages). */
export function rngSeedOf(blob: Uint8Array): Uint8Array | null {
  const b = Buffer.from(blob);
  const structOff = b.readUInt32BE(8);
  const stringsOff = b.readUInt32BE(12);
  for (let at = structOff; at + 12 <= stringsOff; at += 4) {
    if (b.readUInt32BE(at) !== 3) continue; // FDT_PROP
    const len = b.readUInt32BE(at + 4);
    const nameOff = b.readUInt32BE(at + 8);
    const nameAt = stringsOff + nameOff;
    if (nameAt >= b.length) continue;
    if (b.toString('latin1', nameAt, nameAt + 9) === 'rng-seed\0' && len === 32) return blob.slice(at + 12, at + 44);
  }
  return null;
}
