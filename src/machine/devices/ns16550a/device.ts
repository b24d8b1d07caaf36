// ns16550a UART with the register behaviour of QEMU 7.2's hw/char/serial.c (the `serial_mm`
// flavour virt uses: byte registers, regshift 0, baudbase 399193).
//
// Determinism choices:
// - Transmission is instantaneous: a THR write hands the byte to `onTransmit` at once and
//   LSR.THRE/TEMT are set again before the write returns (QEMU does the same when its chardev
//   accepts the byte; we never model a slow or blocked host).
// - Input goes through a host-side queue (`pushInput`). Bytes move into the receiver only as
//   fast as QEMU's `serial_can_receive` allows, at fixed points (on push, after an RBR read,
//   after an FCR write), so the guest-visible sequence depends only on the pushes and the
//   instruction stream, never on host timing.
// - The character-timeout interrupt runs on the virtual clock with QEMU's float arithmetic
//   for the character time (serial_update_parameters computes it in single precision).

import type { AccessSize, IrqLine, MmioDevice } from '../../device.ts';
import type { VirtualClock, VirtualTimer } from '../../vtime.ts';
import { UART_BAUDBASE, UART_DECODED_SIZE } from '../../memory-map.ts';
import type { AccessRule, HasAccessRule } from '../access.ts';
import * as R from './registers.ts';

export interface Ns16550aOptions {
  /** Device name for events, the bus and the timer ("uart0"). */
  name?: string;
  /** Line to the interrupt controller (PLIC source 10 on virt). */
  irq: IrqLine;
  /** Virtual clock for the receive-FIFO character-timeout timer. */
  clock: VirtualClock;
  /** Receives every transmitted byte (not called in loopback mode). */
  onTransmit: (byte: number) => void;
  /** Baud base (input clock / 16); QEMU's virt uses 399193. */
  baudbase?: number;
}

/** Checkpoint state; every field is a plain number or array. */
export interface Ns16550aState {
  rbr: number;
  thr: number;
  ier: number;
  iir: number;
  lcr: number;
  mcr: number;
  lsr: number;
  msr: number;
  fcr: number;
  scr: number;
  divider: number;
  recvFifo: number[];
  recvFifoItl: number;
  thrIpending: boolean;
  timeoutIpending: boolean;
  charTransmitTime: number;
  pendingInput: number[];
}

const UART_ACCESS: AccessRule = Object.freeze({ minSize: 1, maxSize: 8 });

/** QEMU serial_reset: (NANOSECONDS_PER_SECOND / 9600) * 10 in integer arithmetic. */
const RESET_CHAR_TRANSMIT_NS = Math.trunc(1e9 / 9600) * 10;

export class Ns16550a implements MmioDevice, HasAccessRule {
  readonly name: string;
  /** QEMU maps only the 8 byte registers, though the device tree window is 0x100. */
  readonly size = UART_DECODED_SIZE;

  private readonly irq: IrqLine;
  private readonly clock: VirtualClock;
  private readonly onTransmit: (byte: number) => void;
  private readonly baudbase: number;
  private readonly fifoTimeout: VirtualTimer;
  private s: Ns16550aState;

  constructor(opts: Ns16550aOptions) {
    this.name = opts.name ?? 'uart0';
    this.irq = opts.irq;
    this.clock = opts.clock;
    this.onTransmit = opts.onTransmit;
    this.baudbase = opts.baudbase ?? UART_BAUDBASE;
    this.fifoTimeout = opts.clock.timer(`${this.name}.fifo-timeout`, () => this.fifoTimeoutExpired());
    this.s = {
      rbr: 0, thr: 0, ier: 0, iir: R.IIR_NO_INT, lcr: 0, mcr: 0, lsr: 0, msr: 0,
      fcr: 0, scr: 0, divider: 0, recvFifo: [], recvFifoItl: 0, thrIpending: false,
      timeoutIpending: false, charTransmitTime: RESET_CHAR_TRANSMIT_NS, pendingInput: [],
    };
    this.reset();
  }

  /** serial_mm_ops: .valid.max_access_size = 8, aligned accesses of any size. */
  accessRule(_offset: number): AccessRule {
    return UART_ACCESS;
  }

  /** Queues bytes typed at the console; they reach the receiver as it can take them. */
  pushInput(bytes: Uint8Array): void {
    for (const b of bytes) this.s.pendingInput.push(b & 0xff);
    this.deliverInput();
  }

  /** Bytes pushed but not yet taken by the receiver. */
  get pendingInputLength(): number {
    return this.s.pendingInput.length;
  }

  /** A break condition on the line (QEMU serial_receive_break, CHR_EVENT_BREAK). */
  sendBreak(): void {
    const s = this.s;
    s.rbr = 0;
    this.recvFifoPut(0);
    s.lsr |= R.LSR_BI | R.LSR_DR;
    this.updateIrq();
  }

  /** System reset (QEMU serial_reset). FCR and the FIFO trigger level survive, as in QEMU. */
  reset(): void {
    const s = this.s;
    s.rbr = 0;
    s.ier = 0;
    s.iir = R.IIR_NO_INT;
    s.lcr = 0;
    s.lsr = R.LSR_TEMT | R.LSR_THRE;
    // The chardev has no modem lines (TIOCM ioctl unsupported), so MSR keeps this value and
    // no modem-status polling ever runs.
    s.msr = R.MSR_DCD | R.MSR_DSR | R.MSR_CTS;
    s.divider = 0x0c; // 9600 baud at QEMU's nominal 115200 base
    s.mcr = R.MCR_OUT2;
    s.scr = 0;
    s.charTransmitTime = RESET_CHAR_TRANSMIT_NS;
    s.timeoutIpending = false;
    this.fifoTimeout.del();
    s.recvFifo = [];
    s.thrIpending = false;
    this.irq.set(false);
    this.deliverInput();
  }

  read(offset: number, size: AccessSize): number {
    if (offset >= UART_DECODED_SIZE || offset % size !== 0) return 0;
    return this.readRegister(offset);
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (offset >= UART_DECODED_SIZE || offset % size !== 0) return;
    this.writeRegister(offset, value & 0xff);
  }

  /** An 8-byte access is one register access in QEMU (impl.max_access_size = 8). */
  read64(offset: number): bigint {
    if (offset % 8 !== 0) return 0n;
    return BigInt(this.readRegister(offset));
  }

  write64(offset: number, value: bigint): void {
    if (offset % 8 !== 0) return;
    this.writeRegister(offset, Number(value & 0xffn));
  }

  save(): Ns16550aState {
    const s = this.s;
    return { ...s, recvFifo: [...s.recvFifo], pendingInput: [...s.pendingInput] };
  }

  restore(state: unknown): void {
    const st = state as Ns16550aState;
    this.s = { ...st, recvFifo: [...st.recvFifo], pendingInput: [...st.pendingInput] };
  }

  private readRegister(reg: number): number {
    const s = this.s;
    switch (reg) {
      case R.REG_RBR_THR_DLL: {
        if (s.lcr & R.LCR_DLAB) return s.divider & 0xff;
        let ret: number;
        if (s.fcr & R.FCR_FE) {
          ret = s.recvFifo.length === 0 ? 0 : (s.recvFifo.shift() as number);
          if (s.recvFifo.length === 0) {
            s.lsr &= ~(R.LSR_DR | R.LSR_BI);
          } else {
            this.fifoTimeout.mod(this.clock.nowNs() + s.charTransmitTime * 4);
          }
          s.timeoutIpending = false;
        } else {
          ret = s.rbr;
          s.lsr &= ~(R.LSR_DR | R.LSR_BI);
        }
        this.updateIrq();
        // QEMU calls qemu_chr_fe_accept_input here, except in loopback mode.
        if (!(s.mcr & R.MCR_LOOP)) this.deliverInput();
        return ret;
      }
      case R.REG_IER_DLM:
        return s.lcr & R.LCR_DLAB ? (s.divider >> 8) & 0xff : s.ier;
      case R.REG_IIR_FCR: {
        const ret = s.iir;
        if ((ret & R.IIR_ID) === R.IIR_THRI) {
          // Reading IIR while it reports THRE acknowledges that interrupt.
          s.thrIpending = false;
          this.updateIrq();
        }
        return ret;
      }
      case R.REG_LCR:
        return s.lcr;
      case R.REG_MCR:
        return s.mcr;
      case R.REG_LSR: {
        const ret = s.lsr;
        if (s.lsr & (R.LSR_BI | R.LSR_OE)) {
          s.lsr &= ~(R.LSR_BI | R.LSR_OE);
          this.updateIrq();
        }
        return ret;
      }
      case R.REG_MSR: {
        if (s.mcr & R.MCR_LOOP) {
          // Loopback wires OUT2/OUT1 to DCD/RI, RTS to CTS and DTR to DSR (datasheet 8.6.5).
          return ((s.mcr & 0x0c) << 4) | ((s.mcr & 0x02) << 3) | ((s.mcr & 0x01) << 5);
        }
        const ret = s.msr;
        if (s.msr & R.MSR_ANY_DELTA) {
          s.msr &= 0xf0;
          this.updateIrq();
        }
        return ret;
      }
      default:
        return s.scr;
    }
  }

  private writeRegister(reg: number, val: number): void {
    const s = this.s;
    switch (reg) {
      case R.REG_RBR_THR_DLL:
        if (s.lcr & R.LCR_DLAB) {
          s.divider = (s.divider & 0xff00) | val;
          this.updateParameters();
          return;
        }
        s.thr = val;
        s.thrIpending = false;
        s.lsr &= ~(R.LSR_THRE | R.LSR_TEMT);
        this.updateIrq();
        this.transmit();
        return;
      case R.REG_IER_DLM: {
        if (s.lcr & R.LCR_DLAB) {
          s.divider = (s.divider & 0x00ff) | (val << 8);
          this.updateParameters();
          return;
        }
        const changed = (s.ier ^ val) & 0x0f;
        s.ier = val & 0x0f;
        // Enabling THRI while THR is empty raises THRE even if an IIR read had acknowledged
        // it before (QEMU follows Bochs here; Windows relies on it).
        if (changed & R.IER_THRI) {
          s.thrIpending = (s.ier & R.IER_THRI) !== 0 && (s.lsr & R.LSR_THRE) !== 0;
        }
        if (changed) this.updateIrq();
        return;
      }
      case R.REG_IIR_FCR: {
        let v = val;
        // Toggling the FIFO enable flushes both FIFOs.
        if ((v ^ s.fcr) & R.FCR_FE) v |= R.FCR_XFR | R.FCR_RFR;
        if (v & R.FCR_RFR) {
          s.lsr &= ~(R.LSR_DR | R.LSR_BI);
          this.fifoTimeout.del();
          s.timeoutIpending = false;
          s.recvFifo = [];
        }
        if (v & R.FCR_XFR) {
          // The transmit FIFO is always empty here (transmission is instantaneous); QEMU
          // still marks THRE pending, even with IER.THRI clear.
          s.lsr |= R.LSR_THRE;
          s.thrIpending = true;
        }
        s.fcr = v & R.FCR_STICKY;
        if (s.fcr & R.FCR_FE) {
          s.iir |= R.IIR_FE;
          s.recvFifoItl = R.fifoTriggerLevel(s.fcr);
        } else {
          s.iir &= ~R.IIR_FE;
        }
        this.updateIrq();
        this.deliverInput();
        return;
      }
      case R.REG_LCR:
        s.lcr = val;
        this.updateParameters();
        return;
      case R.REG_MCR:
        s.mcr = val & 0x1f;
        return;
      case R.REG_LSR:
      case R.REG_MSR:
        return; // read-only
      default:
        s.scr = val;
    }
  }

  /** QEMU serial_xmit with a chardev that always accepts the byte. */
  private transmit(): void {
    const s = this.s;
    // With FIFOs on, the byte just pushed is the only one queued, so it leaves at once.
    const tsr = s.thr;
    s.lsr |= R.LSR_THRE;
    if (!s.thrIpending) {
      s.thrIpending = true;
      this.updateIrq();
    }
    if (s.mcr & R.MCR_LOOP) {
      this.receive([tsr]);
    } else {
      this.onTransmit(tsr);
    }
    s.lsr |= R.LSR_TEMT;
  }

  /** Interrupt priority order of the 16550 (datasheet table 4), as QEMU serial_update_irq. */
  private updateIrq(): void {
    const s = this.s;
    let id = R.IIR_NO_INT;
    if (s.ier & R.IER_RLSI && s.lsr & R.LSR_INT_ANY) {
      id = R.IIR_RLSI;
    } else if (s.ier & R.IER_RDI && s.timeoutIpending) {
      id = R.IIR_CTI;
    } else if (
      s.ier & R.IER_RDI &&
      s.lsr & R.LSR_DR &&
      (!(s.fcr & R.FCR_FE) || s.recvFifo.length >= s.recvFifoItl)
    ) {
      id = R.IIR_RDI;
    } else if (s.ier & R.IER_THRI && s.thrIpending) {
      id = R.IIR_THRI;
    } else if (s.ier & R.IER_MSI && s.msr & R.MSR_ANY_DELTA) {
      id = R.IIR_MSI;
    }
    s.iir = id | (s.iir & 0xf0);
    this.irq.set(id !== R.IIR_NO_INT);
  }

  private updateParameters(): void {
    this.s.charTransmitTime = R.charTransmitNs(this.s.lcr, this.s.divider, this.baudbase);
  }

  private recvFifoPut(byte: number): void {
    // Receive overruns do not overwrite FIFO contents.
    if (this.s.recvFifo.length < R.FIFO_LENGTH) this.s.recvFifo.push(byte);
    else this.s.lsr |= R.LSR_OE;
  }

  /** QEMU serial_receive1: `bytes` arrive from the line (or from loopback). */
  private receive(bytes: number[]): void {
    const s = this.s;
    if (s.fcr & R.FCR_FE) {
      for (const b of bytes) this.recvFifoPut(b);
      s.lsr |= R.LSR_DR;
      this.fifoTimeout.mod(this.clock.nowNs() + s.charTransmitTime * 4);
    } else {
      if (s.lsr & R.LSR_DR) s.lsr |= R.LSR_OE;
      s.rbr = bytes[0] as number;
      s.lsr |= R.LSR_DR;
    }
    this.updateIrq();
  }

  /**
   * How many bytes the chardev may hand over now (QEMU serial_can_receive): up to the
   * trigger level in FIFO mode, then one at a time; nothing while the FIFO holds exactly the
   * trigger level; without FIFOs, one byte when RBR is empty.
   */
  private canReceive(): number {
    const s = this.s;
    if (s.fcr & R.FCR_FE) {
      const n = s.recvFifo.length;
      if (n >= R.FIFO_LENGTH) return 0;
      return n <= s.recvFifoItl ? s.recvFifoItl - n : 1;
    }
    return s.lsr & R.LSR_DR ? 0 : 1;
  }

  private deliverInput(): void {
    const s = this.s;
    while (s.pendingInput.length > 0) {
      const n = this.canReceive();
      if (n <= 0) return;
      this.receive(s.pendingInput.splice(0, n));
    }
  }

  private fifoTimeoutExpired(): void {
    if (this.s.recvFifo.length > 0) {
      this.s.timeoutIpending = true;
      this.updateIrq();
    }
  }
}
