// cvnet: the emulated NIC of an HVM domain (register map in registers.ts, guest view in
// docs/DEVICE-MODEL.md). Send: the guest describes one frame in registers and writes
// TX_COMMAND; the frame goes to the NetPort during that store. Receive: frames the network
// delivers wait in a bounded queue inside the device; the guest names a buffer and writes
// RX_COMMAND to take the oldest one. Frames arrive only when the network delivers them (the
// core's bridge.deliver()), so arrival points are as deterministic as the scheduler.

import type { AccessSize, IrqLine, MmioDevice } from '../../../machine/device.ts';
import type { AccessRule, HasAccessRule } from '../../../machine/devices/access.ts';
import type { GuestMemory } from '../../types.ts';
import { inGuestRam, readWord64Halves } from '../dma.ts';
import { ETH_HEADER_BYTES, ETH_MAX_FRAME_BYTES, type NetPort } from '../net-port.ts';
import * as R from './registers.ts';

export interface CvnetOptions {
  /** Device name for events and the device tree ("cvnet0"). */
  name: string;
  port: NetPort;
  /** Six bytes. */
  mac: Uint8Array;
  memory: GuestMemory;
  irq: IrqLine;
  size: number;
}

/** Checkpoint state; queued frames as base64. */
export interface CvnetState {
  txAddrLo: number;
  txAddrHi: number;
  txLen: number;
  txStatus: number;
  rxAddrLo: number;
  rxAddrHi: number;
  rxCap: number;
  rxStatus: number;
  rxLen: number;
  intStatus: number;
  intEnable: number;
  txPackets: number;
  rxPackets: number;
  rxDropped: number;
  rxQueue: string[];
}

const CVNET_ACCESS: AccessRule = Object.freeze({ minSize: 4, maxSize: 8 });

export class Cvnet implements MmioDevice, HasAccessRule {
  readonly name: string;
  readonly size: number;
  readonly mac: Uint8Array;
  private readonly port: NetPort;
  private readonly memory: GuestMemory;
  private readonly irq: IrqLine;
  private s: Omit<CvnetState, 'rxQueue'> = Cvnet.resetRegisters();
  private rxQueue: Uint8Array[] = [];

  constructor(o: CvnetOptions) {
    if (o.mac.length !== 6) throw new RangeError(`${o.name}: a MAC address has 6 bytes, got ${o.mac.length}`);
    this.name = o.name;
    this.size = o.size;
    this.mac = o.mac.slice();
    this.port = o.port;
    this.memory = o.memory;
    this.irq = o.irq;
    this.port.onFrame((frame) => this.receiveFromNetwork(frame));
  }

  private static resetRegisters(): Omit<CvnetState, 'rxQueue'> {
    return {
      txAddrLo: 0, txAddrHi: 0, txLen: 0, txStatus: R.RES_OK,
      rxAddrLo: 0, rxAddrHi: 0, rxCap: 0, rxStatus: R.RES_OK, rxLen: 0,
      intStatus: 0, intEnable: 0, txPackets: 0, rxPackets: 0, rxDropped: 0,
    };
  }

  accessRule(_offset: number): AccessRule {
    return CVNET_ACCESS;
  }

  /** Frames waiting for the guest. */
  get rxPending(): number {
    return this.rxQueue.length;
  }

  reset(): void {
    this.s = Cvnet.resetRegisters();
    this.rxQueue = [];
    this.irq.set(false);
  }

  read(offset: number, size: AccessSize): number {
    if (size !== 4 || offset % 4 !== 0) return 0;
    const s = this.s;
    const m = this.mac;
    switch (offset) {
      case R.REG_MAGIC: return R.CVNET_MAGIC;
      case R.REG_VERSION: return R.CVNET_VERSION;
      case R.REG_DEVICE_ID: return R.DEVICE_ID_NET;
      case R.REG_FEATURES: return 0;
      case R.REG_MAC_LO: return (m[0]! | (m[1]! << 8) | (m[2]! << 16) | (m[3]! << 24)) >>> 0;
      case R.REG_MAC_HI: return m[4]! | (m[5]! << 8);
      case R.REG_MAX_FRAME: return ETH_MAX_FRAME_BYTES;
      case R.REG_STATUS: return R.STATUS_LINK_UP | (this.rxQueue.length > 0 ? R.STATUS_RX_AVAIL : 0);
      case R.REG_TX_ADDR_LO: return s.txAddrLo;
      case R.REG_TX_ADDR_HI: return s.txAddrHi;
      case R.REG_TX_LEN: return s.txLen;
      case R.REG_TX_STATUS: return s.txStatus;
      case R.REG_RX_ADDR_LO: return s.rxAddrLo;
      case R.REG_RX_ADDR_HI: return s.rxAddrHi;
      case R.REG_RX_CAP: return s.rxCap;
      case R.REG_RX_STATUS: return s.rxStatus;
      case R.REG_RX_LEN: return s.rxLen;
      case R.REG_RX_PENDING: return this.rxQueue.length;
      case R.REG_INT_STATUS: return s.intStatus;
      case R.REG_INT_ENABLE: return s.intEnable;
      case R.REG_TX_PACKETS: return s.txPackets;
      case R.REG_RX_PACKETS: return s.rxPackets;
      case R.REG_RX_DROPPED: return s.rxDropped;
      default: return 0;
    }
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (size !== 4 || offset % 4 !== 0) return;
    const v = value >>> 0;
    const s = this.s;
    switch (offset) {
      case R.REG_TX_ADDR_LO: s.txAddrLo = v; return;
      case R.REG_TX_ADDR_HI: s.txAddrHi = v; return;
      case R.REG_TX_LEN: s.txLen = v; return;
      case R.REG_TX_COMMAND: this.transmit(v); return;
      case R.REG_RX_ADDR_LO: s.rxAddrLo = v; return;
      case R.REG_RX_ADDR_HI: s.rxAddrHi = v; return;
      case R.REG_RX_CAP: s.rxCap = v; return;
      case R.REG_RX_COMMAND: this.receiveToGuest(v); return;
      case R.REG_INT_ACK:
        s.intStatus = (s.intStatus & ~v) >>> 0;
        this.updateIrq();
        return;
      case R.REG_INT_ENABLE:
        s.intEnable = v & R.INT_ALL;
        this.updateIrq();
        return;
      default:
        return;
    }
  }

  save(): CvnetState {
    return { ...this.s, rxQueue: this.rxQueue.map((f) => Buffer.from(f).toString('base64')) };
  }

  restore(state: unknown): void {
    const { rxQueue, ...regs } = state as CvnetState;
    this.s = { ...regs };
    this.rxQueue = rxQueue.map((b) => new Uint8Array(Buffer.from(b, 'base64')));
  }

  private transmit(cmd: number): void {
    const s = this.s;
    s.txStatus = this.send(cmd);
    if (s.txStatus === R.RES_OK) s.txPackets = (s.txPackets + 1) >>> 0;
    s.intStatus |= R.INT_TX_DONE;
    this.updateIrq();
  }

  private send(cmd: number): number {
    const s = this.s;
    if (cmd !== R.CMD_SEND) return R.RES_BAD_COMMAND;
    if (s.txLen < ETH_HEADER_BYTES || s.txLen > ETH_MAX_FRAME_BYTES) return R.RES_BAD_LENGTH;
    const gpa = readWord64Halves(s.txAddrLo, s.txAddrHi);
    if (!inGuestRam(this.memory, gpa, s.txLen)) return R.RES_BAD_BUFFER;
    const frame = new Uint8Array(s.txLen);
    if (!this.memory.read(gpa, frame)) return R.RES_BAD_BUFFER;
    this.port.send(frame);
    return R.RES_OK;
  }

  private receiveToGuest(cmd: number): void {
    const s = this.s;
    if (cmd !== R.CMD_RECEIVE) {
      s.rxStatus = R.RES_BAD_COMMAND;
      return;
    }
    const frame = this.rxQueue[0];
    if (!frame) {
      s.rxStatus = R.RES_EMPTY;
      s.rxLen = 0;
      return;
    }
    const gpa = readWord64Halves(s.rxAddrLo, s.rxAddrHi);
    // A buffer outside RAM is a driver bug worth retrying after a fix: the frame stays queued.
    if (!inGuestRam(this.memory, gpa, Math.min(frame.length, s.rxCap))) {
      s.rxStatus = R.RES_BAD_BUFFER;
      return;
    }
    this.rxQueue.shift();
    s.rxLen = frame.length;
    // A buffer too small loses the frame, as on real NICs: retrying could never succeed.
    if (frame.length > s.rxCap) {
      s.rxStatus = R.RES_TOO_SMALL;
      s.rxDropped = (s.rxDropped + 1) >>> 0;
      return;
    }
    if (!this.memory.write(gpa, frame)) {
      s.rxStatus = R.RES_BAD_BUFFER;
      return;
    }
    s.rxStatus = R.RES_OK;
    s.rxPackets = (s.rxPackets + 1) >>> 0;
  }

  private receiveFromNetwork(frame: Uint8Array): void {
    const s = this.s;
    if (frame.length > ETH_MAX_FRAME_BYTES || this.rxQueue.length >= R.RX_QUEUE_DEPTH) {
      s.rxDropped = (s.rxDropped + 1) >>> 0;
      return;
    }
    this.rxQueue.push(frame.slice());
    s.intStatus |= R.INT_RX_READY;
    this.updateIrq();
  }

  private updateIrq(): void {
    this.irq.set((this.s.intStatus & this.s.intEnable) !== 0);
  }
}
