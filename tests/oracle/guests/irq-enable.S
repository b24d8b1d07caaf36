/*
 * An interrupt that becomes deliverable through a CSR write: MTIP is pending out of reset
 * (QEMU resets mtimecmp to 0), so setting mie.MTIE and then mstatus.MIE makes the machine
 * timer interrupt due right after the `csrsi`. gdb steps show the state after the csrsi and
 * then the interrupt entry as two steps; QEMU's CPU log fuses them (docs/ORACLE.md).
 * No timer is ever armed, so gdb stops cannot move time here.
 */
  .option norvc
  .text
  .globl _start
_start:
  la    t0, trap_vector
  csrw  mtvec, t0
  li    s0, 0
  li    t0, 0x80              /* mie.MTIE */
  csrs  mie, t0
  .globl enable
enable:
  csrsi mstatus, 0x8          /* mstatus.MIE: the interrupt is taken right after this */
  .globl after_enable
after_enable:
  addi  s0, s0, 1
  addi  s0, s0, 2
  li    a0, 0x1234
  .globl done
done:
  j     done

  .align 4
  .globl trap_vector
trap_vector:
  csrr  s2, mcause
  csrr  s3, mepc
  li    t0, 0x80
  csrc  mie, t0               /* MTIP stays pending: disable it so mret does not re-enter */
  mret
