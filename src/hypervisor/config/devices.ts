// `disk = [...]` and `vif = [...]` of one domain: each entry parsed (disk-spec.ts,
// vif-spec.ts), placed in the file for messages, and checked against the files it names and
// the other entries of the same domain.

import type { DomainType } from '../types.ts';
import type { CheckContext } from './check-context.ts';
import type { SourcePos } from './diagnostics.ts';
import { parseDiskSpec, type DiskAccess, type SpecIssue } from './disk-spec.ts';
import { formatMac, generateMac, parseVifSpec, type VifType } from './vif-spec.ts';
import { describeValue, positionInString, type XlCfgString, type XlCfgValue } from './xlcfg-parse.ts';

export interface DiskSpec {
  /** Position in `disk = [...]`. */
  readonly index: number;
  /** Absolute path of the image file. */
  readonly target: string;
  /** Device name the guest sees, as written ("xvda"). */
  readonly vdev: string;
  /** Xen virtual-device number of `vdev` (xen-vbd-interface(7)); the xenstore device id. */
  readonly devid: number;
  /** ro: reads only; rw: writes reach the image; cow: writes go to a per-domain overlay, never the image. */
  readonly access: DiskAccess;
  readonly format: 'raw';
  /** Size of the image file when the configuration was checked. */
  readonly sizeBytes: number;
  /** The spec string as written, and where it is. */
  readonly spec: string;
  readonly pos: SourcePos;
}

export interface VifSpec {
  /** Position in `vif = [...]`; also the device id, as in xl. */
  readonly index: number;
  /** "00:16:3e:xx:xx:xx", lowercase. */
  readonly mac: string;
  /** True when no mac= was given and the MAC was derived from the domain name and index. */
  readonly macGenerated: boolean;
  readonly bridge: string;
  /** vif: paravirtual NIC; ioemu: the device model's emulated NIC (HVM only). Default: ioemu for HVM, vif otherwise. */
  readonly type: VifType;
  readonly model?: string;
  readonly spec: string;
  readonly pos: SourcePos;
}

/** Why two disks may not use the same image, or undefined when they may. */
export function imageConflict(a: DiskSpec, b: DiskSpec): string | undefined {
  if (a.target !== b.target) return undefined;
  if (a.access === 'rw' || b.access === 'rw') {
    return `image ${a.target} is opened read-write by one disk and used by another; a read-write image must have a single user (use access=ro or cow to share it)`;
  }
  return undefined;
}

function specItems(ctx: CheckContext, list: XlCfgValue | undefined, key: string): Array<{ v: XlCfgString; index: number }> {
  if (!list) return [];
  if (list.kind !== 'list') {
    ctx.error(list.pos, `expected a list for "${key}" (${key} = [ '...', '...' ]), found ${describeValue(list)}`);
    return [];
  }
  const out: Array<{ v: XlCfgString; index: number }> = [];
  list.items.forEach((v, index) => {
    if (v.kind === 'string') out.push({ v, index });
    else ctx.error(v.pos, `expected a ${key} spec string in "${key}", found ${describeValue(v)}`);
  });
  return out;
}

function report(ctx: CheckContext, v: XlCfgString, issues: readonly SpecIssue[], severity: 'error' | 'warning'): void {
  for (const i of issues) {
    const pos = positionInString(v, i.offset);
    if (severity === 'error') ctx.error(pos, i.message);
    else ctx.warn(pos, i.message);
  }
}

export function checkDisks(ctx: CheckContext, list: XlCfgValue | undefined): DiskSpec[] {
  const disks: DiskSpec[] = [];
  for (const { v, index } of specItems(ctx, list, 'disk')) {
    const r = parseDiskSpec(v.value);
    report(ctx, v, r.errors, 'error');
    report(ctx, v, r.warnings, 'warning');
    if (!r.disk) continue;
    const d = r.disk;
    const targetPos = positionInString(v, d.targetOffset);
    const file = ctx.existingFile(d.target, targetPos, 'disk image');
    if (!file) continue;
    if (d.access === 'rw' && !ctx.probe.writable(file.path)) {
      ctx.error(targetPos, `disk image ${file.path} is not writable; use access "ro", or "cow" to let the guest write to an overlay`);
      continue;
    }
    if (file.size % 512 !== 0) {
      const tail = file.size % 512;
      ctx.warn(targetPos, `disk image ${file.path} is ${file.size} bytes, not a whole number of 512-byte sectors; the guest will not see the last ${tail} bytes`);
    }
    const disk: DiskSpec = {
      index,
      target: file.path,
      vdev: d.vdev,
      devid: d.devid,
      access: d.access,
      format: d.format,
      sizeBytes: file.size,
      spec: v.value,
      pos: v.pos,
    };
    const vdevPos = positionInString(v, d.vdevOffset);
    const same = disks.find((o) => o.devid === disk.devid);
    if (same) {
      ctx.error(vdevPos, `vdev "${d.vdev}" is already used by disk ${same.index} ("${same.vdev}", line ${same.pos.line}); each disk needs its own`);
      continue;
    }
    const clash = disks.map((o) => imageConflict(o, disk)).find((m) => m !== undefined);
    if (clash) {
      ctx.error(targetPos, clash);
      continue;
    }
    disks.push(disk);
  }
  return disks;
}

export function checkVifs(ctx: CheckContext, list: XlCfgValue | undefined, domainName: string, type: DomainType): VifSpec[] {
  const vifs: VifSpec[] = [];
  for (const { v, index } of specItems(ctx, list, 'vif')) {
    const r = parseVifSpec(v.value);
    report(ctx, v, r.errors, 'error');
    report(ctx, v, r.warnings, 'warning');
    if (!r.vif) continue;
    const p = r.vif;
    const nicType: VifType = p.type ?? (type === 'hvm' ? 'ioemu' : 'vif');
    if (nicType === 'ioemu' && type !== 'hvm') {
      ctx.error(positionInString(v, p.offsets.type ?? 0), `type=ioemu needs an HVM domain: ${type} domains have no device model; use type=vif`);
      continue;
    }
    if (p.model !== undefined && nicType !== 'ioemu') {
      ctx.warn(positionInString(v, p.offsets.model ?? 0), 'model= only applies to emulated NICs (type=ioemu) and is ignored');
    }
    const mac = formatMac(p.mac ?? generateMac(domainName, index));
    const same = vifs.find((o) => o.mac === mac);
    if (same) {
      const macPos = p.offsets.mac === undefined ? v.pos : positionInString(v, p.offsets.mac);
      ctx.error(macPos, `MAC address ${mac} is already used by vif ${same.index} (line ${same.pos.line}); give each NIC its own mac=`);
      continue;
    }
    const model = p.model !== undefined && nicType === 'ioemu' ? { model: p.model } : {};
    vifs.push({ index, mac, macGenerated: p.mac === undefined, bridge: p.bridge, type: nicType, ...model, spec: v.value, pos: v.pos });
  }
  return vifs;
}
