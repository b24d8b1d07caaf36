// The firmware locator against fake filesystem roots and a fake apt-get/dpkg-deb:
// tests never run apt, and never depend on what this host has installed
// (except the last, opt-in check of the real Debian paths).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FirmwareNotFoundError, locateFirmware, type RunCommand } from '../../src/cli/firmware.ts';

const OPENSBI_DIR = 'usr/lib/riscv64-linux-gnu/opensbi/generic';
const UBOOT_DIR = 'usr/lib/u-boot/qemu-riscv64_smode';

let scratch: string;
let systemRoot: string;
let cacheDir: string;
let logged: string[];

beforeEach(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'chronovisor-firmware-'));
  systemRoot = path.join(scratch, 'root');
  cacheDir = path.join(scratch, 'cache');
  await mkdir(systemRoot);
  logged = [];
});

afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function touch(file: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, 'firmware');
  return file;
}

/** Lays out what Debian's packages install, under `root`. */
async function install(root: string, which: { opensbi?: boolean; uboot?: boolean; elves?: boolean }): Promise<void> {
  const elves = which.elves ?? true;
  if (which.opensbi) {
    await touch(path.join(root, OPENSBI_DIR, 'fw_dynamic.bin'));
    if (elves) await touch(path.join(root, OPENSBI_DIR, 'fw_dynamic.elf'));
  }
  if (which.uboot) {
    await touch(path.join(root, UBOOT_DIR, 'u-boot.bin'));
    if (elves) await touch(path.join(root, UBOOT_DIR, 'uboot.elf'));
  }
}

/** Stands in for apt-get download and dpkg-deb -x, recording every call. */
function fakeApt(options: { ships?: boolean; fails?: string } = {}): { run: RunCommand; calls: string[] } {
  const calls: string[] = [];
  const run: RunCommand = async (command, args, cwd) => {
    calls.push(`${command} ${args.join(' ')}`);
    if (options.fails) throw new Error(options.fails);
    if (command === 'apt-get') {
      for (const pkg of args.slice(1)) await writeFile(path.join(cwd, `${pkg}_1.0_all.deb`), 'deb');
    } else if (command === 'dpkg-deb') {
      const [, deb, tree] = args as [string, string, string];
      const root = path.resolve(cwd, tree);
      await mkdir(root, { recursive: true });
      if (options.ships === false) return;
      if (deb.startsWith('opensbi_')) await install(root, { opensbi: true });
      if (deb.startsWith('u-boot-qemu_')) await install(root, { uboot: true });
    }
  };
  return { run, calls };
}

const base = () => ({ env: {}, systemRoot, cacheDir, log: (m: string) => logged.push(m) });

describe('locateFirmware', () => {
  it('finds both images and their ELFs at the Debian install paths', async () => {
    await install(systemRoot, { opensbi: true, uboot: true });
    const apt = fakeApt();
    const paths = await locateFirmware({ ...base(), runCommand: apt.run });
    expect(paths).toEqual({
      opensbi: path.join(systemRoot, OPENSBI_DIR, 'fw_dynamic.bin'),
      opensbiElf: path.join(systemRoot, OPENSBI_DIR, 'fw_dynamic.elf'),
      uboot: path.join(systemRoot, UBOOT_DIR, 'u-boot.bin'),
      ubootElf: path.join(systemRoot, UBOOT_DIR, 'uboot.elf'),
    });
    expect(apt.calls).toEqual([]);
  });

  it('leaves the ELFs out when they are not installed', async () => {
    await install(systemRoot, { opensbi: true, uboot: true, elves: false });
    const paths = await locateFirmware({ ...base(), fetch: false });
    expect(paths.opensbiElf).toBeUndefined();
    expect(paths.ubootElf).toBeUndefined();
    expect(Object.keys(paths).sort()).toEqual(['opensbi', 'uboot']);
  });

  it('prefers FW_BIOS and FW_UBOOT, with ELFs found beside them', async () => {
    await install(systemRoot, { opensbi: true, uboot: true });
    const bios = await touch(path.join(scratch, 'own', 'my-sbi.bin'));
    const biosElf = await touch(path.join(scratch, 'own', 'my-sbi.elf'));
    const uboot = await touch(path.join(scratch, 'own-uboot', 'u-boot.bin'));
    const ubootElf = await touch(path.join(scratch, 'own-uboot', 'uboot.elf'));
    const paths = await locateFirmware({ ...base(), env: { FW_BIOS: bios, FW_UBOOT: uboot }, fetch: false });
    expect(paths).toEqual({ opensbi: bios, opensbiElf: biosElf, uboot, ubootElf });
  });

  it('warns about an override naming a missing file and falls back', async () => {
    await install(systemRoot, { opensbi: true, uboot: true });
    const missing = path.join(scratch, 'nope.bin');
    const paths = await locateFirmware({ ...base(), env: { FW_BIOS: missing }, fetch: false });
    expect(paths.opensbi).toBe(path.join(systemRoot, OPENSBI_DIR, 'fw_dynamic.bin'));
    expect(logged.join('\n')).toContain(`ignoring FW_BIOS=${missing}`);
  });

  it('uses an already-populated cache without fetching', async () => {
    await install(path.join(cacheDir, 'opensbi'), { opensbi: true });
    await install(path.join(cacheDir, 'u-boot-qemu'), { uboot: true });
    const apt = fakeApt();
    const paths = await locateFirmware({ ...base(), runCommand: apt.run });
    expect(paths.opensbi).toBe(path.join(cacheDir, 'opensbi', OPENSBI_DIR, 'fw_dynamic.bin'));
    expect(paths.uboot).toBe(path.join(cacheDir, 'u-boot-qemu', UBOOT_DIR, 'u-boot.bin'));
    expect(apt.calls).toEqual([]);
  });

  it('fetches only the missing package and extracts it into the cache', async () => {
    await install(systemRoot, { opensbi: true });
    const apt = fakeApt();
    const paths = await locateFirmware({ ...base(), runCommand: apt.run });
    expect(apt.calls).toEqual(['apt-get download u-boot-qemu', 'dpkg-deb -x u-boot-qemu_1.0_all.deb u-boot-qemu']);
    expect(paths.opensbi).toBe(path.join(systemRoot, OPENSBI_DIR, 'fw_dynamic.bin'));
    expect(paths.uboot).toBe(path.join(cacheDir, 'u-boot-qemu', UBOOT_DIR, 'u-boot.bin'));
    expect(paths.ubootElf).toBe(path.join(cacheDir, 'u-boot-qemu', UBOOT_DIR, 'uboot.elf'));
    // The .deb is kept as a record of the version; the scratch dir is gone.
    expect((await readdir(cacheDir)).sort()).toEqual(['u-boot-qemu', 'u-boot-qemu_1.0_all.deb']);
    expect(logged.join('\n')).toContain('fetching Debian package(s) u-boot-qemu');
  });

  it('fetches both packages into a fresh cache, then reuses them', async () => {
    const apt = fakeApt();
    const first = await locateFirmware({ ...base(), runCommand: apt.run });
    expect(apt.calls[0]).toBe('apt-get download opensbi u-boot-qemu');
    const second = await locateFirmware({ ...base(), runCommand: apt.run });
    expect(second).toEqual(first);
    expect(apt.calls).toHaveLength(3);
  });

  it('explains what to install when fetching is disabled', async () => {
    const error = await locateFirmware({ ...base(), fetch: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FirmwareNotFoundError);
    const message = (error as Error).message;
    expect(message).toContain('fetching was disabled');
    expect(message).toContain('sudo apt-get install opensbi u-boot-qemu');
    expect(message).toContain('FW_BIOS=/path/to/fw_dynamic.bin');
    expect(message).toContain(path.join(systemRoot, OPENSBI_DIR, 'fw_dynamic.bin'));
  });

  it('names only what is missing', async () => {
    await install(systemRoot, { opensbi: true });
    const error = await locateFirmware({ ...base(), fetch: false }).catch((e: unknown) => e);
    const message = (error as Error).message;
    expect(message).toContain('sudo apt-get install u-boot-qemu');
    expect(message).not.toContain('FW_BIOS');
  });

  it('reports a failed apt-get with its message and what to do instead', async () => {
    const apt = fakeApt({ fails: 'apt-get is not installed (this needs a Debian-based system)' });
    const error = await locateFirmware({ ...base(), runCommand: apt.run }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FirmwareNotFoundError);
    expect((error as Error).message).toContain('fetching failed: apt-get is not installed');
    expect((error as Error).message).toContain('FW_UBOOT=/path/to/u-boot.bin');
    expect(existsSync(cacheDir) ? await readdir(cacheDir) : []).toEqual([]);
  });

  it('reports packages that do not contain the images', async () => {
    const apt = fakeApt({ ships: false });
    const error = await locateFirmware({ ...base(), runCommand: apt.run }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FirmwareNotFoundError);
    expect((error as Error).message).toContain('delete that directory to fetch again');
  });

  it.runIf(existsSync(path.join('/', OPENSBI_DIR, 'fw_dynamic.bin')) && existsSync(path.join('/', UBOOT_DIR, 'u-boot.bin')))(
    'finds the firmware installed on this host',
    async () => {
      const paths = await locateFirmware({ env: {}, fetch: false });
      expect(paths.opensbi).toBe(path.join('/', OPENSBI_DIR, 'fw_dynamic.bin'));
      expect(paths.uboot).toBe(path.join('/', UBOOT_DIR, 'u-boot.bin'));
    },
  );
});
