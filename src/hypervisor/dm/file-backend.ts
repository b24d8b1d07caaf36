// A disk backed by a host image file (raw format), in one of three modes, like xl.cfg's
// disk access modes plus QEMU's -snapshot:
//   'rw'  reads and writes go to the file (the image changes; checkpoints cannot undo it)
//   'ro'  reads from the file; the guest sees a read-only disk and writes are refused
//   'cow' reads from the file; writes go to an in-memory overlay and the file is never
//         written (opened read-only), so a recorded run can be replayed from the same image
//
// This is the only file in src/hypervisor that touches the host file system (DESIGN.md §1:
// the hypervisor knows nothing of files); everything else sees the BlockBackend interface.
// All I/O is synchronous, and the disk size is fixed when the file is opened, so the guest
// sees the same bytes at the same point of every run.

import * as fs from 'node:fs';
import { CowOverlay, SECTOR_SIZE, checkRange, type BlockBackend, type BlockOverlayState, type BlockStatus } from './block-backend.ts';

export type DiskMode = 'rw' | 'ro' | 'cow';

/** Opening an image failed; the message names the file and what to do. */
export class DiskImageError extends Error {
  override name = 'DiskImageError';
}

export class FileBlockBackend implements BlockBackend {
  readonly sectors: number;
  readonly readOnly: boolean;
  readonly path: string;
  readonly mode: DiskMode;
  private fd: number;
  private readonly overlay: CowOverlay | null;
  /**
   * Present only where a checkpoint captures every guest-visible change: 'ro' (nothing
   * changes) and 'cow' (the overlay). A 'rw' disk's writes reach the file and cannot be undone.
   */
  readonly save?: () => BlockOverlayState;
  readonly restore?: (state: BlockOverlayState) => void;

  private constructor(path: string, mode: DiskMode, fd: number, bytes: number) {
    this.path = path;
    this.mode = mode;
    this.fd = fd;
    // A trailing partial sector is not part of the disk: no request can reach past the file.
    this.sectors = Math.floor(bytes / SECTOR_SIZE);
    this.readOnly = mode === 'ro';
    const overlay = mode === 'cow' ? new CowOverlay() : null;
    this.overlay = overlay;
    if (mode !== 'rw') {
      this.save = () => overlay?.save() ?? { sectors: [] };
      this.restore = (st) => {
        if (overlay) overlay.restore(st);
        else if (st.sectors.length > 0) throw new Error(`disk checkpoint has written sectors but ${path} is read-only`);
      };
    }
  }

  /** Opens `path` in `mode`; throws DiskImageError with the reason. */
  static open(path: string, mode: DiskMode): FileBlockBackend {
    let fd: number;
    try {
      fd = fs.openSync(path, mode === 'rw' ? 'r+' : 'r');
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      const hint = mode === 'rw' ? ' (a writable disk needs write permission; use mode "ro" or "cow" otherwise)' : '';
      throw new DiskImageError(`cannot open disk image ${path}: ${why}${hint}`);
    }
    const st = fs.fstatSync(fd);
    if (!st.isFile()) {
      fs.closeSync(fd);
      throw new DiskImageError(`disk image ${path} is not a regular file`);
    }
    if (st.size < SECTOR_SIZE) {
      fs.closeSync(fd);
      throw new DiskImageError(`disk image ${path} is ${st.size} bytes; a disk needs at least one ${SECTOR_SIZE}-byte sector`);
    }
    return new FileBlockBackend(path, mode, fd, st.size);
  }

  /** Sectors written to the overlay ('cow' mode). */
  get overlaySectors(): number {
    return this.overlay?.size ?? 0;
  }

  read(sector: number, count: number, out: Uint8Array): BlockStatus {
    const st = checkRange(this.sectors, sector, count, out.length);
    if (st !== 'ok') return st;
    const bytes = count * SECTOR_SIZE;
    try {
      let done = 0;
      while (done < bytes) {
        const n = fs.readSync(this.fd, out, done, bytes - done, sector * SECTOR_SIZE + done);
        // The file shrank under us: never invent data, report the failure.
        if (n === 0) return 'io-error';
        done += n;
      }
    } catch {
      return 'io-error';
    }
    this.overlay?.patch(sector, count, out);
    return 'ok';
  }

  write(sector: number, data: Uint8Array): BlockStatus {
    if (this.readOnly) return 'read-only';
    if (data.length % SECTOR_SIZE !== 0) return 'out-of-range';
    const st = checkRange(this.sectors, sector, data.length / SECTOR_SIZE, data.length);
    if (st !== 'ok') return st;
    if (this.overlay) {
      this.overlay.store(sector, data);
      return 'ok';
    }
    try {
      let done = 0;
      while (done < data.length) {
        done += fs.writeSync(this.fd, data, done, data.length - done, sector * SECTOR_SIZE + done);
      }
    } catch {
      return 'io-error';
    }
    return 'ok';
  }

  /** Closes the file; later requests fail with 'io-error'. */
  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}
