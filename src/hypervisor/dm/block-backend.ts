// Disk backends: where a domain's virtual disk keeps its sectors. The emulated cvblk device
// (HVM) and the PV blkback (later) both drive a BlockBackend, so disk semantics — sector
// size, range checks, read-only refusal, copy-on-write — are written once.
//
// Every call is synchronous and completes before it returns, so what the guest sees depends
// only on the order of requests, never on host I/O timing. Requests are refused whole: a
// request that reaches past the end, or a write to a read-only disk, changes nothing.

/** Bytes per sector, as every interface here counts them (cvblk, blkif). */
export const SECTOR_SIZE = 512;

/** Result of a request; anything but 'ok' means nothing was transferred. */
export type BlockStatus = 'ok' | 'out-of-range' | 'read-only' | 'io-error';

export interface BlockBackend {
  /** Disk size in 512-byte sectors. */
  readonly sectors: number;
  /** True when writes are refused (the guest sees a read-only disk). */
  readonly readOnly: boolean;
  /** Reads `count` sectors from `sector` into out[0 .. count*512). */
  read(sector: number, count: number, out: Uint8Array): BlockStatus;
  /** Writes data (a whole number of sectors) at `sector`. */
  write(sector: number, data: Uint8Array): BlockStatus;
  /**
   * Checkpoint state (plain data) of what the guest has written, when the backend can roll it
   * back. Absent on backends that write through to a host file: checkpoints of a domain
   * using one cannot restore its disk (DeviceModel.checkpointable says so).
   */
  save?(): BlockOverlayState;
  restore?(state: BlockOverlayState): void;
}

/** Sectors written over the base image, ascending, each as base64 of 512 bytes. */
export interface BlockOverlayState {
  sectors: Array<[sector: number, base64: string]>;
}

/** Checks a request's range; writes must also be a whole number of sectors. */
export function checkRange(disk: number, sector: number, count: number, bufferBytes: number): BlockStatus {
  if (!Number.isSafeInteger(sector) || !Number.isSafeInteger(count) || sector < 0 || count < 0) return 'out-of-range';
  if (sector + count > disk) return 'out-of-range';
  if (bufferBytes < count * SECTOR_SIZE) return 'out-of-range';
  return 'ok';
}

/**
 * Sectors written since the base image, kept in memory. Copy-on-write disks put every write
 * here and never touch their image; reads take overlay sectors first.
 */
export class CowOverlay {
  private readonly dirty = new Map<number, Uint8Array>();

  get size(): number {
    return this.dirty.size;
  }

  /** Copies overlay sectors of [sector, sector+count) over `out`, which holds the base data. */
  patch(sector: number, count: number, out: Uint8Array): void {
    if (this.dirty.size === 0) return;
    for (let i = 0; i < count; i++) {
      const s = this.dirty.get(sector + i);
      if (s) out.set(s, i * SECTOR_SIZE);
    }
  }

  store(sector: number, data: Uint8Array): void {
    const n = data.length / SECTOR_SIZE;
    for (let i = 0; i < n; i++) this.dirty.set(sector + i, data.slice(i * SECTOR_SIZE, (i + 1) * SECTOR_SIZE));
  }

  save(): BlockOverlayState {
    const keys = [...this.dirty.keys()].sort((a, b) => a - b);
    return { sectors: keys.map((k) => [k, Buffer.from(this.dirty.get(k)!).toString('base64')]) };
  }

  restore(state: BlockOverlayState): void {
    this.dirty.clear();
    for (const [k, b64] of state.sectors) {
      const data = new Uint8Array(Buffer.from(b64, 'base64'));
      if (data.length !== SECTOR_SIZE) throw new Error(`disk checkpoint: sector ${k} holds ${data.length} bytes, not ${SECTOR_SIZE}`);
      this.dirty.set(k, data);
    }
  }
}

export interface MemoryBlockBackendOptions {
  readOnly?: boolean;
}

/**
 * A disk held in memory: a base image that is never modified plus an overlay of written
 * sectors. Used by tests and for small generated disks; checkpoints capture the overlay.
 */
export class MemoryBlockBackend implements BlockBackend {
  readonly sectors: number;
  readonly readOnly: boolean;
  private readonly base: Uint8Array;
  private readonly overlay = new CowOverlay();

  /** `image` is copied; a trailing partial sector is not part of the disk. */
  constructor(image: Uint8Array | number, opts: MemoryBlockBackendOptions = {}) {
    this.base = typeof image === 'number' ? new Uint8Array(image * SECTOR_SIZE) : image.slice();
    this.sectors = Math.floor(this.base.length / SECTOR_SIZE);
    this.readOnly = opts.readOnly ?? false;
  }

  read(sector: number, count: number, out: Uint8Array): BlockStatus {
    const st = checkRange(this.sectors, sector, count, out.length);
    if (st !== 'ok') return st;
    out.set(this.base.subarray(sector * SECTOR_SIZE, (sector + count) * SECTOR_SIZE));
    this.overlay.patch(sector, count, out);
    return 'ok';
  }

  write(sector: number, data: Uint8Array): BlockStatus {
    if (this.readOnly) return 'read-only';
    if (data.length % SECTOR_SIZE !== 0) return 'out-of-range';
    const st = checkRange(this.sectors, sector, data.length / SECTOR_SIZE, data.length);
    if (st !== 'ok') return st;
    this.overlay.store(sector, data);
    return 'ok';
  }

  save(): BlockOverlayState {
    return this.overlay.save();
  }

  restore(state: BlockOverlayState): void {
    this.overlay.restore(state);
  }
}
