// Assembly pieces of a minimal split-driver frontend for test kernels (docs/PV-ABI.md §7-§10):
// a grant table, grants to domain 0, an unbound port for the backend, xenstore writes through
// the xenstore ring, and helpers to find the ring pages. RAM is contiguous at first boot, so
// a boot page's VA is KERNEL_BASE + (mfn - mfn_list[0]) * 4096.
import { EPILOGUE, hc, PROLOGUE, shutdown } from './pv-guest.ts';

/** `.byte` lines of an XS_WRITE message "path\0value" (xsd_sockmsg header + payload). */
export function xsWriteBytes(path: string, value: string, reqId: number): string {
  const p = new TextEncoder().encode(`${path}\0${value}`);
  const m = new Uint8Array(16 + p.length);
  const dv = new DataView(m.buffer);
  dv.setUint32(0, 11, true);
  dv.setUint32(4, reqId, true);
  dv.setUint32(12, p.length, true);
  m.set(p, 16);
  return `  .byte ${[...m].join(', ')}\n`;
}

/** Data: labelled XS_WRITE messages and their lengths (label_len). */
export function xsMessages(writes: Array<[label: string, path: string, value: string]>): string {
  return writes
    .map(([label, path, value], i) => {
      const bytes = xsWriteBytes(path, value, i + 1);
      const n = bytes.split(',').length;
      return `${label}:\n${bytes}  .align 3\n${label}_len:\n  .dword ${n}\n`;
    })
    .join('');
}

/**
 * Frontend setup: s1 = xenstore ring VA, s5 = grant table VA (one frame at pfn F's VA),
 * s2 = F (first free pfn). Then grants ref k (1..nGrants) -> pfn F + k to domain 0 (flags in
 * `flags[k-1]`), and allocates an unbound port for domain 0 (port 3, stored at fe_port).
 */
export function frontendSetup(flags: number[]): string {
  const grants = flags
    .map(
      (f, i) => `
  addi a0, s2, ${i + 1}
  call pfn_to_mfn
  sw a0, ${8 * (i + 1) + 4}(s5)
  sh zero, ${8 * (i + 1) + 2}(s5)
  li t1, ${f}
  sh t1, ${8 * (i + 1)}(s5)`,
    )
    .join('');
  return `
  ld t0, 56(s0)
  ld t1, 96(s0)
  ld t1, 0(t1)
  sub t0, t0, t1
  slli t0, t0, 12
  li t1, 0xffffffc000000000
  add s1, t0, t1
  ld s2, 120(s0)
  mv a0, s2
  call pfn_to_va
  mv s5, a0
  li a1, 0
  li a2, 0
${hc(14)}
  la t0, fe_frames
  sd s5, 0(t0)
  li a0, 2
  la a1, fe_setup
  li a2, 1
${hc(20)}
${grants}
  li a0, 6
  la a1, fe_alloc
${hc(32)}
`;
}

/** Routines and data of the frontend: xs_send (a0 = message, a1 = length), send_port (the fe_port). */
export const FRONTEND_LIB = `
xs_send:
  li t4, 2048
  add t4, s1, t4
  lw t0, 4(t4)
  andi t1, t0, 1023
  add t2, s1, t1
xs_copy:
  beqz a1, xs_copied
  lb t3, 0(a0)
  sb t3, 0(t2)
  addi a0, a0, 1
  addi t2, t2, 1
  addi t0, t0, 1
  addi a1, a1, -1
  j xs_copy
xs_copied:
  sw t0, 4(t4)
  li a0, 4
  la a1, fe_store_port
  li a7, 32
  ecall
  li t4, 2048
  add t4, s1, t4
  lw t0, 12(t4)
  sw t0, 8(t4)
  ret
send_port:
  li a0, 4
  la a1, fe_port
  li a7, 32
  ecall
  ret
  .align 3
fe_frames:
  .dword 0
fe_setup:
  .half 0x7ff0
  .half 0
  .word 1
  .half 0
  .half 0
  .half 0
  .half 0
  .dword fe_frames
fe_alloc:
  .half 0x7ff0
  .half 0
fe_port:
  .word 0
fe_store_port:
  .word 1
`;

const DELAY = (label: string, n: number) => `  li t0, ${n}\n${label}:\n  addi t0, t0, -1\n  bnez t0, ${label}\n`;
const mac = (n: number) => [0x00, 0x16, 0x3e, 0x00, 0x00, n];

/** A netfront: tx ring F+1 (ref 1), rx ring F+2 (ref 2), rx buffer F+3 (ref 3), tx buffer F+4 (ref 4). */
export const netfront = (me: number, peer: number, first: 'send' | 'receive') => {
  const frame = [...mac(peer), ...mac(me), 0x88, 0xb5, ...new TextEncoder().encode(first === 'send' ? 'ping' : 'pong')];
  while (frame.length < 60) frame.push(0);
  const send = `
  addi a0, s2, 4
  call pfn_to_va
  la a1, frame
  li a2, 60
  call copy
  li t1, 4
  sw t1, 64(s6)              # tx slot 0: gref 4, offset 0, flags 0, id 1, size 60
  sh zero, 68(s6)
  sh zero, 70(s6)
  li t1, 1
  sh t1, 72(s6)
  li t1, 60
  sh t1, 74(s6)
  li t1, 1
  sw t1, 0(s6)
  call send_port
`;
  const receive = (label: string) => `
${label}:
  lw t1, 8(s7)               # rx rsp_prod
  bnez t1, ${label}_got
  li a0, 0
${hc(29)}
  j ${label}
${label}_got:
  lh t1, 70(s7)              # rx response 0: status = size
  la t0, got
  sd t1, 0(t0)
  addi a0, s2, 3
  call pfn_to_va
  lw t1, 14(a0)
  la t0, got
  sd t1, 8(t0)
`;
  return `
${PROLOGUE}
${frontendSetup([1, 1, 1, 1])}
  addi a0, s2, 1
  call pfn_to_va
  mv s6, a0
  addi a0, s2, 2
  call pfn_to_va
  mv s7, a0
  li t1, 7                   # rx slot 0: id 7, gref 3
  sh t1, 64(s7)
  li t1, 3
  sw t1, 68(s7)
  li t1, 1
  sw t1, 0(s7)
  la a0, m_tx
  la a1, m_tx_len
  ld a1, 0(a1)
  call xs_send
  la a0, m_rx
  la a1, m_rx_len
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
${first === 'send' ? `${DELAY('wait', 300000)}${send}${receive('rx')}` : `${receive('rx')}${send}`}
${shutdown()}
${FRONTEND_LIB}
${xsMessages([
  ['m_tx', 'device/vif/0/tx-ring-ref', '1'],
  ['m_rx', 'device/vif/0/rx-ring-ref', '2'],
  ['m_port', 'device/vif/0/event-channel', '3'],
  ['m_state', 'device/vif/0/state', '3'],
])}
  .align 3
got:
  .dword 0
  .dword 0
frame:
  .byte ${frame.join(', ')}
${EPILOGUE}`;
};

