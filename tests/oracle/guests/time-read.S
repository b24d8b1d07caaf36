/*
 * Oracle study (b): what `time`, `minstret`, `mcycle` and CLINT mtime return as a function
 * of the instructions retired before the read. Each sampling loop is 5 instructions per
 * iteration, the read being the first, so iteration j reads at a known icount; the values
 * land in RAM at `samples` for the study to read back through the gdbstub.
 * Layout: 4 blocks of ITER u64 values: time, minstret, mcycle, CLINT mtime; then the
 * icount of the first read of each block (read back from the registers s2..s5 is not
 * possible after the fact, so the layout is fixed and documented in docs/ORACLE.md).
 */
#define CLINT_MTIME 0x200bff8
#ifndef ITER
#define ITER 256
#endif
  .option norvc
  .text
  .globl _start
_start:
  li    a0, SAMPLES
  li    a1, CLINT_MTIME

  li    t1, ITER
  .globl loop_time
loop_time:
  csrr  t0, time
  sd    t0, 0(a0)
  addi  a0, a0, 8
  addi  t1, t1, -1
  bnez  t1, loop_time

  li    t1, ITER
  .globl loop_minstret
loop_minstret:
  csrr  t0, minstret
  sd    t0, 0(a0)
  addi  a0, a0, 8
  addi  t1, t1, -1
  bnez  t1, loop_minstret

  li    t1, ITER
  .globl loop_mcycle
loop_mcycle:
  csrr  t0, mcycle
  sd    t0, 0(a0)
  addi  a0, a0, 8
  addi  t1, t1, -1
  bnez  t1, loop_mcycle

  li    t1, ITER
  .globl loop_mtime
loop_mtime:
  ld    t0, 0(a1)
  sd    t0, 0(a0)
  addi  a0, a0, 8
  addi  t1, t1, -1
  bnez  t1, loop_mtime

  .globl done
done:
  j     done
