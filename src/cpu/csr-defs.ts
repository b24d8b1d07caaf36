// CSR addresses, status bits and trap causes (RISC-V privileged spec 1.12, ch. 2-3, 4, 9).

export const CSR = Object.freeze({
  // unprivileged FP and counters
  fflags: 0x001, frm: 0x002, fcsr: 0x003,
  cycle: 0xc00, time: 0xc01, instret: 0xc02, hpmcounter3: 0xc03, hpmcounter31: 0xc1f,
  // supervisor
  sstatus: 0x100, sie: 0x104, stvec: 0x105, scounteren: 0x106, senvcfg: 0x10a,
  sscratch: 0x140, sepc: 0x141, scause: 0x142, stval: 0x143, sip: 0x144, stimecmp: 0x14d,
  satp: 0x180,
  // hypervisor (H extension, privileged spec ch. 9)
  hstatus: 0x600, hedeleg: 0x602, hideleg: 0x603, hie: 0x604, hcounteren: 0x606, hgeie: 0x607,
  htval: 0x643, hip: 0x644, hvip: 0x645, htinst: 0x64a, hgeip: 0xe12, henvcfg: 0x60a,
  hgatp: 0x680, htimedelta: 0x605,
  vsstatus: 0x200, vsie: 0x204, vstvec: 0x205, vsscratch: 0x240, vsepc: 0x241, vscause: 0x242,
  vstval: 0x243, vsip: 0x244, vsatp: 0x280,
  // machine
  mvendorid: 0xf11, marchid: 0xf12, mimpid: 0xf13, mhartid: 0xf14, mconfigptr: 0xf15,
  mstatus: 0x300, misa: 0x301, medeleg: 0x302, mideleg: 0x303, mie: 0x304, mtvec: 0x305,
  mcounteren: 0x306, menvcfg: 0x30a, mcountinhibit: 0x320,
  mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344,
  mtinst: 0x34a, mtval2: 0x34b,
  pmpcfg0: 0x3a0, pmpcfg15: 0x3af, pmpaddr0: 0x3b0, pmpaddr63: 0x3ef,
  mcycle: 0xb00, minstret: 0xb02, mhpmcounter3: 0xb03, mhpmcounter31: 0xb1f,
  mhpmevent3: 0x323, mhpmevent31: 0x33f,
  // debug/trigger module (Sdtrig); QEMU 7.2 implements a subset
  tselect: 0x7a0, tdata1: 0x7a1, tdata2: 0x7a2, tdata3: 0x7a3, tinfo: 0x7a4,
} as const);

/** mstatus / sstatus bits (low 32 bits unless noted). */
export const MS = Object.freeze({
  SIE: 1 << 1, MIE: 1 << 3, SPIE: 1 << 5, UBE: 1 << 6, MPIE: 1 << 7, SPP: 1 << 8,
  VS: 3 << 9, MPP: 3 << 11, FS: 3 << 13, XS: 3 << 15, MPRV: 1 << 17, SUM: 1 << 18,
  MXR: 1 << 19, TVM: 1 << 20, TW: 1 << 21, TSR: 1 << 22,
  MPP_SHIFT: 11, FS_SHIFT: 13,
} as const);

/** High-word bits of mstatus (bit n here is bit n+32 of the CSR). */
export const MSH = Object.freeze({
  UXL: 3 << 0, SXL: 3 << 2, GVA: 1 << 6, MPV: 1 << 7, SD: 1 << 31,
} as const);

/** Interrupt numbers = mip/mie bit positions and cause codes. */
export const IRQ = Object.freeze({
  SSI: 1, VSSI: 2, MSI: 3, STI: 5, VSTI: 6, MTI: 7, SEI: 9, VSEI: 10, MEI: 11, SGEI: 12,
} as const);

/** Exception cause codes (privileged spec table 3.6 and 9.x). */
export const EXC = Object.freeze({
  INSN_MISALIGNED: 0, INSN_ACCESS: 1, ILLEGAL: 2, BREAKPOINT: 3, LOAD_MISALIGNED: 4,
  LOAD_ACCESS: 5, STORE_MISALIGNED: 6, STORE_ACCESS: 7, ECALL_U: 8, ECALL_S: 9,
  ECALL_VS: 10, ECALL_M: 11, INSN_PAGE: 12, LOAD_PAGE: 13, STORE_PAGE: 15,
  INSN_GUEST_PAGE: 20, LOAD_GUEST_PAGE: 21, VIRTUAL_INSN: 22, STORE_GUEST_PAGE: 23,
} as const);

export const PRIV_U = 0;
export const PRIV_S = 1;
export const PRIV_M = 3;

/** Memory access kinds, used by translation and fault reporting. */
export const ACCESS_FETCH = 0;
export const ACCESS_LOAD = 1;
export const ACCESS_STORE = 2;
