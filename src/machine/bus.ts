// The MMIO bus: maps address ranges to address-agnostic devices. Adding a device whose
// window overlaps another is an error. 8-byte accesses are split into two 4-byte accesses
// (low word first) unless the device has exact 64-bit hooks.
import type { MmioDevice } from './device.ts';

export interface BusMapping {
  readonly base: number;
  readonly size: number;
  readonly device: MmioDevice;
  /** Position in the bus's device list: the stable id used in events. */
  readonly index: number;
}

/** Observes every MMIO access after it happened (recording, statistics). */
export type MmioObserver = (m: BusMapping, offset: number, size: number, lo: number, hi: number, write: boolean) => void;

export class BusError extends Error {}

const TWO32 = 4294967296;

export class Bus {
  private readonly maps: BusMapping[] = [];
  private sorted: BusMapping[] = [];
  private last: BusMapping | null = null;
  observer: MmioObserver | null = null;

  add(base: number, device: MmioDevice): BusMapping {
    const end = base + device.size;
    for (const m of this.maps) {
      if (base < m.base + m.size && m.base < end) {
        throw new BusError(
          `cannot map ${device.name} at 0x${base.toString(16)}-0x${(end - 1).toString(16)}: ` +
            `it overlaps ${m.device.name} at 0x${m.base.toString(16)}-0x${(m.base + m.size - 1).toString(16)}`,
        );
      }
    }
    const m: BusMapping = { base, size: device.size, device, index: this.maps.length };
    this.maps.push(m);
    this.sorted = [...this.maps].sort((a, b) => a.base - b.base);
    return m;
  }

  get mappings(): readonly BusMapping[] {
    return this.maps;
  }

  find(pa: number): BusMapping | null {
    const l = this.last;
    if (l && pa >= l.base && pa < l.base + l.size) return l;
    const s = this.sorted;
    let lo = 0, hi = s.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = s[mid];
      if (pa < m.base) hi = mid - 1;
      else if (pa >= m.base + m.size) lo = mid + 1;
      else {
        this.last = m;
        return m;
      }
    }
    return null;
  }

  /** Whether the device accepts an access of `size` at `off` (QEMU faults the others). */
  private allowed(d: MmioDevice, off: number, size: number): boolean {
    if (!d.accessRule) return true;
    const r = d.accessRule(off);
    return size >= r.minSize && size <= r.maxSize && off % size === 0;
  }

  /** Reads into out[0] (low) / out[1] (high). Returns false when nothing answers at pa. */
  read(pa: number, size: 1 | 2 | 4 | 8, out: Int32Array): boolean {
    const m = this.find(pa);
    if (!m || pa + size > m.base + m.size) return false;
    const off = pa - m.base;
    const d = m.device;
    if (!this.allowed(d, off, size)) return false;
    if (size === 8) {
      if (d.read64) {
        const v = d.read64(off);
        out[0] = Number(BigInt.asIntN(32, v));
        out[1] = Number(BigInt.asIntN(32, v >> 32n));
      } else {
        out[0] = d.read(off, 4) | 0;
        out[1] = d.read(off + 4, 4) | 0;
      }
    } else {
      out[0] = d.read(off, size) | 0;
      out[1] = 0;
    }
    this.observer?.(m, off, size, out[0], out[1], false);
    return true;
  }

  write(pa: number, size: 1 | 2 | 4 | 8, lo: number, hi: number): boolean {
    const m = this.find(pa);
    if (!m || pa + size > m.base + m.size) return false;
    const off = pa - m.base;
    const d = m.device;
    if (!this.allowed(d, off, size)) return false;
    const mask = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
    if (size === 8) {
      if (d.write64) d.write64(off, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
      else {
        d.write(off, 4, lo >>> 0);
        d.write(off + 4, 4, hi >>> 0);
      }
    } else {
      d.write(off, size, (lo & mask) >>> 0);
    }
    this.observer?.(m, off, size, size === 8 ? lo : lo & mask, size === 8 ? hi : 0, true);
    return true;
  }
}

export function hex(pa: number): string {
  return '0x' + (pa >= TWO32 ? pa.toString(16) : (pa >>> 0).toString(16));
}
