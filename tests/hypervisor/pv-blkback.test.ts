// blkback (docs/PV-ABI.md §10): a PV kernel connects a blkfront through xenstore (ring-ref,
// event-channel, state), writes and reads sectors of its disk through grants, and gets errors
// for requests past the end, unknown operations, ungranted pages and writes to a read-only disk.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { EPILOGUE, events, PROLOGUE, pvDomain, pvHost, readVa, shutdown, startPv, tempDir } from './pv-guest.ts';
import { FRONTEND_LIB, frontendSetup, xsMessages } from './pv-frontend.ts';

const VBD = 'device/vbd/51712';

/** Request i at ring slot i: op, nseg 1, id, sector, one segment (gref, first, last). */
const request = (i: number, op: number, id: number, sector: number, gref: number, first: number, last: number) => `
  li t0, ${64 + i * 112}
  add t0, s6, t0
  li t1, ${op}
  sb t1, 0(t0)
  li t1, ${op === 3 ? 0 : 1}
  sb t1, 1(t0)
  li t1, ${id}
  sd t1, 8(t0)
  li t1, ${sector}
  sd t1, 16(t0)
  li t1, ${gref}
  sw t1, 24(t0)
  li t1, ${first}
  sb t1, 28(t0)
  li t1, ${last}
  sb t1, 29(t0)
`;
const push = (n: number) => `  li t1, ${n}\n  sw t1, 0(s6)\n  call send_port\n`;

const BLKFRONT = `
${PROLOGUE}
${frontendSetup([1, 1 | 4, 1])}
  addi a0, s2, 1
  call pfn_to_va
  mv s6, a0                   # the ring page (F+1), granted as ref 1
  addi a0, s2, 2
  call pfn_to_va
  mv s7, a0                   # data to write (F+2), ref 2 (read-only grant)
  addi a0, s2, 3
  call pfn_to_va
  mv s8, a0                   # where reads land (F+3), ref 3
  mv a0, s7
  la a1, pattern
  li a2, 512
  call copy
  la a0, m_ring
  la a1, m_ring_len
  ld a1, 0(a1)
  call xs_send
  la a0, m_port
  la a1, m_port_len
  ld a1, 0(a1)
  call xs_send
  la a0, m_state
  la a1, m_state_len
  ld a1, 0(a1)
  call xs_send
${request(0, 1, 0x11, 2, 2, 0, 0)}
${push(1)}
${request(1, 0, 0x22, 2, 3, 1, 1)}
${push(2)}
${request(2, 0, 0x33, 63, 3, 0, 1)}
${request(3, 9, 0x44, 0, 3, 0, 0)}
${request(4, 1, 0x55, 4, 9, 0, 0)}
${request(5, 3, 0x66, 0, 0, 0, 0)}
${push(6)}
${shutdown()}
${FRONTEND_LIB}
${xsMessages([
  ['m_ring', `${VBD}/ring-ref`, '1'],
  ['m_port', `${VBD}/event-channel`, '3'],
  ['m_state', `${VBD}/state`, '3'],
])}
  .align 3
pattern:
${'  .ascii "blkfront"\n'.repeat(64)}
${EPILOGUE}`;

function setup(access: 'w' | 'ro' | 'cow') {
  const dir = tempDir();
  const img = new Uint8Array(64 * 512);
  img.fill(0xee);
  writeFileSync(`${dir}/disk.img`, img);
  const k = pvDomain(dir, 'blk', BLKFRONT, `disk = ['format=raw,vdev=xvda,access=${access === 'w' ? 'rw' : access},target=${dir}/disk.img']\non_poweroff = "preserve"`);
  const r = startPv([k.config]);
  r.hv.run(0);
  const pv = pvHost(r.hv);
  const free = Number(pv.hm.u64(pv.dom(1).boot.startInfo * 4096 + 120));
  r.hv.run(3_000_000);
  return { dir, r, pv, free, sym: k.sym };
}

function responses(r: ReturnType<typeof setup>['r'], free: number): Array<[bigint, number, number]> {
  const base = 0xffffffc000000000n + BigInt((free + 1) * 4096);
  const out: Array<[bigint, number, number]> = [];
  for (let i = 0; i < 6; i++) {
    const b = readVa(r.hv, 1, base + BigInt(64 + i * 112), 16);
    const dv = new DataView(b.buffer);
    out.push([dv.getBigUint64(0, true), dv.getUint8(8), dv.getInt16(10, true)]);
  }
  return out;
}

describe('blkback', () => {
  test('connect through xenstore, write and read back through grants, errors refused', () => {
    const { r, free, dir } = setup('w');
    expect(r.hv.control.state.domains[1].status).toBe('shutdown');
    expect(responses(r, free)).toEqual([
      [0x11n, 1, 0],
      [0x22n, 0, 0],
      [0x33n, 0, -1], // sectors 63..64 of a 64-sector disk: past the end
      [0x44n, 9, -2], // not supported
      [0x55n, 1, -1], // grant 9 was never made
      [0x66n, 3, 0], // flush
    ]);
    // the data read back (sector 2 into the second sector of page F+3) is what was written
    const back = readVa(r.hv, 1, 0xffffffc000000000n + BigInt((free + 3) * 4096 + 512), 512);
    expect(new TextDecoder().decode(back)).toBe('blkfront'.repeat(64));
    // rw: the image file itself changed, sector 2 only
    const file = readFileSync(`${dir}/disk.img`);
    expect(file.subarray(1024, 1032).toString()).toBe('blkfront');
    expect(file[1023]).toBe(0xee);
    expect(file[1536]).toBe(0xee);
    const ring = events(r.log, 'ring', 1).filter((e) => e.payload.device === 'vbd').map((e) => [e.payload.op, e.payload.id, e.payload.status]);
    expect(ring).toEqual([
      [1, 0x11n, 0n],
      [0, 0x22n, 0n],
      [0, 0x33n, -1n],
      [9, 0x44n, -2n],
      [1, 0x55n, -1n],
      [3, 0x66n, 0n],
    ]);
    // the backend mapped the ring through ref 1 (a grant event of domain 0)
    expect(events(r.log, 'grant', 0).some((e) => e.payload.op === 'map' && e.payload.ref === 1 && e.payload.status === 0n)).toBe(true);
  });

  test('a read-only disk refuses writes; the image is untouched', () => {
    const { r, free, dir } = setup('ro');
    expect(responses(r, free).map((x) => x[2])).toEqual([-1, 0, -1, -2, -1, 0]);
    expect(readFileSync(`${dir}/disk.img`).every((b) => b === 0xee)).toBe(true);
  });

  test('copy-on-write: the guest reads its writes back, the image file never changes', () => {
    const { r, free, dir } = setup('cow');
    expect(responses(r, free).map((x) => x[2])).toEqual([0, 0, -1, -2, -1, 0]);
    expect(readFileSync(`${dir}/disk.img`).every((b) => b === 0xee)).toBe(true);
    const back = readVa(r.hv, 1, 0xffffffc000000000n + BigInt((free + 3) * 4096 + 512), 8);
    expect(new TextDecoder().decode(back)).toBe('blkfront');
  });
});
