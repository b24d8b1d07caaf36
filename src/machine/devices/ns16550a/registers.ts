// ns16550a register map and bit names (TI PC16550D datasheet, section 8; the same names as
// QEMU's hw/char/serial.c). Offsets are byte offsets with regshift 0, as on QEMU's virt.

export const REG_RBR_THR_DLL = 0; // read: receiver buffer; write: transmit holding; DLAB: divisor low
export const REG_IER_DLM = 1; // interrupt enable; DLAB: divisor high
export const REG_IIR_FCR = 2; // read: interrupt identification; write: FIFO control
export const REG_LCR = 3; // line control
export const REG_MCR = 4; // modem control
export const REG_LSR = 5; // line status
export const REG_MSR = 6; // modem status
export const REG_SCR = 7; // scratch

export const LCR_DLAB = 0x80; // divisor latch access

export const IER_RDI = 0x01; // received data available
export const IER_THRI = 0x02; // transmit holding register empty
export const IER_RLSI = 0x04; // receiver line status
export const IER_MSI = 0x08; // modem status

export const IIR_NO_INT = 0x01;
export const IIR_ID = 0x06; // mask of the interrupt identification bits
export const IIR_MSI = 0x00;
export const IIR_THRI = 0x02;
export const IIR_RDI = 0x04;
export const IIR_RLSI = 0x06;
export const IIR_CTI = 0x0c; // character timeout (FIFO mode)
export const IIR_FE = 0xc0; // FIFOs enabled

export const FCR_FE = 0x01; // FIFO enable
export const FCR_RFR = 0x02; // receiver FIFO reset
export const FCR_XFR = 0x04; // transmitter FIFO reset
/** Bits of FCR that stick (QEMU stores val & 0xC9: trigger level, DMA mode, enable). */
export const FCR_STICKY = 0xc9;

export const MCR_DTR = 0x01;
export const MCR_RTS = 0x02;
export const MCR_OUT1 = 0x04;
export const MCR_OUT2 = 0x08;
export const MCR_LOOP = 0x10;

export const LSR_DR = 0x01; // data ready
export const LSR_OE = 0x02; // overrun error
export const LSR_BI = 0x10; // break interrupt
export const LSR_THRE = 0x20; // transmit holding register empty
export const LSR_TEMT = 0x40; // transmitter empty
/** LSR bits that raise a receiver-line-status interrupt (OE, PE, FE, BI). */
export const LSR_INT_ANY = 0x1e;

export const MSR_DCTS = 0x01;
export const MSR_ANY_DELTA = 0x0f;
export const MSR_CTS = 0x10;
export const MSR_DSR = 0x20;
export const MSR_DCD = 0x80;

/** Receive and transmit FIFO depth of a 16550A. */
export const FIFO_LENGTH = 16;

/** Receive FIFO interrupt trigger level selected by FCR bits 7:6. */
export function fifoTriggerLevel(fcr: number): number {
  switch (fcr & 0xc0) {
    case 0x00:
      return 1;
    case 0x40:
      return 4;
    case 0x80:
      return 8;
    default:
      return 14;
  }
}

/**
 * Time to send one character in ns for a line format (LCR) and divisor, as QEMU's
 * serial_update_parameters computes it: in C `float` (speed = (float)baudbase / divisor, or
 * 3500 for divisor 0; (1e9 / speed) * frame_bits), truncated to an integer. Each step is
 * rounded to single precision so the result matches QEMU bit for bit.
 */
export function charTransmitNs(lcr: number, divisor: number, baudbase: number): number {
  let frame = 1; // start bit
  if (lcr & 0x08) frame++; // parity bit
  frame += (lcr & 0x03) + 5; // data bits
  frame += lcr & 0x04 ? 2 : 1; // stop bits
  const speed = divisor === 0 ? 3500 : Math.fround(baudbase / divisor);
  return Math.trunc(Math.fround(Math.fround(1e9 / speed) * frame));
}
