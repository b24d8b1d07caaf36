/*
 * Oracle study (a)/(b): a machine-timer interrupt taken while spinning. mtimecmp is armed IRQ_DELAY
 * ticks ahead, then MIE and MTIE are enabled; the loop reads `time` every
 * iteration, so the registers at each step show the clock. The handler records mepc (s7)
 * and time at entry (s8), disables MTIE (rather than writing mtimecmp = -1, which would arm
 * QEMU's timer at INT64_MAX) and parks at `done`.
 */
#define CLINT_MTIMECMP 0x2004000
#define CLINT_MTIME    0x200bff8
  .option norvc
  .text
  .globl _start
_start:
  la    t0, trap_vector
  csrw  mtvec, t0
  li    s1, 0
  li    t0, CLINT_MTIME
  ld    s4, 0(t0)
  addi  t1, s4, IRQ_DELAY
  li    t0, CLINT_MTIMECMP
  .globl arm
arm:
  sd    t1, 0(t0)
  /* Enabled only after arming: mtimecmp resets to 0, so MTIP is pending out of reset. */
  li    t0, 0x80              /* mie.MTIE */
  csrs  mie, t0
  csrsi mstatus, 0x8          /* mstatus.MIE */
  .globl spin
spin:
  csrr  s6, time
  addi  s1, s1, 1
  j     spin
  .globl done
done:
  j     done

  .align 4
  .globl trap_vector
trap_vector:
  csrr  s8, time
  csrr  s7, mepc
  li    t0, 0x80
  csrc  mie, t0
  la    t0, done
  csrw  mepc, t0
  mret
