import { describe, expect, it, test } from 'vitest';
import type { DomainConfigOptions } from '../../src/hypervisor/config/domain-config.ts';
import { DomainConfigError, formatDiagnostic } from '../../src/hypervisor/config/diagnostics.ts';
import { load, MiB } from './config-helpers.ts';

/** The errors of an invalid configuration as "line:column: message". */
function errors(text: string, options: DomainConfigOptions = {}): string[] {
  try {
    load(text, '/cfg/a.cfg', options);
  } catch (e) {
    if (e instanceof DomainConfigError) return e.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`);
    throw e;
  }
  throw new Error('no validation error');
}

const warnings = (text: string): string[] => load(text).warnings.map((d) => `${d.line}:${d.column}: ${d.message}`);

const PV = 'name = "pv1"\nkernel = "kernel.bin"\n';

describe('domain configuration: values and defaults', () => {
  it("applies xl's defaults", () => {
    expect(load(PV).config).toEqual({
      name: 'pv1',
      type: 'pv',
      memoryMiB: 32,
      vcpus: 1,
      kernel: '/cfg/kernel.bin',
      disks: [],
      vifs: [],
      onPoweroff: 'destroy',
      onReboot: 'restart',
      onCrash: 'destroy',
      sourceFile: '/cfg/a.cfg',
    });
  });

  it('reads every supported key', () => {
    const text = [
      'name = "web"',
      'type = "hvm"',
      'memory = 256',
      'vcpus = 4',
      'firmware = "fw.bin"',
      'kernel = "kernel.bin"',
      'ramdisk = "initrd.img"',
      'cmdline = "console=ttyS0"',
      "disk = [ 'file:disk.img,xvda,w', 'vdev=xvdb, access=cow, target=disk2.img' ]",
      "vif = [ 'bridge=xenbr1', 'mac=00:16:3e:00:00:01, type=vif' ]",
      'on_poweroff = "preserve"',
      'on_reboot = "destroy"',
      'on_crash = "restart"',
    ].join('\n');
    const { config, warnings: w } = load(text);
    expect(w).toEqual([]);
    expect(config).toEqual({
      name: 'web',
      type: 'hvm',
      memoryMiB: 256,
      vcpus: 4,
      kernel: '/cfg/kernel.bin',
      ramdisk: '/cfg/initrd.img',
      cmdline: 'console=ttyS0',
      firmware: '/cfg/fw.bin',
      disks: [
        { index: 0, target: '/cfg/disk.img', vdev: 'xvda', devid: 51712, access: 'rw', format: 'raw', sizeBytes: 8 * MiB, spec: 'file:disk.img,xvda,w', pos: { line: 9, column: 10, offset: 149 } },
        { index: 1, target: '/cfg/disk2.img', vdev: 'xvdb', devid: 51728, access: 'cow', format: 'raw', sizeBytes: 8 * MiB, spec: 'vdev=xvdb, access=cow, target=disk2.img', pos: { line: 9, column: 34, offset: 173 } },
      ],
      vifs: [
        { index: 0, mac: '00:16:3e:3d:0f:1e', macGenerated: true, bridge: 'xenbr1', type: 'ioemu', spec: 'bridge=xenbr1', pos: { line: 10, column: 9, offset: 225 } },
        { index: 1, mac: '00:16:3e:00:00:01', macGenerated: false, bridge: 'xenbr0', type: 'vif', spec: 'mac=00:16:3e:00:00:01, type=vif', pos: { line: 10, column: 26, offset: 242 } },
      ],
      onPoweroff: 'preserve',
      onReboot: 'destroy',
      onCrash: 'restart',
      sourceFile: '/cfg/a.cfg',
    });
  });

  test.each([
    ['type pvh', 'type = "pvh"', { type: 'pvh' }],
    ['memory as a string', 'memory = "512"', { memoryMiB: 512 }],
    ['memory in hex', 'memory = 0x100', { memoryMiB: 256 }],
    ['memory as a hex string', 'memory = "0x40"', { memoryMiB: 64 }],
    ['memory at the minimum', 'memory = 16', { memoryMiB: 16 }],
    ['memory at the budget', 'memory = 1920', { memoryMiB: 1920 }],
    ['vcpus as a string', 'vcpus = "2"', { vcpus: 2 }],
    ['64 vcpus', 'vcpus = 64', { vcpus: 64 }],
    ['relative path up and over', 'kernel = "../k/vmlinux"', { kernel: '/k/vmlinux' }],
    ['absolute path', 'kernel = "/k/vmlinux"', { kernel: '/k/vmlinux' }],
    ['a PV domain gets PV NICs', "vif = ['']", { vifs: [expect.objectContaining({ type: 'vif', bridge: 'xenbr0', macGenerated: true })] }],
  ])('%s', (_what, line, expected) => {
    expect(load(`name = "d"\nkernel = "kernel.bin"\n${line}\n`).config).toMatchObject(expected);
  });

  test.each([
    ['cmdline only', 'cmdline = "a b"', 'a b'],
    ['root and extra', 'root = "/dev/xvda1"\nextra = "console=hvc0"', 'root=/dev/xvda1 console=hvc0'],
    ['root only', 'root = "/dev/xvda1"', 'root=/dev/xvda1'],
    ['extra only', 'extra = "console=hvc0"', 'console=hvc0'],
    ['cmdline wins over root and extra', 'root = "/dev/x"\nextra = "e"\ncmdline = "c"', 'c'],
    ['none', '', undefined],
  ])("command line: %s (xl's precedence)", (_what, lines, cmdline) => {
    expect(load(`${PV}${lines}\n`).config.cmdline).toBe(cmdline);
  });

  it('warns that root and extra are ignored next to cmdline', () => {
    expect(warnings(`${PV}root = "/dev/x"\nextra = "e"\ncmdline = "c"\n`)).toEqual([
      '3:8: ignored in favour of cmdline (as xl does)',
      '4:9: ignored in favour of cmdline (as xl does)',
    ]);
  });

  it('accepts the deprecated builder with a warning', () => {
    const r = load('name = "h"\nbuilder = "hvm"\nkernel = "kernel.bin"\n');
    expect(r.config.type).toBe('hvm');
    expect(r.warnings.map((d) => d.message)).toEqual(['builder is deprecated since Xen 4.10; write type = "hvm"']);
    expect(load('name = "p"\ntype = "pv"\nbuilder = "generic"\nkernel = "kernel.bin"\n').config.type).toBe('pv');
  });

  it('warns about keys xl knows but we ignore, and unknown keys, where they are', () => {
    expect(warnings(`${PV}maxmem = 64\n  colour = "blue"\nmemory = 40\nmemory = 48\n`)).toEqual([
      '3:1: "maxmem" is an xl setting Chronovisor does not implement; ignored',
      '4:3: unknown setting "colour" ignored (xl ignores unknown settings too)',
      '6:1: "memory" is set again; this value replaces the one on line 5, as in xl',
    ]);
  });

  it('passes on disk and vif warnings at their place in the string', () => {
    expect(warnings(`${PV}disk = ['file:odd.img,xvda,r,discard']\nvif = ['ip=10.0.0.2', 'model=e1000']\n`)).toEqual([
      '3:15: disk image /cfg/odd.img is 1000 bytes, not a whole number of 512-byte sectors; the guest will not see the last 488 bytes',
      '3:30: "discard" has no effect here and is ignored',
      '4:9: "ip" has no effect here and is ignored',
      '4:30: model= only applies to emulated NICs (type=ioemu) and is ignored',
    ]);
  });

  it('lets one domain use an image twice when neither use writes it', () => {
    const disks = load(`${PV}disk = ['file:disk.img,xvda,ro', 'file:disk.img,xvdb,cow']\n`).config.disks;
    expect(disks.map((d) => [d.vdev, d.access])).toEqual([
      ['xvda', 'ro'],
      ['xvdb', 'cow'],
    ]);
  });

  it('allows a read-only image that is not writable, and copy-on-write on it', () => {
    expect(load(`${PV}disk = ['file:ro.img,xvda,r', 'file:ro.img,xvdb,cow']\n`).config.disks).toHaveLength(2);
  });
});

describe('domain configuration: errors name file:line:column', () => {
  test.each([
    ['no name', 'kernel = "kernel.bin"', ['1:1: a domain needs a name: add name = "NAME"']],
    ['name is a number', 'name = 5\nkernel = "kernel.bin"', ['1:8: expected a string for "name" (name = "..."), found the number 5']],
    ['name with a space', 'name = "a b"\nkernel = "kernel.bin"', ['1:8: invalid domain name "a b": use 1 to 64 letters, digits, "_", "." or "-"']],
    ['numeric name', 'name = "42"\nkernel = "kernel.bin"', ['1:8: invalid domain name "42": a name must not be a number, which would read as a domain id']],
    ['unknown type', `${PV}type = "fv"`, ['3:8: unknown domain type "fv": expected "hvm", "pvh" or "pv"']],
    ['type is a list', `${PV}type = ["hvm"]`, ['3:8: expected a string for "type" (type = "..."), found a list']],
    ['unknown builder', `${PV}builder = "linux"`, ['3:11: unknown builder "linux": expected "hvm" or "generic" (better: type = "hvm" or "pv")']],
    ['builder contradicts type', `${PV}type = "pv"\nbuilder = "hvm"`, ['4:11: builder = "hvm" contradicts type = "pv"; remove builder (it is deprecated)']],
    ['memory not a number', `${PV}memory = "lots"`, ['3:10: expected a number for "memory", found the string "lots"']],
    ['memory a list', `${PV}memory = [1]`, ['3:10: expected a number for "memory", found a list']],
    ['memory too small', `${PV}memory = 15`, ['3:10: memory = 15 MiB is out of range: expected 16 to 1920 (the host backing store is just under 2 GiB; 1920 MiB of it are for guest RAM, shared by all domains)']],
    ['memory too large', `${PV}memory = 2048`, ['3:10: memory = 2048 MiB is out of range: expected 16 to 1920 (the host backing store is just under 2 GiB; 1920 MiB of it are for guest RAM, shared by all domains)']],
    ['no vcpus', `${PV}vcpus = 0`, ['3:9: vcpus = 0 is out of range: expected 1 to 64']],
    ['too many vcpus', `${PV}vcpus = 65`, ['3:9: vcpus = 65 is out of range: expected 1 to 64']],
    ['PV without a kernel', 'name = "p"\ntype = "pv"', ['2:8: a pv domain boots its kernel directly: add kernel = "PATH"']],
    ['PVH without a kernel (no type given: at the start)', 'name = "p"', ['1:1: a pv domain boots its kernel directly: add kernel = "PATH"']],
    ['PVH with firmware', 'name = "p"\ntype = "pvh"\nkernel = "kernel.bin"\nfirmware = "fw.bin"', ['4:12: firmware is for HVM domains only; a pvh domain boots its kernel directly']],
    ['HVM with nothing to boot', 'name = "h"\ntype = "hvm"', ['2:8: an HVM domain needs something to boot: kernel = "PATH" (U-Boot, Linux, ...) and/or firmware = "PATH"']],
    ['kernel missing', 'name = "p"\nkernel = "nope.bin"', ['2:10: kernel not found: /cfg/nope.bin ("nope.bin" is relative to the directory of /cfg/a.cfg, /cfg)']],
    ['absolute kernel missing', 'name = "p"\nkernel = "/nope.bin"', ['2:10: kernel not found: /nope.bin']],
    ['kernel is a directory', 'name = "p"\nkernel = "dir"', ['2:10: kernel /cfg/dir is not a regular file']],
    ['kernel is empty', 'name = "p"\nkernel = "empty.bin"', ['2:10: kernel /cfg/empty.bin is empty']],
    ['kernel is a number', 'name = "p"\nkernel = 5', ['1:1: a pv domain boots its kernel directly: add kernel = "PATH"', '2:10: expected a string for "kernel" (kernel = "..."), found the number 5']],
    ['ramdisk missing', `${PV}ramdisk = "x.img"`, ['3:11: ramdisk not found: /cfg/x.img ("x.img" is relative to the directory of /cfg/a.cfg, /cfg)']],
    ['ramdisk without kernel', 'name = "h"\ntype = "hvm"\nfirmware = "fw.bin"\nramdisk = "initrd.img"', ['4:11: a ramdisk is loaded for a kernel: add kernel = "PATH"']],
    ['firmware missing', 'name = "h"\ntype = "hvm"\nfirmware = "x.bin"', ['3:12: firmware not found: /cfg/x.bin ("x.bin" is relative to the directory of /cfg/a.cfg, /cfg)']],
    ['built-in firmware name', 'name = "h"\ntype = "hvm"\nfirmware = "uefi"', ['3:12: "uefi" names one of xl\'s built-in firmware images; Chronovisor has none built in: give the path of a firmware image']],
    ['images larger than memory', 'name = "p"\nkernel = "big.bin"\nramdisk = "initrd.img"\nmemory = 32', ['4:10: memory = 32 MiB cannot hold kernel 40.0 MiB + ramdisk 4.0 MiB']],
    ['images larger than the default memory', 'name = "p"\ntype = "pv"\nkernel = "big.bin"', ['2:8: memory = 32 MiB cannot hold kernel 40.0 MiB']],
    ['unimplemented action', `${PV}on_crash = "coredump-destroy"`, ['3:12: on_crash = "coredump-destroy" is an xl action Chronovisor does not implement: use "destroy", "restart" or "preserve"']],
    ['rename-restart', `${PV}on_reboot = "rename-restart"`, ['3:13: on_reboot = "rename-restart" is an xl action Chronovisor does not implement: use "destroy", "restart" or "preserve"']],
    ['unknown action', `${PV}on_poweroff = "halt"`, ['3:15: unknown action "halt" for on_poweroff: expected "destroy", "restart" or "preserve"']],
    ['cmdline not a string', `${PV}cmdline = ["a"]`, ['3:11: expected a string for "cmdline" (cmdline = "..."), found a list']],
    ['disk not a list', `${PV}disk = 'file:disk.img,xvda,w'`, ['3:8: expected a list for "disk" (disk = [ \'...\', \'...\' ]), found the string "file:disk.img,xvda,w"']],
    ['disk entry not a string', `${PV}disk = [1]`, ['3:9: expected a disk spec string in "disk", found the number 1']],
    ['disk spec error inside the string', `${PV}disk = [ 'file:disk.img,xvda,rwx' ]`, ['3:30: unknown access "rwx": expected r or ro (read-only), w or rw (read-write), or cow (copy-on-write: the guest may write, the image file is never changed)']],
    ['disk spec error in an escaped string: at the quote', `${PV}disk = [ "file:disk.img,xvda,\\x72wx" ]`, ['3:10: unknown access "rwx": expected r or ro (read-only), w or rw (read-write), or cow (copy-on-write: the guest may write, the image file is never changed)']],
    ['disk image missing', `${PV}disk = [ 'file:nope.img,xvda,w' ]`, ['3:16: disk image not found: /cfg/nope.img ("nope.img" is relative to the directory of /cfg/a.cfg, /cfg)']],
    ['read-write disk on a read-only image', `${PV}disk = [ 'file:ro.img,xvda,w' ]`, ['3:16: disk image /cfg/ro.img is not writable; use access "ro", or "cow" to let the guest write to an overlay']],
    ['two disks with one vdev', `${PV}disk = [ 'file:disk.img,xvda,r', 'file:disk2.img,d0,r' ]`, ['3:50: vdev "d0" is already used by disk 0 ("xvda", line 3); each disk needs its own']],
    ['read-write image used twice', `${PV}disk = [ 'file:disk.img,xvda,w', 'file:disk.img,xvdb,r' ]`, ['3:40: image /cfg/disk.img is opened read-write by one disk and used by another; a read-write image must have a single user (use access=ro or cow to share it)']],
    ['vif not a list', `${PV}vif = 'bridge=xenbr0'`, ['3:7: expected a list for "vif" (vif = [ \'...\', \'...\' ]), found the string "bridge=xenbr0"']],
    ['vif spec error inside the string', `${PV}vif = [ 'bridge=xenbr0, mac=00:16:3e' ]`, ['3:29: invalid MAC address "00:16:3e": expected six hex bytes separated by ":", such as 00:16:3e:12:34:56']],
    ['emulated NIC on a PV domain', `${PV}vif = [ 'type=ioemu' ]`, ['3:15: type=ioemu needs an HVM domain: pv domains have no device model; use type=vif']],
    ['two NICs with one MAC', `${PV}vif = [ 'mac=00:16:3e:00:00:01', 'bridge=b, mac=00:16:3e:00:00:01' ]`, ['3:49: MAC address 00:16:3e:00:00:01 is already used by vif 0 (line 3); give each NIC its own mac=']],
  ])('%s', (_what, text, expected) => {
    expect(errors(text)).toEqual(expected);
  });

  it('reports every error at once, in file order, each with its line and caret', () => {
    const e = (() => {
      try {
        load('name = "a b"\nmemory = 8\nvcpus = 99\n', '/cfg/bad.cfg');
      } catch (x) {
        return x as DomainConfigError;
      }
      throw new Error('no error');
    })();
    expect(e).toBeInstanceOf(DomainConfigError);
    expect(e.diagnostics.map((d) => `${d.line}:${d.column}`)).toEqual(['1:1', '1:8', '2:10', '3:9']);
    expect(formatDiagnostic(e.diagnostics[2]!)).toBe(
      '/cfg/bad.cfg:2:10: memory = 8 MiB is out of range: expected 16 to 1920 (the host backing store is just under 2 GiB; 1920 MiB of it are for guest RAM, shared by all domains)\n' +
        '    memory = 8\n' +
        '             ^',
    );
    expect(e.message.split('\n')[0]).toBe('/cfg/bad.cfg:1:1: a pv domain boots its kernel directly: add kernel = "PATH"');
  });

  it('takes a smaller memory budget from the options', () => {
    expect(errors(`${PV}memory = 600`, { memoryBudgetMiB: 512 })).toEqual([
      '3:10: memory = 600 MiB is out of range: expected 16 to 512 (the host backing store is just under 2 GiB; 512 MiB of it are for guest RAM, shared by all domains)',
    ]);
  });
});
