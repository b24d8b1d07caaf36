// A GDB Remote Serial Protocol client for QEMU's gdbstub, tuned for instruction-by-
// instruction lockstep: batches of requests written in one socket write (QEMU answers them
// in order), so stepping and reading every register costs one round trip per instruction,
// and no-ack mode where the stub offers it (QEMU 8.0 and later).
//
// One rule shapes the batching: QEMU's gdbstub stops a running VM when any byte arrives
// while it runs (gdb_read_byte treats it like ^C and the step ends with T02, having
// executed nothing). A batch may therefore contain at most one resuming packet ('s', 'c',
// 'vCont'), and it must come last; and since QEMU 7.2 does not offer QStartNoAckMode, our
// '+' acknowledgements are held back and prepended to the next write, when the target is
// known to be stopped, instead of being sent the moment a reply arrives.
import net from 'node:net';
import {
  RspParser,
  bigIntToLeHex,
  decodeReply,
  frame,
  hexToText,
  leHexToBigInt,
  textToHex,
} from './rsp-packet.ts';
import { readTargetDescription, requireRegister, type TargetDescription } from './target-description.ts';

/** Where the stub listens: `-gdb tcp::PORT` or a unix socket chardev. */
export type GdbEndpoint = { host?: string; port: number } | { path: string };

/** A parsed stop reply ('T', 'S', 'W' or 'X' packet). */
export interface StopReply {
  kind: 'T' | 'S' | 'W' | 'X';
  /** Signal for T/S (5 = SIGTRAP after a step or breakpoint), exit status for W/X. */
  code: number;
  /** `key:value` pairs of a T reply (QEMU sends `thread:p01.01;`, plus `swbreak`/`watch` when relevant). */
  info: Map<string, string>;
  raw: string;
}

/** x0..x31 and pc, as unsigned 64-bit values. */
export interface CoreRegs {
  x: bigint[];
  pc: bigint;
}

/**
 * Qqemu.sstep flags (QEMU include/hw/core/cpu.h): ENABLE = step one instruction,
 * NOIRQ = mask interrupts while stepping, NOTIMER = keep QEMU's virtual clock disabled while
 * stepping. QEMU's default is all three (7), which hides interrupts. Measured on 7.2
 * (docs/ORACLE.md, finding (f)): ENABLE|NOTIMER (5) is the faithful setting — time follows
 * the instruction count and timer interrupts arrive where a free run takes them — while
 * ENABLE alone (1) lets every step end with a jump of the clock to the next timer deadline.
 */
export const SSTEP = { ENABLE: 0x1, NOIRQ: 0x2, NOTIMER: 0x4 } as const;

interface Pending {
  resolve: (reply: string) => void;
  reject: (err: Error) => void;
  /** qRcmd: 'O' console packets precede the final reply and are collected. */
  console?: string[];
  what: string;
}

const RESUMING = /^(s|c|vCont;[cs]|S|C)/;

/** CHRONOVISOR_GDB_TRACE=1 prints every packet to stderr (debugging the oracle itself). */
const TRACE = process.env['CHRONOVISOR_GDB_TRACE'] === '1';

export class GdbRemote {
  private readonly queue: Pending[] = [];
  private head = 0;
  private readonly parser: RspParser;
  private ackMode = true;
  /** Acks owed to the stub, sent with the next write (see the file comment). */
  private acksOwed = 0;
  private closed: Error | null = null;
  /** Packets written, for the statistics printed by benchmarks. */
  packetsSent = 0;
  private description: TargetDescription | null = null;
  private packetSize = 4096;

  private constructor(private readonly sock: net.Socket) {
    sock.setNoDelay(true);
    sock.setEncoding('latin1');
    this.parser = new RspParser(
      (p) => this.onPacket(p),
      () => {},
    );
    sock.on('data', (chunk: string) => {
      try {
        this.parser.push(chunk);
      } catch (e) {
        this.fail(e as Error);
      }
    });
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new Error('the gdbstub closed the connection (did QEMU exit?)')));
  }

  /**
   * Connects, retrying while QEMU is still starting, reads the stub's features and target
   * description, and switches to no-ack mode if offered. `timeoutMs` bounds the whole wait.
   */
  static async connect(endpoint: GdbEndpoint, timeoutMs = 10_000): Promise<GdbRemote> {
    const deadline = Date.now() + timeoutMs;
    const where = 'path' in endpoint ? endpoint.path : `${endpoint.host ?? '127.0.0.1'}:${endpoint.port}`;
    let lastErr: unknown = null;
    while (Date.now() < deadline) {
      let g: GdbRemote | null = null;
      try {
        g = new GdbRemote(await openSocket(endpoint));
        await g.handshake();
        return g;
      } catch (e) {
        g?.close();
        lastErr = e;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    throw new Error(`could not connect to QEMU's gdbstub at ${where} within ${timeoutMs} ms: ${String(lastErr)}`);
  }

  private async handshake(): Promise<void> {
    const features = await this.request('qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;vContSupported+;xmlRegisters=riscv');
    const size = /PacketSize=([0-9a-fA-F]+)/.exec(features);
    if (size) this.packetSize = parseInt(size[1]!, 16);
    if (features.includes('QStartNoAckMode+')) {
      const ok = await this.request('QStartNoAckMode');
      if (ok !== 'OK') throw new Error(`QStartNoAckMode refused: ${ok}`);
      // The reply to QStartNoAckMode itself is the last one acknowledged.
      this.ackMode = false;
      this.write('');
    }
    // QEMU answers 'p'/'P' with an empty (unsupported) reply until the client has read
    // target.xml (its gdb_has_xml flag), so the description is always fetched up front.
    await this.targetDescription();
  }

  // ---- transport -------------------------------------------------------------------

  private onPacket(raw: string): void {
    if (TRACE) process.stderr.write(`gdb <- ${raw.slice(0, 120)}\n`);
    if (this.ackMode) this.acksOwed++;
    const p = this.queue[this.head];
    if (!p) {
      // All-stop mode never sends unsolicited packets; one here means the stream is out of sync.
      this.fail(new Error(`unexpected packet from gdbstub with no request pending: ${raw.slice(0, 80)}`));
      return;
    }
    const reply = decodeReply(raw);
    if (p.console && reply.length > 1 && reply[0] === 'O' && reply !== 'OK') {
      p.console.push(hexToText(reply.slice(1)));
      return;
    }
    this.queue[this.head] = undefined as unknown as Pending;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    p.resolve(p.console ? p.console.join('') + (reply === 'OK' ? '' : reply) : reply);
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.closed = err;
    for (let i = this.head; i < this.queue.length; i++) this.queue[i]?.reject(err);
    this.queue.length = 0;
    this.head = 0;
    this.sock.destroy();
  }

  /**
   * Sends several packets in one write and resolves with their replies in order. Only the
   * last packet may resume the target (see the file comment).
   */
  batch(payloads: readonly string[]): Promise<string[]> {
    return Promise.all(this.batchEach(payloads));
  }

  /** Like batch(), with one promise per reply, so early replies can be used before the last arrives. */
  batchEach(payloads: readonly string[]): Promise<string>[] {
    for (let i = 0; i < payloads.length - 1; i++) {
      if (RESUMING.test(payloads[i]!)) {
        throw new Error(`"${payloads[i]}" resumes the target, so it must be the last packet of a batch`);
      }
    }
    if (this.closed) return payloads.map(() => Promise.reject(this.closed));
    let wire = '';
    const replies: Promise<string>[] = [];
    for (const p of payloads) {
      wire += frame(p);
      replies.push(new Promise<string>((resolve, reject) => this.queue.push({ resolve, reject, what: p })));
    }
    this.packetsSent += payloads.length;
    this.write(wire);
    return replies;
  }

  /** One packet, one reply. */
  request(payload: string): Promise<string> {
    if (this.closed) return Promise.reject(this.closed);
    const reply = new Promise<string>((resolve, reject) => this.queue.push({ resolve, reject, what: payload }));
    this.packetsSent++;
    this.write(frame(payload));
    return reply;
  }

  private write(wire: string): void {
    if (TRACE) process.stderr.write(`gdb -> ${wire.slice(0, 120)}\n`);
    if (this.acksOwed > 0) {
      wire = '+'.repeat(this.acksOwed) + wire;
      this.acksOwed = 0;
    }
    this.sock.write(wire, 'latin1');
  }

  /** True once QStartNoAckMode was accepted (QEMU 8.0 and later; 7.2 stays in ack mode). */
  get noAck(): boolean {
    return !this.ackMode;
  }

  /** Sends ^C: a running target stops and the pending 'c' resolves with its stop reply. */
  interrupt(): void {
    this.sock.write('\x03', 'latin1');
  }

  close(): void {
    if (!this.closed) {
      this.closed = new Error('the gdb connection was closed by this client');
      this.sock.destroy();
    }
  }

  // ---- execution control -----------------------------------------------------------

  /** Sets QEMU's single-step flags (see SSTEP). */
  async setSingleStepFlags(flags: number): Promise<void> {
    const r = await this.request(`Qqemu.sstep=${flags.toString(16)}`);
    if (r !== 'OK') throw new Error(`Qqemu.sstep=${flags} refused: ${r}`);
  }

  async singleStepFlags(): Promise<number> {
    return parseInt(await this.request('qqemu.sstep'), 16);
  }

  /** Steps one instruction (QEMU's definition: see docs/ORACLE.md). */
  async step(): Promise<StopReply> {
    return parseStop(await this.request('s'));
  }

  /** Resumes until a breakpoint, a watchpoint, ^C or the guest's exit. */
  async cont(): Promise<StopReply> {
    return parseStop(await this.request('c'));
  }

  /** Software breakpoint ('Z0'); kind 2 for a compressed instruction, 4 otherwise. */
  async insertBreakpoint(addr: bigint, kind: 2 | 4 = 4, hardware = false): Promise<void> {
    const r = await this.request(`Z${hardware ? 1 : 0},${addr.toString(16)},${kind}`);
    if (r !== 'OK') throw new Error(`could not set a breakpoint at 0x${addr.toString(16)}: ${r}`);
  }

  async removeBreakpoint(addr: bigint, kind: 2 | 4 = 4, hardware = false): Promise<void> {
    const r = await this.request(`z${hardware ? 1 : 0},${addr.toString(16)},${kind}`);
    if (r !== 'OK') throw new Error(`could not remove the breakpoint at 0x${addr.toString(16)}: ${r}`);
  }

  /** A QEMU monitor (HMP) command through qRcmd; returns its printed output. */
  async monitor(command: string): Promise<string> {
    if (this.closed) throw this.closed;
    const reply = new Promise<string>((resolve, reject) =>
      this.queue.push({ resolve, reject, what: `qRcmd ${command}`, console: [] }),
    );
    this.write(frame(`qRcmd,${textToHex(command)}`));
    return reply;
  }

  // ---- registers -------------------------------------------------------------------

  /** The register table the stub advertised (cached). */
  async targetDescription(): Promise<TargetDescription> {
    if (!this.description) {
      this.description = await readTargetDescription((annex) => this.readXferAnnex('features', annex));
    }
    return this.description;
  }

  /** Register number of `name` ("ft0", "fcsr", "mstatus", "priv", ...). */
  async regnum(name: string): Promise<number> {
    return requireRegister(await this.targetDescription(), name).regnum;
  }

  private async readXferAnnex(object: string, annex: string): Promise<string> {
    let out = '';
    const chunk = Math.max(256, this.packetSize - 16);
    for (;;) {
      const r = await this.request(`qXfer:${object}:read:${annex}:${out.length.toString(16)},${chunk.toString(16)}`);
      if (r[0] === 'E' || r.length === 0) throw new Error(`qXfer:${object}:read:${annex} failed: ${r || 'unsupported'}`);
      out += r.slice(1);
      if (r[0] === 'l') return out;
    }
  }

  /** 'g': x0..x31 and pc. */
  async readCore(): Promise<CoreRegs> {
    return parseCore(await this.request('g'));
  }

  /** One register by number ('p'), as an unsigned value. */
  async readRegister(regnum: number): Promise<bigint> {
    return parseRegisterReply(await this.request(`p${regnum.toString(16)}`), regnum);
  }

  /** Several registers by number, pipelined in one write. */
  async readRegisters(regnums: readonly number[]): Promise<bigint[]> {
    const replies = await this.batch(regnums.map((n) => `p${n.toString(16)}`));
    return replies.map((r, i) => parseRegisterReply(r, regnums[i]!));
  }

  async writeRegister(regnum: number, value: bigint, bytes = 8): Promise<void> {
    const r = await this.request(`P${regnum.toString(16)}=${bigIntToLeHex(value, bytes)}`);
    if (r !== 'OK') throw new Error(`could not write register ${regnum}: ${r}`);
  }

  // ---- memory ----------------------------------------------------------------------

  /** 'm' reads, split to fit the stub's packet size and pipelined. Physical or virtual per QEMU's 'phy_memory_mode'. */
  async readMemory(addr: bigint, length: number): Promise<Uint8Array> {
    const max = Math.floor((this.packetSize - 8) / 2);
    const packets: string[] = [];
    for (let off = 0; off < length; off += max) {
      packets.push(`m${(addr + BigInt(off)).toString(16)},${Math.min(max, length - off).toString(16)}`);
    }
    const replies = await this.batch(packets);
    const out = new Uint8Array(length);
    let at = 0;
    replies.forEach((r, i) => {
      if (r[0] === 'E' && r.length === 3) throw new Error(`gdbstub could not read memory (${packets[i]}): ${r}`);
      out.set(Buffer.from(r, 'hex'), at);
      at += r.length / 2;
    });
    return out;
  }

  async readU64(addr: bigint): Promise<bigint> {
    const b = await this.readMemory(addr, 8);
    return Buffer.from(b).readBigUInt64LE(0);
  }

  async writeMemory(addr: bigint, bytes: Uint8Array): Promise<void> {
    const max = Math.floor((this.packetSize - 32) / 2);
    const packets: string[] = [];
    for (let off = 0; off < bytes.length; off += max) {
      const part = bytes.subarray(off, off + max);
      packets.push(`M${(addr + BigInt(off)).toString(16)},${part.length.toString(16)}:${Buffer.from(part).toString('hex')}`);
    }
    for (const r of await this.batch(packets)) {
      if (r !== 'OK') throw new Error(`gdbstub could not write memory at 0x${addr.toString(16)}: ${r}`);
    }
  }
}

function openSocket(endpoint: GdbEndpoint): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock =
      'path' in endpoint
        ? net.createConnection({ path: endpoint.path })
        : net.createConnection({ host: endpoint.host ?? '127.0.0.1', port: endpoint.port });
    sock.once('connect', () => {
      sock.removeAllListeners('error');
      resolve(sock);
    });
    sock.once('error', reject);
  });
}

export function parseStop(raw: string): StopReply {
  const kind = raw[0];
  if (kind !== 'T' && kind !== 'S' && kind !== 'W' && kind !== 'X') {
    throw new Error(`expected a stop reply from the gdbstub, got: ${raw.slice(0, 80)}`);
  }
  const code = parseInt(raw.slice(1, 3), 16);
  const info = new Map<string, string>();
  if (kind === 'T') {
    for (const part of raw.slice(3).split(';')) {
      const colon = part.indexOf(':');
      if (colon > 0) info.set(part.slice(0, colon), part.slice(colon + 1));
    }
  }
  return { kind, code, info, raw };
}

/** Parses a 'g' reply: 33 little-endian 64-bit registers (x0..x31, pc). */
export function parseCore(hex: string): CoreRegs {
  if (hex.length < 33 * 16) throw new Error(`short 'g' reply from gdbstub (${hex.length} hex chars): ${hex.slice(0, 40)}`);
  const x: bigint[] = new Array(32);
  for (let i = 0; i < 32; i++) x[i] = leHexToBigInt(hex, i * 16, 8) ?? 0n;
  return { x, pc: leHexToBigInt(hex, 32 * 16, 8) ?? 0n };
}

function parseRegisterReply(reply: string, regnum: number): bigint {
  if (reply.length === 0 || (reply[0] === 'E' && reply.length === 3)) {
    throw new Error(`gdbstub could not read register ${regnum}: ${reply || 'unsupported'}`);
  }
  const v = leHexToBigInt(reply, 0, reply.length / 2);
  if (v === null) throw new Error(`register ${regnum} is unavailable in this state`);
  return v;
}
