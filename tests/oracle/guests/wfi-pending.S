/*
 * wfi while an interrupt is already pending (MTIP out of reset, MTIE set, mstatus.MIE
 * clear): the hart does not sleep and continues after the wfi without taking a trap.
 * No timer is armed, so gdb stops cannot move time.
 */
  .option norvc
  .text
  .globl _start
_start:
  li    t0, 0x80              /* mie.MTIE */
  csrs  mie, t0
  li    s0, 0
  .globl before_wfi
before_wfi:
  wfi
  .globl after_wfi
after_wfi:
  addi  s0, s0, 1
  .globl second
second:
  addi  s0, s0, 1
  .globl done
done:
  j     done
