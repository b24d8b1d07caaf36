// Finds the boot firmware Chronovisor runs as a real guest: Debian's OpenSBI
// (`fw_dynamic`, the M-mode "BIOS") and U-Boot for QEMU virt in S-mode.
//
// Each image is looked up, in order: FW_BIOS / FW_UBOOT, the Debian install
// paths, then the repo's ignored cache (.cache/firmware/). Whatever is still
// missing is fetched with `apt-get download` + `dpkg-deb -x` into that cache,
// which needs neither root nor an installed package. The images are never
// committed: they are Debian's, not ours.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FirmwarePaths {
  /** OpenSBI fw_dynamic.bin: load at 0x80000000 as -bios. */
  opensbi: string;
  /** Its ELF, for symbols and disassembly, when shipped beside it. */
  opensbiElf?: string;
  /** U-Boot for qemu-riscv64_smode: the S-mode payload fw_dynamic jumps to. */
  uboot: string;
  ubootElf?: string;
}

/** One image we need, where Debian installs it, and which package ships it. */
interface FirmwareSpec {
  label: string;
  envVar: 'FW_BIOS' | 'FW_UBOOT';
  debianPackage: string;
  /** Paths relative to a filesystem root (`/` or an extracted package). */
  image: string;
  elf: string;
}

const OPENSBI: FirmwareSpec = {
  label: 'OpenSBI fw_dynamic.bin',
  envVar: 'FW_BIOS',
  debianPackage: 'opensbi',
  image: 'usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin',
  elf: 'usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.elf',
};

const UBOOT: FirmwareSpec = {
  label: 'U-Boot qemu-riscv64_smode/u-boot.bin',
  envVar: 'FW_UBOOT',
  debianPackage: 'u-boot-qemu',
  image: 'usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin',
  elf: 'usr/lib/u-boot/qemu-riscv64_smode/uboot.elf',
};

/** The text is the message a user sees: what is missing, what was tried, what to do. */
export class FirmwareNotFoundError extends Error {
  override name = 'FirmwareNotFoundError';
}

/** Runs a command in `cwd`; rejects with its stderr on failure. */
export type RunCommand = (command: string, args: string[], cwd: string) => Promise<void>;

type Env = Record<string, string | undefined>;

export interface LocateFirmwareOptions {
  /** Defaults to process.env; only FW_BIOS and FW_UBOOT are read. */
  env?: Env;
  /** Where the Debian install paths are looked for; `/` by default. */
  systemRoot?: string;
  /** Defaults to <repo>/.cache/firmware. */
  cacheDir?: string;
  /** false: never run apt-get, just report what is missing. Default true. */
  fetch?: boolean;
  /** Replaces apt-get/dpkg-deb (tests). */
  runCommand?: RunCommand;
  /** Progress and warnings; stderr by default. */
  log?: (message: string) => void;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_FIRMWARE_CACHE = path.join(REPO_ROOT, '.cache', 'firmware');

/** Finds (fetching if need be) OpenSBI and U-Boot; throws FirmwareNotFoundError. */
export async function locateFirmware(options: LocateFirmwareOptions = {}): Promise<FirmwarePaths> {
  const env = options.env ?? process.env;
  const systemRoot = options.systemRoot ?? '/';
  const cacheDir = options.cacheDir ?? DEFAULT_FIRMWARE_CACHE;
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const specs = [OPENSBI, UBOOT];

  const find = (spec: FirmwareSpec): Located | undefined =>
    fromEnv(spec, env, log) ?? fromRoot(spec, systemRoot) ?? fromRoot(spec, cacheRoot(cacheDir, spec));

  let found = specs.map(find);
  const missing = specs.filter((_, i) => !found[i]);
  if (missing.length > 0 && options.fetch !== false) {
    const packages = missing.map((spec) => spec.debianPackage);
    log(`firmware: fetching Debian package(s) ${packages.join(', ')} into ${cacheDir}`);
    try {
      await fetchDebianPackages(packages, cacheDir, options.runCommand ?? runCommand);
    } catch (error) {
      throw notFound(missing, systemRoot, cacheDir, `fetching failed: ${(error as Error).message}`);
    }
    found = specs.map(find);
  }
  const stillMissing = specs.filter((_, i) => !found[i]);
  if (stillMissing.length > 0) {
    const why =
      options.fetch === false
        ? 'fetching was disabled'
        : `the packages in ${cacheDir} do not contain them; delete that directory to fetch again`;
    throw notFound(stillMissing, systemRoot, cacheDir, why);
  }
  const [opensbi, uboot] = found as [Located, Located];
  return {
    opensbi: opensbi.image,
    ...(opensbi.elf ? { opensbiElf: opensbi.elf } : {}),
    uboot: uboot.image,
    ...(uboot.elf ? { ubootElf: uboot.elf } : {}),
  };
}

interface Located {
  image: string;
  elf?: string;
}

/** An override that names a missing file is reported, then the search goes on. */
function fromEnv(spec: FirmwareSpec, env: Env, log: (message: string) => void): Located | undefined {
  const value = env[spec.envVar];
  if (!value) return undefined;
  const image = path.resolve(value);
  if (!existsSync(image)) {
    log(`firmware: ignoring ${spec.envVar}=${value}: no such file; searching the usual places`);
    return undefined;
  }
  // Debian's names first (u-boot.bin sits beside uboot.elf), then x.bin -> x.elf.
  const siblings = [path.join(path.dirname(image), path.basename(spec.elf)), image.replace(/\.bin$/, '.elf')];
  const elf = siblings.find((candidate) => candidate !== image && existsSync(candidate));
  return elf ? { image, elf } : { image };
}

function fromRoot(spec: FirmwareSpec, root: string): Located | undefined {
  const image = path.join(root, spec.image);
  if (!existsSync(image)) return undefined;
  const elf = path.join(root, spec.elf);
  return existsSync(elf) ? { image, elf } : { image };
}

/** Each package is extracted into its own root so packages can be fetched independently. */
function cacheRoot(cacheDir: string, spec: FirmwareSpec): string {
  return path.join(cacheDir, spec.debianPackage);
}

/**
 * apt-get download + dpkg-deb -x into a scratch dir, then one rename per
 * package: a concurrent run (parallel tests, two shells) sees either no
 * package or a complete one, never a half-extracted tree.
 */
async function fetchDebianPackages(packages: string[], cacheDir: string, run: RunCommand): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const scratch = await mkdtemp(path.join(cacheDir, '.fetch-'));
  try {
    await run('apt-get', ['download', ...packages], scratch);
    const debs = (await readdir(scratch)).filter((name) => name.endsWith('.deb')).sort();
    for (const pkg of packages) {
      const deb = debs.find((name) => name.startsWith(`${pkg}_`));
      if (!deb) throw new Error(`apt-get download produced no ${pkg}_*.deb in ${scratch}`);
      await run('dpkg-deb', ['-x', deb, pkg], scratch);
      await publish(path.join(scratch, pkg), path.join(cacheDir, pkg));
      // Kept beside the tree: the file name records which Debian version we run.
      await rename(path.join(scratch, deb), path.join(cacheDir, deb));
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function publish(tree: string, destination: string): Promise<void> {
  try {
    await rename(tree, destination);
  } catch (error) {
    // Someone else published it first; theirs is as good as ours.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
}

function runCommand(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        return reject(new Error(`${command} is not installed (this needs a Debian-based system)`));
      }
      const detail = stderr.trim() || error.message;
      const hint = /unable to locate package/i.test(detail) ? ' (run `sudo apt-get update` first)' : '';
      reject(new Error(`\`${command} ${args.join(' ')}\` failed${hint}: ${detail}`));
    });
  });
}

function notFound(missing: FirmwareSpec[], systemRoot: string, cacheDir: string, why: string): FirmwareNotFoundError {
  const lines = missing.map(
    (spec) =>
      `  ${spec.label}: not in $${spec.envVar}, ${path.join(systemRoot, spec.image)} ` +
      `or ${path.join(cacheRoot(cacheDir, spec), spec.image)}`,
  );
  const packages = missing.map((spec) => spec.debianPackage).join(' ');
  const vars = missing.map((spec) => `${spec.envVar}=/path/to/${path.basename(spec.image)}`).join(' ');
  return new FirmwareNotFoundError(
    `firmware not found (${why}):\n${lines.join('\n')}\n` +
      `Install it with \`sudo apt-get install ${packages}\` (Debian/Ubuntu), ` +
      `or point ${vars} at your own builds.`,
  );
}
