import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDomainSet, loadDomainConfigs } from '../../src/hypervisor/config/domain-set.ts';
import { loadDomainConfig } from '../../src/hypervisor/config/domain-config.ts';
import { ConfigReadError, DomainConfigError } from '../../src/hypervisor/config/diagnostics.ts';
import { XlCfgError } from '../../src/hypervisor/config/xlcfg-parse.ts';
import { load } from './config-helpers.ts';

function setErrors(...domains: Array<[file: string, text: string]>): string[] {
  try {
    checkDomainSet(domains.map(([file, text]) => load(text, file)));
  } catch (e) {
    if (e instanceof DomainConfigError) return e.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`);
    throw e;
  }
  return [];
}

const pv = (name: string, extra = '') => `name = "${name}"\nkernel = "kernel.bin"\n${extra}`;

describe('the domains of one run', () => {
  it('accepts distinct domains', () => {
    expect(setErrors(['/cfg/a.cfg', pv('a')], ['/cfg/b.cfg', pv('b')])).toEqual([]);
  });

  it('needs unique names', () => {
    expect(setErrors(['/cfg/a.cfg', pv('web')], ['/cfg/b.cfg', `\n${pv('web')}`])).toEqual([
      '/cfg/b.cfg:2:8: domain name "web" is also used by /cfg/a.cfg:1:8; names must be unique among the domains of a run',
    ]);
  });

  it('needs unique MACs across domains', () => {
    const vif = "vif = ['mac=00:16:3e:00:00:07']\n";
    expect(setErrors(['/cfg/a.cfg', pv('a', vif)], ['/cfg/b.cfg', pv('b', vif)])).toEqual([
      '/cfg/b.cfg:3:8: MAC address 00:16:3e:00:00:07 is also used by domain "a" (/cfg/a.cfg:3:8); give one of them its own mac=',
    ]);
  });

  it('gives different domains different generated MACs', () => {
    const a = load(pv('a', "vif = ['']\n"));
    const b = load(pv('b', "vif = ['']\n"), '/cfg/b.cfg');
    expect(a.config.vifs[0]!.mac).not.toBe(b.config.vifs[0]!.mac);
  });

  it('refuses a read-write image shared with another domain', () => {
    expect(setErrors(['/cfg/a.cfg', pv('a', "disk = ['file:disk.img,xvda,w']\n")], ['/cfg/b.cfg', pv('b', "disk = ['file:disk.img,xvda,r']\n")])).toEqual([
      '/cfg/b.cfg:3:9: image /cfg/disk.img is opened read-write by one disk and used by another; a read-write image must have a single user (use access=ro or cow to share it) (domain "a" uses it at /cfg/a.cfg:3:9)',
    ]);
  });

  it('shares read-only and copy-on-write images', () => {
    expect(
      setErrors(['/cfg/a.cfg', pv('a', "disk = ['file:disk.img,xvda,r']\n")], ['/cfg/b.cfg', pv('b', "disk = ['file:disk.img,xvda,cow']\n")], ['/cfg/c.cfg', pv('c', "disk = ['file:disk.img,xvda,cow']\n")]),
    ).toEqual([]);
  });

  it('keeps the RAM of all domains within the budget', () => {
    expect(setErrors(['/cfg/a.cfg', pv('a', 'memory = 1024\n')], ['/cfg/b.cfg', pv('b', 'memory = 512\n')], ['/cfg/c.cfg', pv('c', 'memory = 512\n')])).toEqual([
      '/cfg/c.cfg:3:10: the domains need 2048 MiB of RAM together (a 1024 + b 512 + c 512), more than the 1920 MiB the host backing store has for guests',
    ]);
  });
});

describe('loading cfg files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'chronovisor-cfg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  file('kernel.bin', 'not really a kernel');

  it('resolves paths against the directory of the cfg file, not the working directory', () => {
    const cfg = file('k.cfg', pv('k'));
    expect(loadDomainConfig(cfg).config).toMatchObject({ kernel: path.join(dir, 'kernel.bin'), sourceFile: cfg });
  });

  it('collects syntax and validation errors of every file', () => {
    const bad1 = file('bad1.cfg', 'name = "x"\nmemory = ]\n');
    const bad2 = file('bad2.cfg', 'name = "y"\nkernel = "none.bin"\n');
    const good = file('good.cfg', pv('good'));
    let err: unknown;
    try {
      loadDomainConfigs([bad1, good, bad2]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainConfigError);
    expect((err as DomainConfigError).diagnostics.map((d) => `${path.basename(d.file)}:${d.line}:${d.column}`)).toEqual(['bad1.cfg:2:10', 'bad2.cfg:2:10']);
  });

  it('throws the syntax error of a single file as XlCfgError', () => {
    expect(() => loadDomainConfig(file('syn.cfg', 'memory = ]'))).toThrow(XlCfgError);
  });

  it('says which file could not be read', () => {
    const missing = path.join(dir, 'missing.cfg');
    expect(() => loadDomainConfig(missing)).toThrow(ConfigReadError);
    expect(() => loadDomainConfig(missing)).toThrow(`${missing}: cannot read the domain configuration: ENOENT`);
  });
});

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../guests/examples');
const UBOOT = '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin';

describe.skipIf(!existsSync(UBOOT))('guests/examples', () => {
  it('validate, and run together', () => {
    const files = ['hvm-uboot.cfg', 'hvm-uboot-2.cfg', 'hvm-uboot-devices.cfg'].map((f) => path.join(examples, f));
    const loaded = loadDomainConfigs(files);
    expect(loaded.map((l) => l.warnings)).toEqual([[], [], []]);
    expect(loaded.map((l) => [l.config.name, l.config.type, l.config.memoryMiB, l.config.vcpus, l.config.kernel])).toEqual([
      ['uboot', 'hvm', 128, 1, UBOOT],
      ['uboot-2', 'hvm', 128, 1, UBOOT],
      ['uboot-devices', 'hvm', 256, 2, UBOOT],
    ]);
    const dev = loaded[2]!.config;
    expect(dev.disks).toMatchObject([{ target: path.join(examples, 'scratch.img'), vdev: 'xvda', access: 'cow' }]);
    expect(dev.vifs).toMatchObject([{ bridge: 'xenbr0', type: 'ioemu', macGenerated: true }]);
    expect(dev.cmdline).toBe('console=ttyS0');
    expect(dev.onCrash).toBe('preserve');
  });
});
