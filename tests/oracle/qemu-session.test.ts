import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENSBI_FW_DYNAMIC, QEMU_CPU_RV64GC, QemuSession, UBOOT_SMODE, dumpQemuDtb, qemuArgs } from './lib/qemu-session.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

describe('qemuArgs', () => {
  it('builds an icount, gdb and serial command line', () => {
    const args = qemuArgs(
      { bios: 'fw.bin', kernel: 'k.bin', memory: '128M', smp: 2, icountShift: 3, cpu: 'rv64,h=false', machineProps: ['aclint=off'] },
      'socket,id=gdb0,path=/tmp/x',
      null,
    );
    expect(args.join(' ')).toBe(
      '-M virt,aclint=off -nographic -monitor none -bios fw.bin -kernel k.bin -m 128M -smp 2 -cpu rv64,h=false ' +
        '-icount shift=3,sleep=off -serial stdio -chardev socket,id=gdb0,path=/tmp/x -gdb chardev:gdb0 -S -seed 1',
    );
  });

  it('can run without icount', () => {
    expect(qemuArgs({ bios: 'none', icountShift: null }, null, null)).not.toContain('-icount');
  });
});

describe('QemuSession', () => {
  it('boots OpenSBI and U-Boot to the prompt and answers a command over the serial pipe', async () => {
    const s = await QemuSession.start({ bios: OPENSBI_FW_DYNAMIC, kernel: UBOOT_SMODE, gdb: false, icountShift: 6 });
    try {
      await s.waitForSerial('=> ', 120_000);
      expect(s.serialText()).toContain('OpenSBI v1.1');
      s.sendSerial('version\r');
      await s.waitForSerial('U-Boot 2023.01', 60_000);
    } finally {
      await s.close();
    }
  });

  it('leaves no QEMU process behind after close()', async () => {
    const s = await QemuSession.start({ bios: OPENSBI_FW_DYNAMIC });
    const pid = s.pid!;
    expect(alive(pid)).toBe(true);
    await s.close();
    expect(alive(pid)).toBe(false);
  });

  it.each(['exit', 'throw', 'sigkill'])('leaves no QEMU process behind when its owner dies (%s)', async (how) => {
    const out = await new Promise<string>((resolve) => {
      execFile('node', ['bin/run-ts.mjs', 'tests/oracle/fixtures/start-and-die.ts', how], (_err, stdout) => resolve(stdout));
    });
    const [pidText, workDir] = out.trim().split('\n');
    const pid = Number(pidText);
    expect(pid).toBeGreaterThan(0);
    expect(await gone(pid)).toBe(true);
    // A SIGKILLed owner cannot remove its temporary directory; do it for it.
    if (workDir?.includes('chronovisor-qemu-')) rmSync(workDir, { recursive: true, force: true });
  });

  it('passes -cpu properties through (here: no H extension, no Sstc)', async () => {
    const s = await QemuSession.start({ bios: OPENSBI_FW_DYNAMIC, cpu: 'rv64,h=false,sstc=false' });
    try {
      const misa = await s.gdb.readRegister(await s.gdb.regnum('misa'));
      expect(misa & (1n << 7n)).toBe(0n); // 'H'
      expect(misa & (1n << 18n)).not.toBe(0n); // 'S'
      expect((await s.gdb.targetDescription()).byName.has('hstatus')).toBe(false);
    } finally {
      await s.close();
    }
  });

  it('boots with the recommended RV64GC -cpu and firmware sees exactly rv64imafdc', async () => {
    const s = await QemuSession.start({ bios: OPENSBI_FW_DYNAMIC, kernel: UBOOT_SMODE, gdb: false, icountShift: 6, cpu: QEMU_CPU_RV64GC });
    try {
      await s.waitForSerial('=> ', 120_000);
      const text = s.serialText();
      expect(text).toMatch(/Boot HART Base ISA\s+: rv64imafdc\r/);
      expect(text).toMatch(/Boot HART ISA Extensions\s+: time\r/);
      expect(text).toMatch(/Boot HART PMP Count\s+: 16\r/);
      expect(text).toMatch(/Boot HART MHPM Count\s+: 0\r/);
      expect(text).toContain('CPU:   rv64imafdc_zicsr_zifencei\r');
    } finally {
      await s.close();
    }
  });

  it('dumps the device tree QEMU generates, the same every time thanks to -seed', () => {
    const a = dumpQemuDtb({ bios: 'none', cpu: QEMU_CPU_RV64GC });
    const b = dumpQemuDtb({ bios: 'none', cpu: QEMU_CPU_RV64GC });
    expect(Buffer.from(a).readUInt32BE(0)).toBe(0xd00dfeed);
    expect(Buffer.from(a).toString('hex')).toBe(Buffer.from(b).toString('hex'));
    expect(dumpQemuDtb({ bios: 'none', seed: null }).length).toBe(dumpQemuDtb({ bios: 'none', seed: 7 }).length);
  });

  it('explains a missing image', async () => {
    await expect(QemuSession.start({ bios: '/nonexistent/fw.bin' })).rejects.toThrow(/image not found: \/nonexistent\/fw.bin/);
  });
});
