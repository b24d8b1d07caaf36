/* The portable core's internal interfaces (the files in core/). */
#ifndef KERNEL_CORE_H
#define KERNEL_CORE_H

#include <stdint.h>
#include "lib.h"
#include "plat.h"
#include "riscv.h"
#include "trapframe.h"

/* kprintf.c: kprintf, panic (declared in plat.h). */

/* frames.c: the pseudo-physical frame allocator (lowest free first: deterministic). */
void frames_init(uint64_t first_pfn, uint64_t end_pfn);
uint64_t frames_in_use(void);

/* vm.c: user address spaces (Sv39, user range USER_BASE..USER_END). */
struct as {
	uint64_t root; /* pfn of the root table */
	uint64_t pages; /* leaf pages mapped */
};
int as_create(struct as *as);
void as_destroy(struct as *as);
int as_map(struct as *as, uint64_t va, uint64_t pfn, uint64_t perm);
int as_unmap(struct as *as, uint64_t va); /* frees the frame */
uint64_t as_lookup(struct as *as, uint64_t va, uint64_t *pte_out); /* pfn or NO_PFN */
int as_copy(struct as *dst, struct as *src);
int copy_from_user(struct as *as, void *dst, uint64_t va, uint64_t n);
int copy_to_user(struct as *as, uint64_t va, const void *src, uint64_t n);

/* proc.c: one user program and the children it forks. */
struct proc {
	int pid;
	int state;
	int parent;
	int exit_status;
	struct as as;
	struct trapframe tf;
};
#define PROC_FREE     0
#define PROC_RUNNABLE 1
#define PROC_WAITING  2 /* a parent waiting for its forked child to exit */
#define PROC_ZOMBIE   3
#define NPROC 4

int proc_spawn_init(const uint8_t *image, uint64_t len);
int proc_run(void); /* runs until pid 1 exits; returns its status */
struct proc *proc_current(void);
int64_t proc_fork(struct proc *p);
int64_t proc_wait(struct proc *p, int64_t pid, uint64_t status_va);
void proc_exit(struct proc *p, int status);

/* syscall.c */
void syscall_dispatch(struct proc *p);

/* timer.c: the tick counter and timeouts on one platform timer. */
void timer_start(uint64_t interval_ns, uint64_t ticks);
uint64_t timer_ticks(void);
int timer_wait_ticks(uint64_t target); /* idles until ticks >= target; -1 if the timer stopped first */
void timer_set_timeout(uint64_t deadline_ns); /* 0: none */

/* The kernel command line, kept for SYS_CMDLINE. */
extern const char *kernel_cmdline;

#endif
