// A deterministic learning bridge connecting the NICs of several domains (the role of Xen's
// xenbr0 in dom0). Ports send into one FIFO queue; nothing moves until the core calls
// `deliver()` at a point of its choosing (a scheduling boundary), and then every frame queued
// before that call is forwarded in the order it was sent. Delivery depends only on the order
// of sends and the points where deliver() is called — never on host timing — so two runs of
// the same domains exchange the same frames at the same instructions.
//
// Forwarding follows IEEE 802.1D in its simplest form: learn the source MAC's port (a station
// that moves is relearned; there is no ageing, since time plays no part), send known unicast
// to its port only (dropped if that is the port it came from), flood broadcast, multicast and
// unknown unicast to every other port in port order.

import { ETH_HEADER_BYTES, type NetPort } from './net-port.ts';
import { formatMac } from './layout.ts';

export interface BridgeStats {
  /** Frames accepted from ports. */
  sent: number;
  /** Port deliveries made (one frame flooded to three ports counts three). */
  delivered: number;
  /** Frames dropped: shorter than an Ethernet header, or addressed back to their own port. */
  dropped: number;
}

/** Checkpoint state: the MAC table and the frames not yet delivered. */
export interface BridgeState {
  macTable: Array<[mac: string, port: number]>;
  queue: Array<[port: number, base64: string]>;
  stats: BridgeStats;
}

class BridgePort implements NetPort {
  receiver: ((frame: Uint8Array) => void) | null = null;
  constructor(
    private readonly bridge: Bridge,
    readonly index: number,
    readonly name: string,
  ) {}
  send(frame: Uint8Array): void {
    this.bridge.enqueue(this.index, frame);
  }
  onFrame(cb: (frame: Uint8Array) => void): void {
    this.receiver = cb;
  }
}

export class Bridge {
  readonly name: string;
  private readonly ports: BridgePort[] = [];
  /** MAC (as "aa:bb:..") -> port index. A Map iterates in insertion order, so saves are stable. */
  private macTable = new Map<string, number>();
  private queue: Array<{ port: number; frame: Uint8Array }> = [];
  private stats: BridgeStats = { sent: 0, delivered: 0, dropped: 0 };

  constructor(name = 'xenbr0') {
    this.name = name;
  }

  /** Adds a port; ports are numbered in the order they are added. */
  port(name: string): NetPort {
    const p = new BridgePort(this, this.ports.length, name);
    this.ports.push(p);
    return p;
  }

  get portNames(): readonly string[] {
    return this.ports.map((p) => p.name);
  }

  /** Frames waiting for the next deliver(). */
  get pending(): number {
    return this.queue.length;
  }

  getStats(): Readonly<BridgeStats> {
    return { ...this.stats };
  }

  /** The learned MAC table, in learning order. */
  learned(): Array<{ mac: string; port: string }> {
    return [...this.macTable].map(([mac, i]) => ({ mac, port: this.ports[i]!.name }));
  }

  /** Called by ports: the frame is copied so later changes by the sender cannot leak in. */
  enqueue(port: number, frame: Uint8Array): void {
    this.stats.sent++;
    this.queue.push({ port, frame: frame.slice() });
  }

  /**
   * Forwards every frame queued before this call, oldest first. Frames that receivers send
   * from inside their callbacks wait for the next call, so one deliver() always terminates.
   * Returns the number of port deliveries made.
   */
  deliver(): number {
    const batch = this.queue;
    this.queue = [];
    let n = 0;
    for (const { port, frame } of batch) n += this.forward(port, frame);
    this.stats.delivered += n;
    return n;
  }

  save(): BridgeState {
    return {
      macTable: [...this.macTable],
      queue: this.queue.map(({ port, frame }) => [port, Buffer.from(frame).toString('base64')]),
      stats: { ...this.stats },
    };
  }

  restore(state: BridgeState): void {
    for (const p of [...state.macTable.map(([, port]) => port), ...state.queue.map(([port]) => port)]) {
      if (!Number.isInteger(p) || p < 0 || p >= this.ports.length) {
        throw new Error(`bridge ${this.name} checkpoint names port ${p}; this bridge has ${this.ports.length} ports`);
      }
    }
    this.macTable = new Map(state.macTable);
    this.queue = state.queue.map(([port, b64]) => ({ port, frame: new Uint8Array(Buffer.from(b64, 'base64')) }));
    this.stats = { ...state.stats };
  }

  private forward(from: number, frame: Uint8Array): number {
    if (frame.length < ETH_HEADER_BYTES) {
      this.stats.dropped++;
      return 0;
    }
    const dst = frame.subarray(0, 6);
    const src = frame.subarray(6, 12);
    // Only unicast sources are learned: a group address as source is malformed (802.3 3.2.3).
    if ((src[0]! & 1) === 0) {
      const key = formatMac(src);
      // Re-inserting moves a relearned station to the end, keeping the table in learning order.
      if (this.macTable.get(key) !== from) {
        this.macTable.delete(key);
        this.macTable.set(key, from);
      }
    }
    const known = (dst[0]! & 1) === 0 ? this.macTable.get(formatMac(dst)) : undefined;
    if (known !== undefined) {
      if (known === from) {
        this.stats.dropped++;
        return 0;
      }
      this.ports[known]!.receiver?.(frame.slice());
      return 1;
    }
    let n = 0;
    for (const p of this.ports) {
      if (p.index === from) continue;
      p.receiver?.(frame.slice());
      n++;
    }
    return n;
  }
}
