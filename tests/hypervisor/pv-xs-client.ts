// A xenstore client for tests that plays the guest's side of the ring from TypeScript: it
// writes requests into a domain's xenstore page the way a frontend would, kicks the store
// port as EVTCHNOP_send would, lets the hypervisor process at a boundary, and reads replies.
import type { PvHost } from '../../src/hypervisor/pv/pv-host.ts';
import { XS } from '../../src/hypervisor/pv/abi.ts';

export interface XsMessage {
  type: number;
  reqId: number;
  txId: number;
  payload: Uint8Array;
  text: string;
}

const enc = (s: string) => new TextEncoder().encode(s);

export class XsClient {
  private nextId = 1;
  constructor(
    private readonly pv: PvHost,
    readonly dom: number,
  ) {}

  private get ring(): number {
    return this.pv.dom(this.dom).boot.store * 4096;
  }

  /** Writes raw bytes into the request ring (wrapping) and advances req_prod; no kick. */
  rawWrite(bytes: Uint8Array): void {
    const hm = this.pv.hm;
    const prod = hm.u32(this.ring + 2052);
    bytes.forEach((b, i) => hm.setU8(this.ring + ((prod + i) & 1023), b));
    hm.setU32(this.ring + 2052, (prod + bytes.length) >>> 0);
  }

  kick(): void {
    this.pv.kickBackend(this.dom, 'xenstore');
    this.pv.boundary();
  }

  message(type: number, payload: Uint8Array | string, txId = 0, reqId = this.nextId++): Uint8Array {
    const p = typeof payload === 'string' ? enc(payload) : payload;
    const m = new Uint8Array(16 + p.length);
    const dv = new DataView(m.buffer);
    dv.setUint32(0, type, true);
    dv.setUint32(4, reqId, true);
    dv.setUint32(8, txId, true);
    dv.setUint32(12, p.length, true);
    m.set(p, 16);
    return m;
  }

  send(type: number, payload: Uint8Array | string, txId = 0): void {
    this.rawWrite(this.message(type, payload, txId));
    this.kick();
  }

  /** Every complete message in the response ring (consumed). */
  replies(): XsMessage[] {
    const hm = this.pv.hm;
    const base = this.ring + 1024;
    let cons = hm.u32(this.ring + 2056);
    const prod = hm.u32(this.ring + 2060);
    const bytes: number[] = [];
    while (cons !== prod) bytes.push(hm.u8(base + (cons++ & 1023)));
    hm.setU32(this.ring + 2056, prod);
    const out: XsMessage[] = [];
    for (let i = 0; i + 16 <= bytes.length; ) {
      const dv = new DataView(Uint8Array.from(bytes.slice(i, i + 16)).buffer);
      const len = dv.getUint32(12, true);
      const payload = Uint8Array.from(bytes.slice(i + 16, i + 16 + len));
      out.push({ type: dv.getUint32(0, true), reqId: dv.getUint32(4, true), txId: dv.getUint32(8, true), payload, text: new TextDecoder('latin1').decode(payload) });
      i += 16 + len;
    }
    return out;
  }

  /** One request, its replies. */
  call(type: number, payload: string, txId = 0): XsMessage[] {
    this.send(type, payload, txId);
    return this.replies();
  }

  read(path: string, txId = 0): string {
    const [r] = this.call(XS.READ, `${path}\0`, txId);
    return r.type === XS.ERROR ? `!${r.text.replace(/\0$/, '')}` : r.text;
  }

  write(path: string, value: string, txId = 0): string {
    const [r] = this.call(XS.WRITE, `${path}\0${value}`, txId);
    return r.text.replace(/\0$/, '');
  }
}
