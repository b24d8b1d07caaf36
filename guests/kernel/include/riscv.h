/*
 * RISC-V definitions both platform layers and the core share: Sv39 page-table
 * entries and trap causes (privileged spec 1.12, sections 4.4 and 3.1.15).
 */
#ifndef KERNEL_RISCV_H
#define KERNEL_RISCV_H

#include <stdint.h>

#define PAGE_SIZE  4096UL
#define PAGE_SHIFT 12

/* Sv39 PTE bits (spec 4.4.1). */
#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN(pte) (((pte) >> PTE_PPN_SHIFT) & ((1UL << 44) - 1))
#define PTE_LEAF(pte) (((pte) & (PTE_R | PTE_W | PTE_X)) != 0)

/* Sv39: three levels of 512 entries; level 2 is the root. */
#define PT_ENTRIES 512
#define VPN(va, level) (((va) >> (PAGE_SHIFT + 9 * (level))) & (PT_ENTRIES - 1))

/* Exception causes (scause with the interrupt bit clear, spec table 3.6). */
#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS     1
#define CAUSE_ILLEGAL_INSN     2
#define CAUSE_BREAKPOINT       3
#define CAUSE_LOAD_ACCESS      5
#define CAUSE_STORE_ACCESS     7
#define CAUSE_USER_ECALL       8
#define CAUSE_FETCH_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT  13
#define CAUSE_STORE_PAGE_FAULT 15
#define CAUSE_INTERRUPT        (1UL << 63)

#endif
