import { describe, expect, it } from 'vitest';
import { Ns16550a } from '../../../src/machine/devices/ns16550a/device.ts';
import * as R from '../../../src/machine/devices/ns16550a/registers.ts';
import { FakeIrq, TestClock } from '../helpers.ts';

function makeUart() {
  const clock = new TestClock();
  const irq = new FakeIrq();
  const out: number[] = [];
  const uart = new Ns16550a({ irq, clock, onTransmit: (b) => out.push(b) });
  const rd = (reg: number) => uart.read(reg, 1);
  const wr = (reg: number, v: number) => uart.write(reg, 1, v);
  return { clock, irq, out, uart, rd, wr };
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe('ns16550a reset state (QEMU serial_reset)', () => {
  it('reads the documented reset values', () => {
    const { rd, irq } = makeUart();
    expect(rd(R.REG_LSR)).toBe(0x60); // THRE | TEMT
    expect(rd(R.REG_IIR_FCR)).toBe(0x01); // no interrupt
    expect(rd(R.REG_MSR)).toBe(0xb0); // DCD | DSR | CTS
    expect(rd(R.REG_MCR)).toBe(0x08); // OUT2
    expect(rd(R.REG_LCR)).toBe(0);
    expect(rd(R.REG_IER_DLM)).toBe(0);
    expect(rd(R.REG_SCR)).toBe(0);
    expect(irq.level).toBe(false);
  });

  it('keeps FCR across a reset but clears the IIR FIFO bits, as QEMU does', () => {
    const { rd, wr, uart } = makeUart();
    wr(R.REG_IIR_FCR, 0x01);
    expect(rd(R.REG_IIR_FCR)).toBe(0xc1);
    uart.reset();
    expect(rd(R.REG_IIR_FCR)).toBe(0x01);
    uart.pushInput(bytes('z'));
    expect(rd(R.REG_LSR) & R.LSR_DR).toBe(R.LSR_DR); // still in FIFO mode underneath
  });
});

describe('ns16550a registers', () => {
  it('DLAB switches offsets 0/1 to the divisor latch', () => {
    const { rd, wr, out } = makeUart();
    wr(R.REG_LCR, 0x80);
    expect(rd(0)).toBe(0x0c); // reset divisor 12
    expect(rd(1)).toBe(0x00);
    wr(0, 0x34);
    wr(1, 0x12);
    expect(rd(0)).toBe(0x34);
    expect(rd(1)).toBe(0x12);
    wr(R.REG_LCR, 0x03);
    wr(0, 0x41);
    expect(out).toEqual([0x41]); // THR again
    expect(rd(R.REG_IER_DLM)).toBe(0);
  });

  it('scratch register holds a byte; MCR keeps 5 bits; LSR/MSR writes are ignored', () => {
    const { rd, wr } = makeUart();
    wr(R.REG_SCR, 0xa5);
    expect(rd(R.REG_SCR)).toBe(0xa5);
    wr(R.REG_MCR, 0xff);
    expect(rd(R.REG_MCR)).toBe(0x1f);
    wr(R.REG_MCR, 0x08);
    wr(R.REG_LSR, 0);
    wr(R.REG_MSR, 0);
    expect(rd(R.REG_LSR)).toBe(0x60);
    expect(rd(R.REG_MSR)).toBe(0xb0);
  });

  it('IER keeps the low four bits', () => {
    const { rd, wr } = makeUart();
    wr(R.REG_IER_DLM, 0xff);
    expect(rd(R.REG_IER_DLM)).toBe(0x0f);
  });
});

describe('ns16550a transmit (instantaneous)', () => {
  it('hands each byte to onTransmit and leaves THRE/TEMT set', () => {
    const { rd, wr, out } = makeUart();
    for (const b of bytes('hi\n')) wr(0, b);
    expect(out).toEqual([0x68, 0x69, 0x0a]);
    expect(rd(R.REG_LSR)).toBe(0x60);
  });

  it('raises THRE when IER.THRI is enabled, clears it on an IIR read, re-raises after a write', () => {
    const { rd, wr, irq } = makeUart();
    wr(R.REG_IER_DLM, R.IER_THRI);
    expect(irq.level).toBe(true);
    expect(rd(R.REG_IIR_FCR)).toBe(0x02);
    expect(irq.level).toBe(false);
    expect(rd(R.REG_IIR_FCR)).toBe(0x01);
    wr(0, 0x41);
    expect(irq.level).toBe(true);
    expect(rd(R.REG_IIR_FCR)).toBe(0x02);
  });

  it('re-samples THRE only when IER.THRI changes', () => {
    const { rd, wr, irq } = makeUart();
    wr(R.REG_IER_DLM, R.IER_THRI);
    rd(R.REG_IIR_FCR); // acknowledge
    wr(R.REG_IER_DLM, R.IER_THRI); // unchanged: stays acknowledged
    expect(irq.level).toBe(false);
    wr(R.REG_IER_DLM, 0);
    wr(R.REG_IER_DLM, R.IER_THRI); // toggled: THRE pending again (Bochs/Windows behaviour)
    expect(irq.level).toBe(true);
  });

  it('a transmit-FIFO reset marks THRE pending', () => {
    const { rd, wr, irq } = makeUart();
    wr(R.REG_IER_DLM, R.IER_THRI);
    rd(R.REG_IIR_FCR);
    wr(R.REG_IIR_FCR, R.FCR_XFR);
    expect(irq.level).toBe(true);
  });
});

describe('ns16550a receive', () => {
  it('without FIFOs holds one byte at a time and refills from the queue after each read', () => {
    const { uart, rd, wr, irq } = makeUart();
    uart.pushInput(bytes('ab'));
    expect(uart.pendingInputLength).toBe(1);
    expect(rd(R.REG_LSR) & R.LSR_DR).toBe(R.LSR_DR);
    wr(R.REG_IER_DLM, R.IER_RDI);
    expect(irq.level).toBe(true);
    expect(rd(R.REG_IIR_FCR)).toBe(0x04);
    expect(rd(0)).toBe(0x61);
    expect(irq.level).toBe(true); // 'b' arrived as soon as RBR was read
    expect(rd(0)).toBe(0x62);
    expect(irq.level).toBe(false);
    expect(rd(R.REG_LSR) & R.LSR_DR).toBe(0);
    expect(uart.pendingInputLength).toBe(0);
  });

  it('with trigger level 1 the chardev hands over one byte at a time (serial_can_receive)', () => {
    const { uart, rd, wr } = makeUart();
    wr(R.REG_IIR_FCR, 0x01);
    uart.pushInput(bytes('abc'));
    expect(uart.pendingInputLength).toBe(2);
    expect([rd(0), rd(0), rd(0)]).toEqual([0x61, 0x62, 0x63]);
    expect(rd(0)).toBe(0); // empty FIFO reads 0
  });

  it('fills up to trigger level 14 and raises RDI at the level', () => {
    const { uart, rd, wr, irq } = makeUart();
    wr(R.REG_IIR_FCR, 0xc1);
    wr(R.REG_IER_DLM, R.IER_RDI);
    uart.pushInput(new Uint8Array(20).map((_, i) => 0x30 + i));
    expect(uart.pendingInputLength).toBe(6);
    expect(irq.level).toBe(true);
    expect(rd(R.REG_IIR_FCR)).toBe(0xc4);
    expect(rd(0)).toBe(0x30);
    expect(uart.pendingInputLength).toBe(5); // 13 <= 14: one more byte
  });

  it('raises the character timeout after 4 character times below the trigger level', () => {
    const { uart, rd, wr, irq, clock } = makeUart();
    wr(R.REG_IIR_FCR, 0x81); // FIFO, trigger level 8
    wr(R.REG_IER_DLM, R.IER_RDI);
    clock.advanceTo(1000);
    uart.pushInput(bytes('xyz'));
    expect(irq.level).toBe(false);
    const fourChars = 4 * 1041660; // reset character time, (1e9 / 9600) * 10 ns
    clock.advanceTo(1000 + fourChars - 1);
    expect(irq.level).toBe(false);
    clock.advanceTo(1000 + fourChars);
    expect(irq.level).toBe(true);
    expect(rd(R.REG_IIR_FCR)).toBe(0xcc);
    expect(rd(0)).toBe(0x78); // a read clears the timeout and re-arms it
    expect(irq.level).toBe(false);
    clock.advanceBy(fourChars);
    expect(irq.level).toBe(true);
  });

  it('uses QEMU float arithmetic for the character time (values from C float on x86-64)', () => {
    // 4 x char time until the timeout; reference values computed with gcc:
    // (float)399193 / div, (1000000000LL / speed) * frame_size, truncated to uint64.
    const cases: Array<[div: number, lcr: number, ns: number]> = [
      [1, 0x03, 25050],
      [3, 0x03, 75151],
      [12, 0x03, 300606],
      [0, 0x03, 2857142],
      [27, 0x0f, 811637],
      [65535, 0x00, 1149180928],
    ];
    for (const [div, lcr, ns] of cases) {
      const { uart, wr, rd, irq, clock } = makeUart();
      wr(R.REG_LCR, 0x80);
      wr(0, div & 0xff);
      wr(1, div >> 8);
      wr(R.REG_LCR, lcr);
      wr(R.REG_IIR_FCR, 0x81);
      wr(R.REG_IER_DLM, R.IER_RDI);
      uart.pushInput(bytes('q'));
      clock.advanceTo(4 * ns - 1);
      expect(irq.level, `div ${div}`).toBe(false);
      clock.advanceTo(4 * ns);
      expect(irq.level, `div ${div}`).toBe(true);
      expect(rd(0)).toBe(0x71);
    }
  });

  it('a receiver-FIFO reset drops data and clears DR', () => {
    const { uart, rd, wr } = makeUart();
    wr(R.REG_IIR_FCR, 0xc1);
    uart.pushInput(bytes('abc'));
    wr(R.REG_IIR_FCR, 0xc1 | R.FCR_RFR);
    expect(rd(R.REG_LSR) & R.LSR_DR).toBe(0);
    expect(rd(0)).toBe(0);
  });

  it('a break sets BI and DR and reads as a NUL byte', () => {
    const { uart, rd } = makeUart();
    uart.sendBreak();
    expect(rd(R.REG_LSR) & (R.LSR_BI | R.LSR_DR)).toBe(R.LSR_BI | R.LSR_DR);
    expect(rd(R.REG_LSR) & R.LSR_BI).toBe(0); // reading LSR clears BI
    expect(rd(0)).toBe(0);
  });
});

describe('ns16550a loopback', () => {
  it('routes THR to RBR, never to onTransmit, and flags overrun in non-FIFO mode', () => {
    const { rd, wr, out, irq } = makeUart();
    wr(R.REG_MCR, R.MCR_LOOP);
    wr(R.REG_IER_DLM, R.IER_RLSI);
    wr(0, 0x55);
    expect(out).toEqual([]);
    expect(rd(R.REG_LSR) & R.LSR_DR).toBe(R.LSR_DR);
    wr(0, 0x66);
    expect(irq.level).toBe(true);
    expect(rd(R.REG_IIR_FCR)).toBe(0x06); // receiver line status
    expect(rd(R.REG_LSR) & R.LSR_OE).toBe(R.LSR_OE);
    expect(rd(R.REG_LSR) & R.LSR_OE).toBe(0);
    expect(irq.level).toBe(false);
    expect(rd(0)).toBe(0x66);
  });

  it('wires modem outputs to modem inputs in MSR', () => {
    const { rd, wr } = makeUart();
    wr(R.REG_MCR, 0x1f);
    expect(rd(R.REG_MSR)).toBe(0xf0);
    wr(R.REG_MCR, 0x10 | R.MCR_RTS);
    expect(rd(R.REG_MSR)).toBe(0x10);
    wr(R.REG_MCR, 0x10 | R.MCR_DTR | R.MCR_OUT2);
    expect(rd(R.REG_MSR)).toBe(0xa0);
  });

  it('does not take host input after an RBR read in loopback (no accept_input)', () => {
    const { uart, rd, wr } = makeUart();
    wr(R.REG_MCR, R.MCR_LOOP);
    uart.pushInput(bytes('ab'));
    expect(rd(0)).toBe(0x61);
    expect(uart.pendingInputLength).toBe(1);
  });
});

describe('ns16550a bus interface', () => {
  it('decodes 8 bytes, accepts aligned accesses up to 8 bytes as one register access', () => {
    const { uart, out } = makeUart();
    expect(uart.size).toBe(8);
    expect(uart.accessRule(0)).toEqual({ minSize: 1, maxSize: 8 });
    expect(uart.read(4, 4)).toBe(0x08); // MCR via a 32-bit load
    expect(uart.read(5, 4)).toBe(0); // misaligned: QEMU faults
    uart.write64(0, 0x1234n);
    expect(out).toEqual([0x34]);
    expect(uart.read64(0)).toBe(0n);
    uart.write(0, 4, 0xabcd);
    expect(out).toEqual([0x34, 0xcd]);
  });

  it('save/restore round-trips FIFO contents and pending input', () => {
    const a = makeUart();
    a.wr(R.REG_IIR_FCR, 0x41); // FIFO, trigger 4
    a.wr(R.REG_SCR, 7);
    a.uart.pushInput(bytes('hello'));
    const snap = JSON.parse(JSON.stringify(a.uart.save()));
    const b = makeUart();
    b.uart.restore(snap);
    const readAll = (u: ReturnType<typeof makeUart>) => Array.from({ length: 6 }, () => u.rd(0));
    expect(readAll(b)).toEqual(readAll(a));
    expect(b.rd(R.REG_SCR)).toBe(7);
    expect(b.rd(R.REG_IIR_FCR)).toBe(a.rd(R.REG_IIR_FCR));
  });
});
