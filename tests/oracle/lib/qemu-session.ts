// Launches qemu-system-riscv64 -M virt as the lockstep oracle and guarantees it dies with
// us. Three layers of cleanup, because a leaked QEMU keeps a core busy and a port bound:
//   1. close() (call it from afterEach/afterAll or a finally block);
//   2. a process 'exit' hook that SIGKILLs every session still alive (failed test,
//      uncaught exception, process.exit);
//   3. `setpriv --pdeathsig KILL`, so the kernel kills QEMU even when this process is
//      SIGKILLed and no JavaScript runs at all.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, openSync, closeSync, constants, readFileSync, rmSync, type ReadStream } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { GdbRemote, SSTEP, type GdbEndpoint } from './gdb-remote.ts';

export const QEMU_BINARY = 'qemu-system-riscv64';
export const OPENSBI_FW_DYNAMIC = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin';
export const UBOOT_SMODE = '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin';

/**
 * The QEMU 7.2 CPU that matches a plain RV64GC hart with M/S/U, Sv39 and 16 PMP entries
 * (docs/ORACLE.md, "-cpu"): everything QEMU's rv64 enables beyond that is switched off, so
 * the hart does not have to model it. mvendorid/marchid/mimpid are pinned to 0 instead of
 * QEMU's version number.
 */
export const QEMU_CPU_RV64GC =
  'rv64,h=false,sstc=false,zba=false,zbb=false,zbc=false,zbs=false,Zihintpause=false,' +
  'pmu-num=0,debug=false,mvendorid=0,marchid=0,mimpid=0';

/** The same plus the H extension, for when the hart implements it. */
export const QEMU_CPU_RV64GCH = QEMU_CPU_RV64GC.replace('h=false', 'h=true');

export interface QemuOptions {
  /** -bios: a firmware image, or 'none'. QEMU's default is its bundled OpenSBI, never what we want. */
  bios: string;
  kernel?: string;
  dtb?: string;
  /** -m, e.g. '256M'. */
  memory?: string;
  smp?: number;
  /**
   * -icount shift (virtual ns per instruction = 2^shift); null runs without icount, which
   * makes time follow the host clock and lockstep across timers impossible.
   */
  icountShift?: number | null;
  /** -cpu, e.g. 'rv64,h=false,sstc=false'. See docs/ORACLE.md for the properties of 7.2. */
  cpu?: string;
  /** Extra `-M virt,...` properties, e.g. ['aclint=off']. */
  machineProps?: string[];
  /** Where the UART goes: captured from stdout ('pipe', the default), a file, or nowhere. */
  serial?: 'pipe' | { file: string } | 'none';
  /** Attach the gdbstub and start paused at the reset vector (-S). Default true. */
  gdb?: boolean;
  /** 'unix' (default) avoids port races between parallel test files; 'tcp' is what the gdb manual shows. */
  gdbTransport?: 'tcp' | 'unix';
  /**
   * Qqemu.sstep flags to set after connecting. Default SSTEP.ENABLE alone, so interrupts
   * and timers behave as in a free run (QEMU's default masks them while stepping).
   */
  singleStepFlags?: number;
  /**
   * Stream QEMU's per-instruction CPU log (`-singlestep -d int,cpu[,fpu],nochain,exec`) to
   * `session.cpuLog`, through a named pipe so QEMU blocks when the reader falls behind.
   * (Node's stdio 'pipe' is a socketpair, which QEMU cannot open as a log file.)
   * See qemu-cpu-log.ts for the format and trace-oracle.ts for its use.
   */
  cpuLog?: { fpu?: boolean };
  /**
   * -seed: QEMU 7.2 writes 32 random bytes into the device tree's /chosen/rng-seed on every
   * start unless the seed is fixed, and the firmware copies the whole tree, so two runs
   * would differ. Default 1; null leaves QEMU random.
   */
  seed?: number | null;
  /** Exit instead of rebooting when the guest resets. */
  noReboot?: boolean;
  extraArgs?: string[];
  /** Give up if QEMU or its gdbstub is not up within this time. */
  startTimeoutMs?: number;
}

const live = new Set<QemuSession>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: kill() is, and SIGKILL cannot be ignored.
  process.on('exit', () => {
    for (const s of live) s.killNow();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const s of live) s.killNow();
      process.kill(process.pid, sig);
    });
  }
}

/** A TCP port that was free a moment ago (QEMU binds it right after; a race is retried). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The argv QEMU is started with (exported so docs and error messages can show it). */
export function qemuArgs(
  opts: QemuOptions,
  gdbChardev: string | null,
  serialFile: string | null,
  cpuLogPath: string | null = null,
): string[] {
  const args = ['-M', ['virt', ...(opts.machineProps ?? [])].join(','), '-nographic', '-monitor', 'none'];
  args.push('-bios', opts.bios);
  if (opts.kernel) args.push('-kernel', opts.kernel);
  if (opts.dtb) args.push('-dtb', opts.dtb);
  args.push('-m', opts.memory ?? '256M');
  args.push('-smp', String(opts.smp ?? 1));
  if (opts.cpu) args.push('-cpu', opts.cpu);
  const shift = opts.icountShift === undefined ? 0 : opts.icountShift;
  if (shift !== null) args.push('-icount', `shift=${shift},sleep=off`);
  const serial = opts.serial ?? 'pipe';
  if (serial === 'pipe') args.push('-serial', 'stdio');
  else if (serial === 'none') args.push('-serial', 'none');
  else args.push('-serial', `file:${serialFile ?? serial.file}`);
  if (gdbChardev) args.push('-chardev', gdbChardev, '-gdb', 'chardev:gdb0', '-S');
  if (opts.cpuLog && cpuLogPath) {
    args.push('-singlestep', '-d', `int,cpu${opts.cpuLog.fpu ? ',fpu' : ''},nochain,exec`, '-D', cpuLogPath);
  }
  const seed = opts.seed === undefined ? 1 : opts.seed;
  if (seed !== null) args.push('-seed', String(seed));
  if (opts.noReboot) args.push('-no-reboot');
  args.push(...(opts.extraArgs ?? []));
  return args;
}

/**
 * The device tree QEMU generates for these options (`-M virt,dumpdtb=`), trimmed to its
 * header's totalsize: what our machine's generated tree must equal byte for byte for the
 * firmware to run identically.
 */
export function dumpQemuDtb(opts: QemuOptions): Uint8Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chronovisor-dtb-'));
  try {
    const file = path.join(dir, 'virt.dtb');
    const args = qemuArgs({ ...opts, machineProps: [...(opts.machineProps ?? []), `dumpdtb=${file}`] }, null, null);
    execFileSync(QEMU_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const blob = readFileSync(file);
    return new Uint8Array(blob.subarray(0, blob.readUInt32BE(4)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export class QemuSession {
  /** The gdbstub connection (null when started with gdb: false). */
  gdb!: GdbRemote;
  private serialChunks: string[] = [];
  private serialWaiters: Array<() => void> = [];
  private stderr = '';
  private exited: { code: number | null; signal: string | null } | null = null;
  private readonly exitPromise: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly args: string[],
    private readonly tmpDir: string,
    readonly serialFile: string | null,
    /** The CPU log stream (only with the cpuLog option). */
    readonly cpuLog: ReadStream | null = null,
    private readonly cpuLogPath: string | null = null,
  ) {
    child.stdout?.setEncoding('latin1');
    child.stdout?.on('data', (d: string) => {
      this.serialChunks.push(d);
      for (const w of this.serialWaiters.splice(0)) w();
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      this.stderr += d;
    });
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        live.delete(this);
        for (const w of this.serialWaiters.splice(0)) w();
        resolve();
      });
    });
  }

  static async start(opts: QemuOptions): Promise<QemuSession> {
    for (const f of [opts.bios, opts.kernel, opts.dtb]) {
      if (f && f !== 'none' && !existsSync(f)) throw new Error(`QEMU image not found: ${f}`);
    }
    installExitHook();
    const wantGdb = opts.gdb ?? true;
    const transport = opts.gdbTransport ?? 'unix';
    // A TCP port can be taken between freePort() and QEMU's bind; try a few.
    for (let attempt = 0; ; attempt++) {
      const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'chronovisor-qemu-'));
      let endpoint: GdbEndpoint | null = null;
      let chardev: string | null = null;
      if (wantGdb && transport === 'unix') {
        const p = path.join(tmpDir, 'gdb.sock');
        endpoint = { path: p };
        chardev = `socket,id=gdb0,path=${p},server=on,wait=off`;
      } else if (wantGdb) {
        const port = await freePort();
        endpoint = { port };
        chardev = `socket,id=gdb0,host=127.0.0.1,port=${port},server=on,wait=off,nodelay=on`;
      }
      const serialFile = typeof opts.serial === 'object' ? opts.serial.file : null;
      let cpuLogPath: string | null = null;
      let cpuLog: ReadStream | null = null;
      if (opts.cpuLog) {
        cpuLogPath = path.join(tmpDir, 'cpu.log');
        execFileSync('mkfifo', [cpuLogPath]);
        // Opening a FIFO for reading blocks (in libuv's thread pool) until QEMU opens it.
        cpuLog = createReadStream(cpuLogPath, { encoding: 'latin1', highWaterMark: 256 * 1024 });
      }
      const args = qemuArgs(opts, chardev, serialFile, cpuLogPath);
      const child = spawn('setpriv', ['--pdeathsig', 'KILL', QEMU_BINARY, ...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const s = new QemuSession(child, args, tmpDir, serialFile, cpuLog, cpuLogPath);
      live.add(s);
      if (!endpoint) return s;
      try {
        const timeout = opts.startTimeoutMs ?? 15_000;
        s.gdb = await Promise.race([
          GdbRemote.connect(endpoint, timeout),
          s.exitPromise.then(() => {
            throw new Error(`QEMU exited during startup (${JSON.stringify(s.exited)}): ${s.stderr.trim()}`);
          }),
        ]);
        await s.gdb.setSingleStepFlags(opts.singleStepFlags ?? SSTEP.ENABLE | SSTEP.NOTIMER);
        return s;
      } catch (e) {
        await s.close();
        if (transport === 'tcp' && attempt < 3 && /bind|in use/i.test(String(e))) continue;
        throw new Error(`${String((e as Error).message ?? e)}\n  command: ${QEMU_BINARY} ${args.join(' ')}`);
      }
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The private temporary directory (gdb socket, CPU log FIFO), removed by close(). */
  get workDir(): string {
    return this.tmpDir;
  }

  get hasExited(): boolean {
    return this.exited !== null;
  }

  /** Resolves true once QEMU has exited, or false after `ms` (its socket may close first). */
  async waitForExit(ms: number): Promise<boolean> {
    if (this.exited) return true;
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      this.exitPromise.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
    clearTimeout(timer);
    return r;
  }

  get stderrText(): string {
    return this.stderr;
  }

  /** Everything the guest printed on the UART so far. */
  serialText(): string {
    if (this.serialFile) return existsSync(this.serialFile) ? readFileSync(this.serialFile, 'latin1') : '';
    if (this.serialChunks.length > 1) this.serialChunks = [this.serialChunks.join('')];
    return this.serialChunks[0] ?? '';
  }

  /** Bytes for the guest's UART (only with serial 'pipe'). */
  sendSerial(text: string): void {
    this.child.stdin?.write(text, 'latin1');
  }

  /** Resolves when the UART output contains `text`; rejects on timeout or QEMU exit. */
  async waitForSerial(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.serialText().includes(text)) {
      if (this.exited) throw new Error(`QEMU exited before printing ${JSON.stringify(text)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`QEMU did not print ${JSON.stringify(text)} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, this.serialFile ? 20 : left));
        this.serialWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Synchronous hard kill, for exit hooks. */
  killNow(): void {
    if (!this.exited) this.child.kill('SIGKILL');
    rmSync(this.tmpDir, { recursive: true, force: true });
  }

  /** Stops QEMU (SIGKILL: nothing in the oracle needs a graceful shutdown) and waits for it. */
  async close(): Promise<void> {
    this.gdb?.close();
    if (!this.exited) this.child.kill('SIGKILL');
    await this.exitPromise;
    this.releaseCpuLog();
    rmSync(this.tmpDir, { recursive: true, force: true });
  }

  /**
   * If QEMU died before opening the CPU log FIFO, our reader is still blocked in open() on
   * a libuv thread; opening the write end ourselves releases it.
   */
  private releaseCpuLog(): void {
    if (!this.cpuLog || !this.cpuLogPath) return;
    if (this.cpuLog.pending) {
      try {
        closeSync(openSync(this.cpuLogPath, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // No reader waiting after all.
      }
    }
    this.cpuLog.destroy();
  }
}
