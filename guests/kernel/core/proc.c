/*
 * Processes without a scheduler: exactly one process is runnable at a time.
 * fork() copies the address space and runs the child until it exits; only
 * then does the parent continue (vfork's ordering with fork's copy). That is
 * enough to show a second address space, isolation between the two, and the
 * kernel's trap path switching between them, with fully deterministic output.
 */
#include "syscall.h"
#include "kernel.h"

/* The header at the start of the user image (user/start.S writes it). */
struct user_header {
	uint32_t magic; /* USER_MAGIC */
	uint32_t version;
	uint64_t entry;
	uint64_t text_end; /* pages below: read/execute; from here: read/write */
	uint64_t end; /* end of .bss */
};
#define USER_MAGIC 0x52455355u /* "USER" */

static struct proc procs[NPROC];
static struct proc *current;
static struct proc *active; /* whose address space is installed */
static int next_pid = 1;

struct proc *proc_current(void)
{
	return current;
}

static struct proc *proc_alloc(void)
{
	for (int i = 0; i < NPROC; i++)
		if (procs[i].state == PROC_FREE) {
			memset(&procs[i], 0, sizeof procs[i]);
			procs[i].pid = next_pid++;
			return &procs[i];
		}
	return 0;
}

static int map_fresh(struct as *as, uint64_t va, const uint8_t *data, uint64_t len, uint64_t perm)
{
	uint64_t pfn = frame_alloc();
	if (pfn == NO_PFN)
		return -E_NOMEM;
	if (len)
		memcpy(plat_pfn_to_kva(pfn), data, len);
	int r = as_map(as, va, pfn, perm);
	if (r < 0)
		frame_free(pfn);
	return r;
}

int proc_spawn_init(const uint8_t *image, uint64_t len)
{
	const struct user_header *h = (const void *)image;
	if (len < sizeof *h || h->magic != USER_MAGIC || h->end < USER_BASE + len || h->end > USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE)
		panic("the embedded user program has no valid header");
	struct proc *p = proc_alloc();
	if (as_create(&p->as) < 0)
		panic("out of memory for the user address space");
	for (uint64_t va = USER_BASE; va < h->end; va += PAGE_SIZE) {
		uint64_t off = va - USER_BASE;
		uint64_t n = off < len ? (len - off < PAGE_SIZE ? len - off : PAGE_SIZE) : 0;
		uint64_t perm = va < h->text_end ? PTE_R | PTE_X : PTE_R | PTE_W;
		if (map_fresh(&p->as, va, image + off, n, perm) < 0)
			panic("out of memory loading the user program");
	}
	for (uint64_t i = 1; i <= USER_STACK_PAGES; i++)
		if (map_fresh(&p->as, USER_STACK_TOP - i * PAGE_SIZE, 0, 0, PTE_R | PTE_W) < 0)
			panic("out of memory for the user stack");
	p->tf.pc = h->entry;
	p->tf.regs[REG_SP] = USER_STACK_TOP;
	p->tf.mode = 1;
	p->state = PROC_RUNNABLE;
	current = p;
	return p->pid;
}

static const char *fault_name(uint64_t cause)
{
	switch (cause) {
	case CAUSE_FETCH_PAGE_FAULT: return "instruction page fault";
	case CAUSE_LOAD_PAGE_FAULT: return "load page fault";
	case CAUSE_STORE_PAGE_FAULT: return "store page fault";
	case CAUSE_ILLEGAL_INSN: return "illegal instruction";
	case CAUSE_BREAKPOINT: return "breakpoint";
	default: return "exception";
	}
}

int proc_run(void)
{
	for (;;) {
		struct proc *p = current;
		if (p != active) {
			plat_as_activate(p->as.root);
			active = p;
		}
		plat_run_user(&p->tf);
		uint64_t cause = p->tf.cause;
		if (cause & CAUSE_INTERRUPT)
			plat_interrupt(cause);
		else if (cause == CAUSE_USER_ECALL)
			syscall_dispatch(p);
		else {
			/* The fault is the user's: report it (identically on both platforms) and end the process. */
			kprintf("kernel: pid %d killed: %s (cause %lu) at va 0x%lx, pc 0x%lx\n", p->pid, fault_name(cause), cause, p->tf.tval, p->tf.pc);
			proc_exit(p, EXIT_KILLED_BASE + (int)cause);
		}
		if (current == 0)
			return procs[0].exit_status;
	}
}

int64_t proc_fork(struct proc *p)
{
	struct proc *c = proc_alloc();
	if (!c)
		return -E_NOMEM;
	if (as_create(&c->as) < 0) {
		c->state = PROC_FREE;
		return -E_NOMEM;
	}
	if (as_copy(&c->as, &p->as) < 0) {
		as_destroy(&c->as);
		c->state = PROC_FREE;
		return -E_NOMEM;
	}
	c->tf = p->tf;
	c->tf.regs[REG_A0] = 0;
	c->parent = p->pid;
	c->state = PROC_RUNNABLE;
	p->state = PROC_WAITING;
	current = c;
	return c->pid;
}

static struct proc *find(int pid)
{
	for (int i = 0; i < NPROC; i++)
		if (procs[i].state != PROC_FREE && procs[i].pid == pid)
			return &procs[i];
	return 0;
}

void proc_exit(struct proc *p, int status)
{
	p->exit_status = status;
	p->state = PROC_ZOMBIE;
	struct proc *parent = find(p->parent);
	/* Never tear down the installed address space (PV refuses to unpin a root in use). */
	if (active == p) {
		if (parent)
			plat_as_activate(parent->as.root);
		else
			plat_as_activate(NO_PFN);
		active = parent;
	}
	as_destroy(&p->as);
	if (parent) {
		parent->state = PROC_RUNNABLE;
		current = parent;
	} else {
		current = 0;
	}
}

int64_t proc_wait(struct proc *p, int64_t pid, uint64_t status_va)
{
	struct proc *c = find((int)pid);
	if (!c || c->parent != p->pid)
		return -E_SRCH;
	if (c->state != PROC_ZOMBIE)
		panic("pid %d waits for pid %d, which is still running", p->pid, c->pid);
	int32_t st = c->exit_status;
	if (status_va && copy_to_user(&p->as, status_va, &st, sizeof st) < 0)
		return -E_FAULT;
	c->state = PROC_FREE;
	return c->pid;
}
