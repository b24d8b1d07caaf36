import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SSTEP } from './lib/gdb-remote.ts';
import { OPENSBI_FW_DYNAMIC, QemuSession, UBOOT_SMODE } from './lib/qemu-session.ts';

describe('GdbRemote against QEMU 7.2', () => {
  let s: QemuSession;
  beforeAll(async () => {
    s = await QemuSession.start({ bios: OPENSBI_FW_DYNAMIC, kernel: UBOOT_SMODE, gdbTransport: 'tcp' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('numbers registers from the target description QEMU generates', async () => {
    const g = s.gdb;
    expect(await g.regnum('zero')).toBe(0);
    expect(await g.regnum('pc')).toBe(32);
    expect(await g.regnum('ft0')).toBe(33);
    expect(await g.regnum('ft11')).toBe(64);
    expect(await g.regnum('priv')).toBe(65);
    // CSRs are numbered 66 + the CSR address (QEMU's riscv gdbstub).
    expect(await g.regnum('mstatus')).toBe(66 + 0x300);
    expect(await g.regnum('minstret')).toBe(66 + 0xb02);
    expect(await g.regnum('pmpaddr15')).toBe(66 + 0x3bf);
    await expect(g.regnum('nosuchreg')).rejects.toThrow(/no register "nosuchreg"/);
  });

  it('reads fflags/frm/fcsr and time by number although the description omits them', async () => {
    const [fflags, frm, fcsr, time] = await s.gdb.readRegisters([66 + 1, 66 + 2, 66 + 3, 66 + 0xc01]);
    expect([fflags, frm, fcsr, time]).toEqual([0n, 0n, 0n, 0n]);
  });

  it('starts at the reset vector in M-mode with MTIP pending (mtimecmp resets to 0)', async () => {
    const core = await s.gdb.readCore();
    expect(core.pc).toBe(0x1000n);
    expect(core.x.every((v) => v === 0n)).toBe(true);
    expect(await s.gdb.readRegister(await s.gdb.regnum('priv'))).toBe(3n);
    expect(await s.gdb.readRegister(await s.gdb.regnum('mip'))).toBe(0x80n);
  });

  it('reads the reset ROM', async () => {
    const rom = Buffer.from(await s.gdb.readMemory(0x1000n, 24));
    expect(rom.readUInt32LE(0)).toBe(0x00000297); // auipc t0, 0
    expect(rom.readUInt32LE(20)).toBe(0x00028067); // jr t0
  });

  it('round-trips Qqemu.sstep', async () => {
    expect(await s.gdb.singleStepFlags()).toBe(SSTEP.ENABLE | SSTEP.NOTIMER); // set by QemuSession
    await s.gdb.setSingleStepFlags(SSTEP.ENABLE | SSTEP.NOIRQ | SSTEP.NOTIMER);
    expect(await s.gdb.singleStepFlags()).toBe(7);
    await s.gdb.setSingleStepFlags(SSTEP.ENABLE | SSTEP.NOTIMER);
  });

  it('single-steps the six reset-vector instructions into the firmware', async () => {
    const pcs: bigint[] = [];
    for (let i = 0; i < 6; i++) {
      const stop = await s.gdb.step();
      expect(stop.raw).toMatch(/^T05/);
      pcs.push((await s.gdb.readCore()).pc);
    }
    expect(pcs).toEqual([0x1004n, 0x1008n, 0x100cn, 0x1010n, 0x1014n, 0x80000000n]);
    const core = await s.gdb.readCore();
    expect(core.x[10]).toBe(0n); // a0 = mhartid
    expect(core.x[11]).toBe(0x8fe00000n); // a1 = FDT, 2 MiB-aligned below the top of 256 MiB
    expect(core.x[12]).toBe(0x1028n); // a2 = struct fw_dynamic_info in the ROM
  });

  it('pipelines register reads and a step in one write', async () => {
    const replies = await s.gdb.batch(['g', 'p20', 's']);
    expect(replies[2]).toMatch(/^T05/);
    expect(() => s.gdb.batch(['s', 'g'])).toThrow(/must be the last packet/);
  });

  it('continues to a breakpoint', async () => {
    await s.gdb.insertBreakpoint(0x80000040n);
    const stop = await s.gdb.cont();
    expect(stop.code).toBe(5);
    expect((await s.gdb.readCore()).pc).toBe(0x80000040n);
    await s.gdb.removeBreakpoint(0x80000040n);
  });

  it('writes and reads memory across several packets', async () => {
    const data = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff);
    await s.gdb.writeMemory(0x8f000000n, data);
    expect(Buffer.from(await s.gdb.readMemory(0x8f000000n, 5000)).toString('hex')).toBe(Buffer.from(data).toString('hex'));
    expect(await s.gdb.readU64(0x8f000000n)).toBe(0x312a231c150e0700n);
  });

  it('runs HMP monitor commands', async () => {
    const out = await s.gdb.monitor('info registers');
    expect(out).toMatch(/pc\s+0000000080000040/);
  });
});
