/*
 * Which CSRs exist under a given -cpu configuration, and how do they behave? For each CSR
 * in the list: read it, then write all-ones and read it back, in M-mode. Each CSR gets four
 * u64 at SAMPLES: value read, mcause of that read (0 = no trap), mcause of the write, value
 * read back. The handler puts mcause in t1 and skips the faulting instruction. CSRs whose
 * all-ones value would derail the probe itself (mstatus, mie, mip, misa, satp) are only read.
 */
#define PROBE(csr) \
  li t1, 0; csrr t0, csr; sd t0, 0(a0); sd t1, 8(a0); \
  li t1, 0; csrw csr, t2; sd t1, 16(a0); \
  li t1, 0; csrr t0, csr; sd t0, 24(a0); addi a0, a0, 32
#define PROBE_R(csr) \
  li t1, 0; csrr t0, csr; sd t0, 0(a0); sd t1, 8(a0); \
  sd zero, 16(a0); sd t0, 24(a0); addi a0, a0, 32
  .option norvc
  .text
  .globl _start
_start:
  la    t0, trap_vector
  csrw  mtvec, t0
  li    a0, SAMPLES
  li    t2, -1
  PROBE(0xb03)   /* mhpmcounter3 */
  PROBE(0x323)   /* mhpmevent3 */
  PROBE(0x320)   /* mcountinhibit */
  PROBE(0x30a)   /* menvcfg */
  PROBE(0x10a)   /* senvcfg */
  PROBE(0x14d)   /* stimecmp (Sstc) */
  PROBE(0x600)   /* hstatus (H) */
  PROBE(0x7a0)   /* tselect (Sdtrig) */
  PROBE(0xf15)   /* mconfigptr */
  PROBE(0x747)   /* mseccfg (ePMP) */
  PROBE(0x3a0)   /* pmpcfg0 */
  PROBE(0x3bf)   /* pmpaddr15 */
  PROBE(0x3c0)   /* pmpaddr16 */
  PROBE(0x306)   /* mcounteren */
  PROBE(0x106)   /* scounteren */
  PROBE(0x303)   /* mideleg */
  PROBE(0x302)   /* medeleg */
  PROBE_R(0x301)   /* misa */
  PROBE(0xf11)   /* mvendorid */
  PROBE(0xf12)   /* marchid */
  PROBE(0xf13)   /* mimpid */
  PROBE_R(0x344)   /* mip */
  PROBE_R(0x304)   /* mie */
  PROBE_R(0x300)   /* mstatus */
  PROBE_R(0x180)   /* satp */
  .globl done
done:
  j     done

  .align 4
trap_vector:
  csrr  t1, mcause
  csrr  t3, mepc
  addi  t3, t3, 4
  csrw  mepc, t3
  mret
