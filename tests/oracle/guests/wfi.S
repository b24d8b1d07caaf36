/*
 * Oracle study (a)/(c): wfi with a machine timer armed WFI_DELAY ticks ahead and MTIE
 * enabled but mstatus.MIE clear, so the hart wakes without taking the interrupt.
 * s2 = minstret before arming, s3 = mtime read just before arming, s4 = minstret just
 * before the wfi, s5 = minstret right after it, s6 = time right after it.
 * Then (WFI_IRQ) the same with MIE set: the interrupt is taken on wake-up; the handler
 * stores mepc in s7 and minstret in s8.
 */
#define CLINT_MTIMECMP 0x2004000
#define CLINT_MTIME    0x200bff8
  .option norvc
  .text
  .globl _start
_start:
  la    t0, trap_vector
  csrw  mtvec, t0
  li    a1, CLINT_MTIME
  li    a2, CLINT_MTIMECMP
  csrr  s2, minstret
  ld    s3, 0(a1)
  addi  t1, s3, WFI_DELAY
  sd    t1, 0(a2)
  li    t0, 0x80
  csrs  mie, t0
  csrr  s4, minstret
  .globl wfi1
wfi1:
  wfi
  .globl after_wfi1
after_wfi1:
  csrr  s5, minstret
  csrr  s6, time
  /* Second round: interrupt enabled, taken when the wfi wakes. */
  ld    s3, 0(a1)
  addi  t1, s3, WFI_DELAY
  sd    t1, 0(a2)
  csrsi mstatus, 0x8
  csrr  s4, minstret
  .globl wfi2
wfi2:
  wfi
  .globl after_wfi2
after_wfi2:
  nop
  .globl done
done:
  j     done

  .align 4
  .globl trap_vector
trap_vector:
  csrr  s8, minstret
  csrr  s7, mepc
  li    t0, 0x80
  csrc  mie, t0
  mret
