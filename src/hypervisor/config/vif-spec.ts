// One entry of `vif = [...]`: xl's network interface string (xl-network-configuration(5)),
// comma-separated KEY=VALUE settings such as 'bridge=xenbr0, mac=00:16:3e:01:02:03'. An empty
// string is a NIC with every default. Like xl, an unknown setting is an error.
//
// A NIC without mac= gets one in Xen's OUI 00:16:3e, as libxl does, but derived from the
// domain name and the NIC's index instead of a random UUID, so a run (and its recording)
// is the same every time.

import type { SpecIssue } from './disk-spec.ts';

/** vif: a PV network interface (netfront/netback); ioemu: the device model's emulated NIC (HVM only). */
export type VifType = 'vif' | 'ioemu';

export interface ParsedVifSpec {
  /** Six bytes, when mac= was given. */
  readonly mac?: readonly number[];
  /** Bridge the NIC is connected to; libxl's default is xenbr0. */
  readonly bridge: string;
  readonly type?: VifType;
  /** Emulated NIC model for type=ioemu; the device model decides what it accepts. */
  readonly model?: string;
  /** Where each given setting's value starts in the spec string. */
  readonly offsets: { readonly mac?: number; readonly type?: number; readonly model?: number };
}

export interface VifSpecResult {
  readonly vif?: ParsedVifSpec;
  readonly errors: readonly SpecIssue[];
  readonly warnings: readonly SpecIssue[];
}

/** libxl's default bridge. */
export const DEFAULT_BRIDGE = 'xenbr0';
/** Xen's organizationally unique identifier, the first three bytes of generated MACs. */
export const XEN_OUI = [0x00, 0x16, 0x3e] as const;

/** Settings xl knows that only configure a Linux dom0's hotplug scripts or QoS; accepted and ignored. */
const IGNORED_KEYS = new Set(['vifname', 'script', 'ip', 'rate', 'mtu', 'gatewaydev', 'netdev', 'devid', 'accel', 'vid', 'vlan']);
const IGNORED_FLAGS = new Set(['trusted', 'untrusted']);

export function parseVifSpec(spec: string): VifSpecResult {
  const errors: SpecIssue[] = [];
  const warnings: SpecIssue[] = [];
  const err = (offset: number, message: string): void => void errors.push({ offset, message });
  let mac: number[] | undefined;
  let bridge = DEFAULT_BRIDGE;
  let type: VifType | undefined;
  let model: string | undefined;
  const offsets: { mac?: number; type?: number; model?: number } = {};

  let start = 0;
  for (const raw of spec.split(',')) {
    const lead = raw.length - raw.trimStart().length;
    const param = raw.trim();
    const at = start + lead;
    start += raw.length + 1;
    if (param === '') continue;
    if (IGNORED_FLAGS.has(param)) {
      warnings.push({ offset: at, message: `"${param}" has no effect here and is ignored` });
      continue;
    }
    const eq = param.indexOf('=');
    if (eq < 0) {
      err(at, `expected KEY=VALUE (mac=, bridge=, type=, model=), found "${param}"`);
      continue;
    }
    const key = param.slice(0, eq);
    const value = param.slice(eq + 1);
    const vAt = at + eq + 1;
    if (key === 'mac' || key === 'type' || key === 'model') offsets[key] = vAt;
    switch (key) {
      case 'mac': {
        const parsed = parseMac(value);
        if (typeof parsed === 'string') err(vAt, parsed);
        else mac = parsed;
        break;
      }
      case 'bridge':
        // Linux interface names: at most 15 characters (IFNAMSIZ - 1), no "/" or spaces.
        if (!/^[A-Za-z0-9_.-]{1,15}$/.test(value)) {
          err(vAt, `invalid bridge name "${value}": use 1 to 15 letters, digits, "_", "." or "-"`);
        } else {
          bridge = value;
        }
        break;
      case 'type':
        if (value === 'vif' || value === 'ioemu') type = value;
        else err(vAt, `unknown NIC type "${value}": expected vif (paravirtual) or ioemu (emulated, HVM only)`);
        break;
      case 'model':
        if (value === '') err(vAt, 'model= needs a value');
        else model = value;
        break;
      case 'backend':
        if (value !== '0' && value !== 'Domain-0') err(vAt, 'driver domains are not supported: the hypervisor is the backend of every NIC');
        break;
      default:
        if (IGNORED_KEYS.has(key)) warnings.push({ offset: at, message: `"${key}" has no effect here and is ignored` });
        else err(at, `unknown NIC setting "${key}": expected mac, bridge, type or model (see xl-network-configuration(5))`);
    }
  }
  if (errors.length > 0) return { errors, warnings };
  const vif: ParsedVifSpec = { bridge, ...(mac && { mac }), ...(type && { type }), ...(model !== undefined && { model }), offsets };
  return { vif, errors, warnings };
}

/** Six bytes from "xx:xx:xx:xx:xx:xx", or an error message. */
export function parseMac(text: string): number[] | string {
  if (!/^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/.test(text)) {
    return `invalid MAC address "${text}": expected six hex bytes separated by ":", such as 00:16:3e:12:34:56`;
  }
  const bytes = text.split(':').map((b) => parseInt(b, 16));
  if (bytes[0]! & 1) return `MAC address ${text} is a multicast address (lowest bit of the first byte set); a NIC needs a unicast one`;
  if (bytes.every((b) => b === 0)) return 'MAC address 00:00:00:00:00:00 is not usable; leave mac= out to get a generated one';
  return bytes;
}

export function formatMac(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * The MAC of NIC `index` of domain `name` when none is configured: 00:16:3e, then 23 bits of
 * FNV-1a over "name/index". The top bit of the fourth byte is clear, as in libxl's random MACs.
 */
export function generateMac(name: string, index: number): number[] {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(`${name}/${index}`)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return [...XEN_OUI, (h >>> 16) & 0x7f, (h >>> 8) & 0xff, h & 0xff];
}
