/* The HVM platform layer's internal interfaces (the files in hvm/). */
#ifndef KERNEL_HVM_H
#define KERNEL_HVM_H

#define SSTATUS_SIE        (1 << 1)
#define SSTATUS_SPIE       (1 << 5)
#define SSTATUS_SPP        (1 << 8)
#define SSTATUS_FS_INITIAL (1 << 13)
#define SIE_STIE (1 << 5)
#define SIE_SEIE (1 << 9)
#define IRQ_S_TIMER 5
#define IRQ_S_EXT   9

#ifndef __ASSEMBLER__
#include <stdint.h>
#include "fdt.h"

#define RAM_BASE 0x80000000UL

#define csr_read(csr) ({ uint64_t v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" ::"r"((uint64_t)(v)))
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" ::"r"((uint64_t)(v)))
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" ::"r"((uint64_t)(v)))

/* sbi.c: SBI v2.0 calls (docs/SBI.md). */
struct sbiret {
	long error, value;
};
struct sbiret sbi_call(long eid, long fid, long a0, long a1, long a2);
void sbi_set_timer(uint64_t stime);
void sbi_shutdown(int failure) __attribute__((noreturn));
void sbi_console_write(const char *s, uint64_t n);

/* uart.c */
void uart_init(uint64_t base);
int uart_present(void);
void uart_write(const char *s, uint64_t n);

/* mm.c: the kernel's identity map and the page-table hooks. */
void mm_init(uint64_t ram_size, uint64_t free_end);

/* plic.c */
void plic_init(uint64_t base, unsigned context);
void plic_enable(unsigned irq);
unsigned plic_claim(void);
void plic_complete(unsigned irq);

/* cvblk.c / cvnet.c */
int cvblk_probe(const struct fdt_node *n);
int cvnet_probe(const struct fdt_node *n);
int cvnet_irq(unsigned irq); /* 1 if the interrupt was the NIC's, handled */
uint64_t cvblk_requests(void);
#endif

#endif
