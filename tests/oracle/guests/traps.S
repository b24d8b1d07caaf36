/*
 * Oracle study (a): what one gdb single-step covers when an instruction traps, returns
 * from a trap, or waits. Runs in M-mode from 0x80000000 (-bios). Each event is preceded by
 * a label so the study can set breakpoints and name pcs. s0 counts completed sections;
 * the trap handler stores mcause/mepc into s2/s3 so each trap is visible in registers.
 */
#define CLINT_MTIMECMP 0x2004000
#define CLINT_MTIME    0x200bff8
  .option norvc
  .text
  .globl _start
_start:
  la    t0, trap_vector
  csrw  mtvec, t0
  li    s0, 0
  .globl before_ecall
before_ecall:
  ecall
  .globl after_ecall
after_ecall:
  addi  s0, s0, 1
  li    t1, 0x100000000       /* nothing is mapped there: load access fault */
  .globl before_fault
before_fault:
  ld    t2, 0(t1)
  .globl after_fault
after_fault:
  addi  s0, s0, 1
  .globl before_illegal
before_illegal:
  .word 0xc0001073            /* csrw cycle, zero: cycle is read-only, illegal instruction */
  addi  s0, s0, 1
  .globl before_undecodable
before_undecodable:
  .word 0x0000000b            /* custom-0 opcode: rejected by the decoder, illegal instruction */
  addi  s0, s0, 1
  .globl before_ebreak
before_ebreak:
  ebreak
  addi  s0, s0, 1
  la    t0, after_mret
  csrw  mepc, t0
  li    t0, 0x1800            /* MPP = M, so mret stays in M-mode */
  csrs  mstatus, t0
  .globl before_mret
before_mret:
  mret
  .globl after_mret
after_mret:
  addi  s0, s0, 1
  /* wfi with a timer armed but the interrupt globally disabled (mstatus.MIE = 0):
     the hart wakes when MTIP becomes pending and continues after the wfi. */
  li    t0, CLINT_MTIME
  ld    s4, 0(t0)
  addi  t1, s4, WFI_DELAY
  li    t0, CLINT_MTIMECMP
  sd    t1, 0(t0)
  li    t0, 0x80              /* mie.MTIE */
  csrs  mie, t0
  .globl before_wfi
before_wfi:
  wfi
  .globl after_wfi
after_wfi:
  li    t0, CLINT_MTIME
  ld    s5, 0(t0)
  addi  s0, s0, 1
  /* A timer interrupt taken while spinning: arm it, enable it, count loop iterations. */
  li    t0, CLINT_MTIME
  ld    s4, 0(t0)
  addi  t1, s4, IRQ_DELAY
  li    t0, CLINT_MTIMECMP
  sd    t1, 0(t0)
  li    s1, 0
  csrsi mstatus, 0x8          /* mstatus.MIE */
  .globl spin
spin:
  addi  s1, s1, 1
  j     spin
  .globl done
done:
  j     done

  .align 4
  .globl trap_vector
trap_vector:
  csrr  s2, mcause
  csrr  s3, mepc
  bltz  s2, interrupt
  addi  s3, s3, 4
  csrw  mepc, s3
  mret
interrupt:
  li    t0, CLINT_MTIME
  ld    s5, 0(t0)
  li    t0, -1
  li    t1, CLINT_MTIMECMP
  sd    t0, 0(t1)             /* disarm */
  la    t0, done
  csrw  mepc, t0
  mret
