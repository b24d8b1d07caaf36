// cvblk: the emulated block device of an HVM domain (register map in registers.ts, guest
// view in docs/DEVICE-MODEL.md). Deliberately simpler than virtio-blk: one request at a time,
// described in registers instead of a ring, and performed in full during the guest's write
// to COMMAND. Synchronous completion is what makes it deterministic: the data, STATUS and
// the interrupt are all in place by the instruction after the store, whatever the host does.

import type { AccessSize, IrqLine, MmioDevice } from '../../../machine/device.ts';
import type { AccessRule, HasAccessRule } from '../../../machine/devices/access.ts';
import type { GuestMemory } from '../../types.ts';
import { SECTOR_SIZE, type BlockBackend, type BlockStatus } from '../block-backend.ts';
import { inGuestRam, readWord64Halves } from '../dma.ts';
import * as R from './registers.ts';

export interface CvblkOptions {
  /** Device name for events and the device tree ("cvblk0"). */
  name: string;
  backend: BlockBackend;
  memory: GuestMemory;
  /** PLIC source line. */
  irq: IrqLine;
  /** Window size (the slot size); registers beyond REGISTERS_END read 0. */
  size: number;
}

/** Checkpoint state: register contents as 32-bit numbers. */
export interface CvblkState {
  sectorLo: number;
  sectorHi: number;
  bufferLo: number;
  bufferHi: number;
  count: number;
  status: number;
  intStatus: number;
  intEnable: number;
  completed: number;
}

/** Aligned 4- and 8-byte accesses only; anything else is an access fault for the guest. */
const CVBLK_ACCESS: AccessRule = Object.freeze({ minSize: 4, maxSize: 8 });

const STATUS_OF: Record<BlockStatus, number> = {
  ok: R.STATUS_OK,
  'io-error': R.STATUS_IO_ERROR,
  'out-of-range': R.STATUS_OUT_OF_RANGE,
  'read-only': R.STATUS_READ_ONLY,
};

export class Cvblk implements MmioDevice, HasAccessRule {
  readonly name: string;
  readonly size: number;
  readonly backend: BlockBackend;
  private readonly memory: GuestMemory;
  private readonly irq: IrqLine;
  private s: CvblkState = Cvblk.resetState();

  constructor(o: CvblkOptions) {
    this.name = o.name;
    this.size = o.size;
    this.backend = o.backend;
    this.memory = o.memory;
    this.irq = o.irq;
  }

  private static resetState(): CvblkState {
    return { sectorLo: 0, sectorHi: 0, bufferLo: 0, bufferHi: 0, count: 0, status: R.STATUS_OK, intStatus: 0, intEnable: 0, completed: 0 };
  }

  accessRule(_offset: number): AccessRule {
    return CVBLK_ACCESS;
  }

  reset(): void {
    this.s = Cvblk.resetState();
    this.irq.set(false);
  }

  read(offset: number, size: AccessSize): number {
    if (size !== 4 || offset % 4 !== 0) return 0;
    const s = this.s;
    switch (offset) {
      case R.REG_MAGIC: return R.CVBLK_MAGIC;
      case R.REG_VERSION: return R.CVBLK_VERSION;
      case R.REG_DEVICE_ID: return R.DEVICE_ID_BLOCK;
      case R.REG_FEATURES: return R.FEATURE_FLUSH | (this.backend.readOnly ? R.FEATURE_READ_ONLY : 0);
      case R.REG_CAPACITY_LO: return this.backend.sectors >>> 0;
      case R.REG_CAPACITY_HI: return Math.floor(this.backend.sectors / 2 ** 32) >>> 0;
      case R.REG_SECTOR_SIZE: return SECTOR_SIZE;
      case R.REG_MAX_SECTORS: return R.MAX_SECTORS;
      case R.REG_SECTOR_LO: return s.sectorLo;
      case R.REG_SECTOR_HI: return s.sectorHi;
      case R.REG_BUFFER_LO: return s.bufferLo;
      case R.REG_BUFFER_HI: return s.bufferHi;
      case R.REG_COUNT: return s.count;
      case R.REG_STATUS: return s.status;
      case R.REG_INT_STATUS: return s.intStatus;
      case R.REG_INT_ENABLE: return s.intEnable;
      case R.REG_COMPLETED: return s.completed;
      default: return 0;
    }
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (size !== 4 || offset % 4 !== 0) return;
    const v = value >>> 0;
    const s = this.s;
    switch (offset) {
      case R.REG_SECTOR_LO: s.sectorLo = v; return;
      case R.REG_SECTOR_HI: s.sectorHi = v; return;
      case R.REG_BUFFER_LO: s.bufferLo = v; return;
      case R.REG_BUFFER_HI: s.bufferHi = v; return;
      case R.REG_COUNT: s.count = v; return;
      case R.REG_COMMAND: this.execute(v); return;
      case R.REG_INT_ACK:
        s.intStatus = (s.intStatus & ~v) >>> 0;
        this.updateIrq();
        return;
      case R.REG_INT_ENABLE:
        s.intEnable = v & R.INT_DONE;
        this.updateIrq();
        return;
      default:
        return; // read-only or unassigned: ignored
    }
  }

  save(): CvblkState {
    return { ...this.s };
  }

  /** Registers only; the disk's own contents are saved through its backend. */
  restore(state: unknown): void {
    this.s = { ...(state as CvblkState) };
  }

  /** Performs one request and completes it: STATUS, COMPLETED, INT_DONE, the line. */
  private execute(cmd: number): void {
    const s = this.s;
    s.status = this.perform(cmd);
    s.completed = (s.completed + 1) >>> 0;
    s.intStatus |= R.INT_DONE;
    this.updateIrq();
  }

  private perform(cmd: number): number {
    const s = this.s;
    if (cmd !== R.CMD_READ && cmd !== R.CMD_WRITE && cmd !== R.CMD_FLUSH) return R.STATUS_BAD_COMMAND;
    if (cmd === R.CMD_FLUSH) return R.STATUS_OK; // backends complete every write before returning
    if (s.count === 0 || s.count > R.MAX_SECTORS) return R.STATUS_BAD_COUNT;
    const sector = s.sectorHi * 2 ** 32 + s.sectorLo;
    if (sector + s.count > this.backend.sectors) return R.STATUS_OUT_OF_RANGE;
    if (cmd === R.CMD_WRITE && this.backend.readOnly) return R.STATUS_READ_ONLY;
    const gpa = readWord64Halves(s.bufferLo, s.bufferHi);
    const bytes = s.count * SECTOR_SIZE;
    // Checked before any transfer so a bad buffer leaves both guest memory and disk untouched.
    if (!inGuestRam(this.memory, gpa, bytes)) return R.STATUS_BAD_BUFFER;
    const data = new Uint8Array(bytes);
    if (cmd === R.CMD_READ) {
      const st = this.backend.read(sector, s.count, data);
      if (st !== 'ok') return STATUS_OF[st];
      return this.memory.write(gpa, data) ? R.STATUS_OK : R.STATUS_BAD_BUFFER;
    }
    if (!this.memory.read(gpa, data)) return R.STATUS_BAD_BUFFER;
    return STATUS_OF[this.backend.write(sector, data)];
  }

  private updateIrq(): void {
    this.irq.set((this.s.intStatus & this.s.intEnable) !== 0);
  }
}
