import { describe, expect, it, test } from 'vitest';
import { parseDiskSpec, vbdDeviceNumber } from '../../src/hypervisor/config/disk-spec.ts';
import { formatMac, generateMac, parseMac, parseVifSpec } from '../../src/hypervisor/config/vif-spec.ts';

const XVDA = (202 << 8) | 0;

describe('disk specs (xl-disk-configuration(5))', () => {
  test.each([
    ['prefix, vdev, access', 'file:/img/a.raw,xvda,w', { target: '/img/a.raw', vdev: 'xvda', access: 'rw' }],
    ['phy: prefix', 'phy:/img/a.raw,xvdb,r', { target: '/img/a.raw', vdev: 'xvdb', access: 'ro' }],
    ['stacked prefixes', 'tap:aio:/img/a.raw,xvda,ro', { target: '/img/a.raw', vdev: 'xvda', access: 'ro' }],
    ['raw: prefix', 'raw:/img/a.raw,xvda,rw', { target: '/img/a.raw', vdev: 'xvda', access: 'rw' }],
    ['positional format', '/img/a.raw,raw,xvda,w', { target: '/img/a.raw', vdev: 'xvda', access: 'rw' }],
    ['empty positional format is raw', '/img/a.raw,,xvda,r', { target: '/img/a.raw', vdev: 'xvda', access: 'ro' }],
    ['access defaults to rw', 'file:/img/a.raw,xvda', { target: '/img/a.raw', vdev: 'xvda', access: 'rw' }],
    ['empty access is rw', 'file:/img/a.raw,xvda,', { target: '/img/a.raw', vdev: 'xvda', access: 'rw' }],
    ['copy-on-write', 'file:/img/a.raw,xvda,cow', { target: '/img/a.raw', vdev: 'xvda', access: 'cow' }],
    ['keyed form', 'format=raw, vdev=xvda, access=rw, target=/img/a.raw', { target: '/img/a.raw', vdev: 'xvda', access: 'rw' }],
    ['keyed copy-on-write', 'vdev=xvdc, access=cow, target=/img/a.raw', { target: '/img/a.raw', vdev: 'xvdc', access: 'cow' }],
    ['target= takes commas and colons', 'vdev=xvda,target=/img/a,b:c.raw', { target: '/img/a,b:c.raw', vdev: 'xvda', access: 'rw' }],
    ['target= drops one trailing comma', 'vdev=xvda,target=/img/a.raw,', { target: '/img/a.raw', vdev: 'xvda', access: 'rw' }],
    ['keys after a positional target', '/img/a.raw,vdev=xvda,access=r', { target: '/img/a.raw', vdev: 'xvda', access: 'ro' }],
    ['format= lets the next positional be the vdev', 'format=raw,/img/a.raw,xvda,r', { target: '/img/a.raw', vdev: 'xvda', access: 'ro' }],
    ['whitespace before parameters', 'file:/img/a.raw, xvda,\tw', { target: '/img/a.raw', vdev: 'xvda', access: 'rw' }],
    ['deprecated vdev:disk', 'file:/img/a.raw,xvda:disk,w', { target: '/img/a.raw', vdev: 'xvda', access: 'rw' }],
    ['devtype=disk', 'file:/img/a.raw,xvda,w,devtype=disk', { target: '/img/a.raw', vdev: 'xvda', access: 'rw' }],
    ['"c:foo" is a path, not a prefix', 'c:foo,raw,xvda', { target: 'c:foo', vdev: 'xvda', access: 'rw' }],
    ['relative target', 'file:images/a.raw,xvda,w', { target: 'images/a.raw', vdev: 'xvda', access: 'rw' }],
    ['backend dom0', 'file:/a,xvda,w,backend=0', { target: '/a', vdev: 'xvda', access: 'rw' }],
    ['specification=xen', 'file:/a,xvda,w,specification=xen', { target: '/a', vdev: 'xvda', access: 'rw' }],
  ])('%s', (_what, spec, expected) => {
    const r = parseDiskSpec(spec);
    expect(r.errors).toEqual([]);
    expect(r.disk).toMatchObject({ ...expected, format: 'raw' });
  });

  it('reports where the target and vdev start', () => {
    expect(parseDiskSpec('file:/img/a.raw,xvdb,w').disk).toMatchObject({ targetOffset: 5, vdevOffset: 16, devid: (202 << 8) | 16 });
    expect(parseDiskSpec('vdev=xvda, target=x').disk).toMatchObject({ targetOffset: 18, vdevOffset: 5 });
  });

  test.each([
    ['discard flag', 'file:/a,xvda,w,discard', 15, '"discard" has no effect here and is ignored'],
    ['backendtype', 'file:/a,xvda,w,backendtype=qdisk', 15, '"backendtype" has no effect here and is ignored'],
  ])('warns about %s', (_what, spec, offset, message) => {
    const r = parseDiskSpec(spec);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([{ offset, message }]);
  });

  test.each([
    // [what, spec, offset, message]
    ['no target', 'vdev=xvda', 0, "a disk needs an image: write 'file:PATH,xvda,w' or target=PATH"],
    ['empty target after a prefix', 'file:,xvda,w', 5, "a disk needs an image: write 'file:PATH,xvda,w' or target=PATH"],
    ['no vdev', 'file:/a', 7, 'a disk needs a vdev (the device name the guest sees), such as xvda'],
    ['vdev as format without a prefix', '/a,xvda,w', 3, "unknown format \"xvda\": without a prefix such as file:, the second parameter is the format; write 'file:PATH,xvda,...' or 'PATH,raw,xvda,...'"],
    ['unknown format', '/a,tar,xvda', 3, 'unknown format "tar": expected raw'],
    ['qcow2 format', 'format=qcow2,vdev=xvda,target=/a', 7, 'format "qcow2" is not supported: only raw images are'],
    ['qcow2 prefix', 'qcow2:/a,xvda', 0, 'format "qcow2" is not supported: only raw images are'],
    ['vhd positional', '/a,vhd,xvda', 3, 'format "vhd" is not supported: only raw images are'],
    ['unknown access', 'file:/a,xvda,rwx', 13, 'unknown access "rwx": expected r or ro (read-only), w or rw (read-write), or cow (copy-on-write: the guest may write, the image file is never changed)'],
    ['unknown access=', 'file:/a,xvda,access=x', 20, 'unknown access "x": expected r or ro (read-only), w or rw (read-write), or cow (copy-on-write: the guest may write, the image file is never changed)'],
    ['access twice', 'file:/a,xvda,access=r,access=w', 29, 'access given twice'],
    ['vdev twice', 'file:/a,xvda,vdev=xvdb', 18, 'vdev given twice ("xvda" and "xvdb")'],
    ['format twice', 'raw:/a,format=vhd,xvda', 14, 'format given twice ("raw" and "vhd")'],
    ['target twice', 'file:/a,xvda,target=/b', 13, 'target given twice'],
    ['too many positional', 'file:/a,xvda,w,extra', 15, 'too many positional parameters: "extra" comes after target, format, vdev and access'],
    ['unknown key', 'file:/a,xvda,w,speed=fast', 15, 'unknown disk parameter "speed" (see xl-disk-configuration(5))'],
    ['unknown prefix', 'foo:/a,xvda', 0, 'unknown disk prefix "foo:": expected file:, phy:, aio:, tap: or raw: (or none)'],
    ['nbd prefix', 'nbd:host:1,xvda', 0, '"nbd:" disks are not supported: a disk is an image file the hypervisor opens itself'],
    ['script', 'file:/a,xvda,script=block-x', 13, 'hotplug scripts are not supported: a disk is an image file the hypervisor opens itself'],
    ['cdrom flag', 'file:/a,hdc,cdrom', 12, 'CD-ROM devices are not supported; attach the image as a disk with access "ro"'],
    ['devtype=cdrom', 'file:/a,hdc,devtype=cdrom', 20, 'CD-ROM devices are not supported; attach the image as a disk with access "ro"'],
    ['vdev:cdrom', 'file:/a,hdc:cdrom', 12, 'CD-ROM devices are not supported; attach the image as a disk with access "ro"'],
    ['devtype=tape', 'file:/a,xvda,devtype=tape', 21, 'unknown devtype "tape": expected disk'],
    ['virtio specification', 'file:/a,xvda,specification=virtio', 27, 'specification "virtio" is not supported: disks use Xen\'s block protocol ("xen")'],
    ['driver domain', 'file:/a,xvda,backend=storage', 21, 'driver domains are not supported: the hypervisor is the backend of every disk'],
    ['bad vdev', 'file:/a,vda', 8, 'unknown vdev "vda": expected xvdX, sdX, hdX or dNpM, optionally with a partition number (xen-vbd-interface(7))'],
    ['vdev out of range', 'file:/a,hde', 8, 'vdev "hde" is out of range: IDE disks go up to hdd, partitions up to 63'],
  ])('rejects %s', (_what, spec, offset, message) => {
    const r = parseDiskSpec(spec);
    expect(r.disk).toBeUndefined();
    expect(r.errors[0]).toEqual({ offset, message });
  });

  test.each([
    ['xvda', XVDA],
    ['xvdb', (202 << 8) | 16],
    ['xvda1', (202 << 8) | 1],
    ['xvdp15', (202 << 8) | (15 << 4) | 15],
    ['xvdq', (1 << 28) | (16 << 8)],
    ['xvda16', (1 << 28) | 16],
    ['xvdtq37', (1 << 28) | (536 << 8) | 37],
    ['xvdaa', (1 << 28) | (26 << 8)],
    ['d0', XVDA],
    ['d0p0', XVDA],
    ['d1p2', (202 << 8) | (1 << 4) | 2],
    ['d536p37', (1 << 28) | (536 << 8) | 37],
    ['sda', 8 << 8],
    ['sdb3', (8 << 8) | (1 << 4) | 3],
    ['hda', 3 << 8],
    ['hdb', (3 << 8) | 64],
    ['hdc2', (22 << 8) | 2],
    ['hdd', (22 << 8) | 64],
    ['51712', 51712],
    ['0xca00', 0xca00],
    ['0145000', 0o145000],
  ])('vdev %s is device number %i (xen-vbd-interface(7))', (vdev, devid) => {
    expect(vbdDeviceNumber(vdev)).toBe(devid);
  });

  test.each(['vda', 'xvd', 'xvdA', 'sdq', 'sda16', 'hda64', 'd1048576', 'xvda256'])('vdev %s is refused', (vdev) => {
    expect(typeof vbdDeviceNumber(vdev)).toBe('string');
  });
});

describe('vif specs (xl-network-configuration(5))', () => {
  test.each([
    ['empty: all defaults', '', { bridge: 'xenbr0' }],
    ['bridge', 'bridge=xenbr1', { bridge: 'xenbr1' }],
    ['mac and bridge with spaces', ' mac=00:16:3E:0a:0b:0c , bridge=br-lan', { bridge: 'br-lan', mac: [0, 0x16, 0x3e, 0x0a, 0x0b, 0x0c] }],
    ['short mac bytes', 'mac=0:16:3e:a:b:c', { mac: [0, 0x16, 0x3e, 0xa, 0xb, 0xc] }],
    ['type vif', 'type=vif', { type: 'vif' }],
    ['type ioemu with a model', 'type=ioemu,model=e1000', { type: 'ioemu', model: 'e1000' }],
    ['backend dom0', 'backend=0', { bridge: 'xenbr0' }],
  ])('%s', (_what, spec, expected) => {
    const r = parseVifSpec(spec);
    expect(r.errors).toEqual([]);
    expect(r.vif).toMatchObject(expected);
  });

  it('records where mac, type and model values start', () => {
    expect(parseVifSpec('type=vif, mac=00:16:3e:00:00:01,model=x').vif!.offsets).toEqual({ type: 5, mac: 14, model: 38 });
  });

  test.each([
    ['ip', 'ip=10.0.0.2', 0, '"ip" has no effect here and is ignored'],
    ['vifname', 'bridge=b, vifname=v0', 10, '"vifname" has no effect here and is ignored'],
    ['trusted', 'trusted', 0, '"trusted" has no effect here and is ignored'],
  ])('warns about %s', (_what, spec, offset, message) => {
    const r = parseVifSpec(spec);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([{ offset, message }]);
  });

  test.each([
    ['bad mac', 'mac=00:16:3e:00:00', 4, 'invalid MAC address "00:16:3e:00:00": expected six hex bytes separated by ":", such as 00:16:3e:12:34:56'],
    ['multicast mac', 'mac=01:00:5e:00:00:01', 4, 'MAC address 01:00:5e:00:00:01 is a multicast address (lowest bit of the first byte set); a NIC needs a unicast one'],
    ['zero mac', 'mac=00:00:00:00:00:00', 4, "MAC address 00:00:00:00:00:00 is not usable; leave mac= out to get a generated one"],
    ['bridge with a space', 'bridge=br 0', 7, 'invalid bridge name "br 0": use 1 to 15 letters, digits, "_", "." or "-"'],
    ['bridge too long', 'bridge=abcdefghijklmnop', 7, 'invalid bridge name "abcdefghijklmnop": use 1 to 15 letters, digits, "_", "." or "-"'],
    ['unknown type', 'type=virtio', 5, 'unknown NIC type "virtio": expected vif (paravirtual) or ioemu (emulated, HVM only)'],
    ['empty model', 'model=', 6, 'model= needs a value'],
    ['driver domain', 'backend=netvm', 8, 'driver domains are not supported: the hypervisor is the backend of every NIC'],
    ['unknown key', 'bridge=b,colour=red', 9, 'unknown NIC setting "colour": expected mac, bridge, type or model (see xl-network-configuration(5))'],
    ['no "="', 'xenbr0', 0, 'expected KEY=VALUE (mac=, bridge=, type=, model=), found "xenbr0"'],
  ])('rejects %s', (_what, spec, offset, message) => {
    const r = parseVifSpec(spec);
    expect(r.vif).toBeUndefined();
    expect(r.errors[0]).toEqual({ offset, message });
  });

  it('generates deterministic MACs in the Xen OUI', () => {
    const a0 = generateMac('web', 0);
    expect(a0).toEqual(generateMac('web', 0));
    expect(a0.slice(0, 3)).toEqual([0x00, 0x16, 0x3e]);
    expect(a0[3]! & 0x80).toBe(0);
    expect(formatMac(a0)).toMatch(/^00:16:3e:[0-7][0-9a-f](:[0-9a-f]{2}){2}$/);
    expect(generateMac('web', 1)).not.toEqual(a0);
    expect(generateMac('db', 0)).not.toEqual(a0);
    // Pinned: a change here changes every recorded trace with a generated MAC.
    expect(formatMac(generateMac('uboot', 0))).toBe('00:16:3e:61:9d:1f');
  });

  it('parses and formats MACs', () => {
    expect(parseMac('00:16:3E:aB:0:1')).toEqual([0, 0x16, 0x3e, 0xab, 0, 1]);
    expect(formatMac([0, 0x16, 0x3e, 0xab, 0, 1])).toBe('00:16:3e:ab:00:01');
  });
});
