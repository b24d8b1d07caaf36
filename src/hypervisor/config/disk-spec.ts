// One entry of `disk = [...]`: xl's disk specification string (xl-disk-configuration(5)),
// parsed the way libxlu's disk lexer reads it, into what our block backend needs.
//
//   'file:/img/a.raw,xvda,w'                    prefix + positional target, vdev, access
//   '/img/a.raw,raw,xvda,ro'                    positional target, format, vdev, access
//   'format=raw, vdev=xvda, access=rw, target=/img/a.raw'   keyed; target= takes the rest
//
// Positional parameters fill target, format, vdev, access in that order, skipping any already
// set; a deprecated prefix on the target (file:, phy:, tap:, aio:, raw:, ...) stands for the
// format, so 'file:PATH,xvda,w' is target, vdev, access. Whitespace before a parameter is
// ignored; a target containing "," or ":" must be written with target=.
//
// Our extension: access "cow" (copy-on-write). The guest sees a writable disk; its writes go
// to an overlay that lives only as long as the domain, and the image file is never written.
// The image may then be shared with other domains that open it "ro" or "cow".

export type DiskAccess = 'ro' | 'rw' | 'cow';

/** A problem at `offset` (0-based) in the spec string. */
export interface SpecIssue {
  readonly offset: number;
  readonly message: string;
}

export interface ParsedDiskSpec {
  /** The image path as written (not yet resolved against the cfg file's directory). */
  readonly target: string;
  readonly targetOffset: number;
  readonly vdev: string;
  readonly vdevOffset: number;
  /** Xen's virtual-device number for the vdev (xen-vbd-interface(7)); also the xenstore device id. */
  readonly devid: number;
  readonly access: DiskAccess;
  /** Only raw images are supported. */
  readonly format: 'raw';
}

export interface DiskSpecResult {
  /** Present when there are no errors. */
  readonly disk?: ParsedDiskSpec;
  readonly errors: readonly SpecIssue[];
  readonly warnings: readonly SpecIssue[];
}

const ACCESS: Record<string, DiskAccess> = { '': 'rw', w: 'rw', rw: 'rw', r: 'ro', ro: 'ro', cow: 'cow' };
const ACCESS_HELP = 'expected r or ro (read-only), w or rw (read-write), or cow (copy-on-write: the guest may write, the image file is never changed)';
/** Prefixes that only said which backend to use; every disk here is a file read by the hypervisor. */
const BACKEND_PREFIXES = new Set(['file', 'phy', 'tap', 'tap2', 'tapdisk', 'aio', 'ioemu']);
const FORMAT_PREFIXES = new Set(['raw', 'qcow', 'qcow2', 'vhd']);
const SCRIPT_PREFIXES = new Set(['iscsi', 'nbd', 'enbd', 'drbd']);
/** Accepted and without effect here, as they only tune a Linux dom0's backend. */
const IGNORED_FLAGS = new Set(['direct-io-safe', 'discard', 'no-discard', 'trusted', 'untrusted', 'colo', 'no-colo']);
const IGNORED_KEYS = new Set(['backendtype', 'colo-host', 'colo-port', 'colo-export', 'active-disk', 'hidden-disk', 'grant_usage']);

/** Parses one disk spec string. Never throws; problems come back with their offsets. */
export function parseDiskSpec(spec: string): DiskSpecResult {
  const errors: SpecIssue[] = [];
  const warnings: SpecIssue[] = [];
  const err = (offset: number, message: string): void => void errors.push({ offset, message });
  let target: { text: string; offset: number } | undefined;
  let vdev: { text: string; offset: number } | undefined;
  let format: { text: string; offset: number } | undefined;
  let access: { value: DiskAccess; offset: number } | undefined;
  let hadPrefix = false;

  const setFormat = (text: string, offset: number): void => {
    if (format && format.text !== text) err(offset, `format given twice ("${format.text}" and "${text}")`);
    format = { text, offset };
  };
  const setAccess = (text: string, offset: number): void => {
    const value = ACCESS[text];
    if (value === undefined) return err(offset, `unknown access "${text}": ${ACCESS_HELP}`);
    if (access) return err(offset, 'access given twice');
    access = { value, offset };
  };
  const setVdev = (text: string, offset: number): void => {
    // xl's deprecated "vdev:type" positional form.
    const colon = text.lastIndexOf(':');
    if (colon >= 0) {
      const type = text.slice(colon + 1);
      if (type === 'cdrom') err(offset + colon + 1, 'CD-ROM devices are not supported; attach the image as a disk with access "ro"');
      else if (type !== 'disk') err(offset + colon + 1, `unknown device type "${type}": expected disk`);
      text = text.slice(0, colon);
    }
    if (vdev) return err(offset, `vdev given twice ("${vdev.text}" and "${text}")`);
    vdev = { text, offset };
  };

  // Like libxlu, stop at the first problem: what follows a misread parameter is misread too.
  let i = 0;
  while (i < spec.length && errors.length === 0) {
    while (i < spec.length && /[ \t\n]/.test(spec[i]!)) i++;
    if (i >= spec.length) break;
    const at = i;
    if (spec.startsWith('target=', i)) {
      // target= takes the rest of the string, commas and all (one trailing comma dropped).
      let text = spec.slice(i + 'target='.length);
      if (text.endsWith(',')) text = text.slice(0, -1);
      if (target?.text) err(at, 'target given twice');
      target = { text, offset: at + 'target='.length };
      break;
    }
    const comma = spec.indexOf(',', i);
    const end = comma < 0 ? spec.length : comma;
    const param = spec.slice(i, end);
    i = comma < 0 ? spec.length : comma + 1;

    const eq = param.indexOf('=');
    if (eq >= 0) {
      const key = param.slice(0, eq);
      const value = param.slice(eq + 1);
      const vAt = at + eq + 1;
      if (key === 'format') setFormat(value, vAt);
      else if (key === 'access') setAccess(value, vAt);
      else if (key === 'vdev') setVdev(value, vAt);
      else if (key === 'devtype') {
        if (value === 'cdrom') err(vAt, 'CD-ROM devices are not supported; attach the image as a disk with access "ro"');
        else if (value !== 'disk') err(vAt, `unknown devtype "${value}": expected disk`);
      } else if (key === 'specification') {
        if (value !== 'xen') err(vAt, `specification "${value}" is not supported: disks use Xen's block protocol ("xen")`);
      } else if (key === 'backend') {
        if (value !== '0' && value !== 'Domain-0') err(vAt, 'driver domains are not supported: the hypervisor is the backend of every disk');
      } else if (key === 'script') {
        err(at, 'hotplug scripts are not supported: a disk is an image file the hypervisor opens itself');
      } else if (IGNORED_KEYS.has(key)) {
        warnings.push({ offset: at, message: `"${key}" has no effect here and is ignored` });
      } else {
        err(at, `unknown disk parameter "${key}" (see xl-disk-configuration(5))`);
      }
      continue;
    }
    if (param === 'cdrom') {
      err(at, 'CD-ROM devices are not supported; attach the image as a disk with access "ro"');
      continue;
    }
    if (IGNORED_FLAGS.has(param)) {
      warnings.push({ offset: at, message: `"${param}" has no effect here and is ignored` });
      continue;
    }

    // A positional parameter.
    if (target === undefined) {
      let text = param;
      let off = at;
      for (let m = /^([a-z][a-z0-9]*):/.exec(text); m; m = /^([a-z][a-z0-9]*):/.exec(text)) {
        const p = m[1]!;
        if (FORMAT_PREFIXES.has(p)) setFormat(p, off);
        else if (SCRIPT_PREFIXES.has(p)) err(off, `"${p}:" disks are not supported: a disk is an image file the hypervisor opens itself`);
        else if (!BACKEND_PREFIXES.has(p)) {
          // Like libxlu: "c:foo" is a path, "c:/foo" an unknown prefix.
          if (/^[a-z0-9]/.test(text.slice(m[0].length))) break;
          err(off, `unknown disk prefix "${p}:": expected file:, phy:, aio:, tap: or raw: (or none)`);
        }
        hadPrefix = true;
        text = text.slice(m[0].length);
        off += m[0].length;
      }
      target = { text, offset: off };
    } else if (!hadPrefix && format === undefined) {
      setFormat(param, at);
    } else if (vdev === undefined) {
      setVdev(param, at);
    } else if (access === undefined) {
      setAccess(param, at);
    } else {
      err(at, `too many positional parameters: "${param}" comes after target, format, vdev and access`);
    }
  }

  if (errors.length > 0) return { errors, warnings };
  if (format && format.text !== '' && format.text !== 'raw') {
    const known = ['qcow', 'qcow2', 'vhd', 'qed', 'empty'].includes(format.text);
    const looksLikeVdev = typeof vbdDeviceNumber(format.text) === 'number';
    err(
      format.offset,
      known
        ? `format "${format.text}" is not supported: only raw images are`
        : looksLikeVdev
          ? `unknown format "${format.text}": without a prefix such as file:, the second parameter is the format; ` +
            `write 'file:PATH,${format.text},...' or 'PATH,raw,${format.text},...'`
          : `unknown format "${format.text}": expected raw`,
    );
    return { errors, warnings };
  }
  if (!target || target.text === '') {
    err(target?.offset ?? 0, "a disk needs an image: write 'file:PATH,xvda,w' or target=PATH");
  }
  let devid = 0;
  if (!vdev || vdev.text === '') {
    err(vdev?.offset ?? spec.length, 'a disk needs a vdev (the device name the guest sees), such as xvda');
  } else {
    const d = vbdDeviceNumber(vdev.text);
    if (typeof d === 'string') err(vdev.offset, d);
    else devid = d;
  }
  if (errors.length > 0) return { errors, warnings };
  return {
    disk: { target: target!.text, targetOffset: target!.offset, vdev: vdev!.text, vdevOffset: vdev!.offset, devid, access: access?.value ?? 'rw', format: 'raw' },
    errors,
    warnings,
  };
}

/**
 * The Xen virtual-device number of a vdev name (xen-vbd-interface(7)), or an error message.
 * xvdX / dN[pM] for Xen disks, sdX for SCSI disks 0..15, hdX for IDE disks 0..3, or the number itself.
 */
export function vbdDeviceNumber(vdev: string): number | string {
  const bad = `unknown vdev "${vdev}": expected xvdX, sdX, hdX or dNpM, optionally with a partition number (xen-vbd-interface(7))`;
  let m: RegExpExecArray | null;
  if ((m = /^(0x[0-9a-f]+|[1-9][0-9]*|0[0-7]*)$/.exec(vdev))) {
    const n = vdev.startsWith('0x') ? parseInt(vdev, 16) : vdev.startsWith('0') ? parseInt(vdev, 8) : Number(vdev);
    return n < 2 ** 31 ? n : bad;
  }
  if ((m = /^xvd([a-z]+)([0-9]*)$/.exec(vdev)) || (m = /^d([0-9]+)(?:p([0-9]+))?$/.exec(vdev))) {
    const disk = /^[0-9]+$/.test(m[1]!) ? Number(m[1]) : letterIndex(m[1]!);
    const part = m[2] ? Number(m[2]) : 0;
    if (disk < 16 && part < 16) return (202 << 8) | (disk << 4) | part;
    if (disk < 1 << 20 && part < 256) return (1 << 28) | (disk << 8) | part;
    return `vdev "${vdev}" is out of range: Xen disks go up to ${(1 << 20) - 1}, partitions up to 255`;
  }
  if ((m = /^sd([a-z]+)([0-9]*)$/.exec(vdev))) {
    const disk = letterIndex(m[1]!);
    const part = m[2] ? Number(m[2]) : 0;
    if (disk < 16 && part < 16) return (8 << 8) | (disk << 4) | part;
    return `vdev "${vdev}" is out of range: SCSI disks go up to sdp, partitions up to 15`;
  }
  if ((m = /^hd([a-z]+)([0-9]*)$/.exec(vdev))) {
    const disk = letterIndex(m[1]!);
    const part = m[2] ? Number(m[2]) : 0;
    if (disk < 4 && part < 64) return disk < 2 ? (3 << 8) | (disk << 6) | part : (22 << 8) | ((disk - 2) << 6) | part;
    return `vdev "${vdev}" is out of range: IDE disks go up to hdd, partitions up to 63`;
  }
  return bad;
}

/** Disk letters as a bijective base-26 number: a = 0, z = 25, aa = 26, ... */
function letterIndex(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 96);
  return n - 1;
}

