/*
 * System calls of the user program. Every user pointer is checked page by
 * page against the caller's own page tables (copy_from_user/copy_to_user);
 * device I/O goes through kernel bounce buffers, so the platform drivers only
 * ever see kernel memory.
 */
#include "syscall.h"
#include "kernel.h"

#define NET_MAX_FRAME 1514

/* Bounce buffers: page-aligned, so a driver may hand whole pages to a device or backend. */
static uint8_t disk_buf[PLAT_DISK_MAX_SECTORS * 512] __attribute__((aligned(4096)));
static uint8_t net_buf[NET_MAX_FRAME] __attribute__((aligned(4096)));

static int64_t sys_write(struct proc *p, uint64_t va, uint64_t len)
{
	char chunk[128];
	for (uint64_t done = 0; done < len;) {
		uint64_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
		if (copy_from_user(&p->as, chunk, va + done, n) < 0)
			return -E_FAULT;
		plat_console_write(chunk, n);
		done += n;
	}
	return (int64_t)len;
}

static int64_t sys_map(struct proc *p, uint64_t va, uint64_t npages, int map)
{
	if (npages > 1024)
		return -E_INVAL;
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t a = va + i * PAGE_SIZE;
		int r;
		if (map) {
			uint64_t pfn = frame_alloc();
			if (pfn == NO_PFN)
				return -E_NOMEM;
			r = as_map(&p->as, a, pfn, PTE_R | PTE_W);
			if (r < 0)
				frame_free(pfn);
		} else {
			r = as_unmap(&p->as, a);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int64_t sys_disk(struct proc *p, int write, uint64_t sector, uint64_t va, uint64_t count)
{
	uint64_t sectors = plat_disk_sectors();
	if (sectors == 0)
		return -E_NODEV;
	if (sector >= sectors || count > sectors - sector)
		return -E_INVAL;
	while (count > 0) {
		uint32_t n = count < PLAT_DISK_MAX_SECTORS ? (uint32_t)count : PLAT_DISK_MAX_SECTORS;
		if (write && copy_from_user(&p->as, disk_buf, va, n * 512UL) < 0)
			return -E_FAULT;
		if (plat_disk_io(write, sector, disk_buf, n) != 0)
			return -E_IO;
		if (!write && copy_to_user(&p->as, va, disk_buf, n * 512UL) < 0)
			return -E_FAULT;
		sector += n;
		va += n * 512UL;
		count -= n;
	}
	return 0;
}

static int64_t sys_net_recv(struct proc *p, uint64_t va, uint64_t cap, uint64_t timeout_us)
{
	uint64_t deadline = plat_now_ns() + timeout_us * 1000;
	timer_set_timeout(deadline);
	int n;
	while ((n = plat_net_recv(net_buf, sizeof net_buf)) == 0 && plat_now_ns() < deadline)
		plat_idle();
	timer_set_timeout(0);
	if (n < 0)
		return -E_IO;
	if (n == 0)
		return 0;
	if ((uint64_t)n > cap)
		n = (int)cap;
	if (copy_to_user(&p->as, va, net_buf, (uint64_t)n) < 0)
		return -E_FAULT;
	return n;
}

static int64_t dispatch(struct proc *p, uint64_t nr, const uint64_t *a)
{
	switch (nr) {
	case SYS_EXIT:
		proc_exit(p, (int)a[0]);
		return 0;
	case SYS_WRITE:
		return sys_write(p, a[0], a[1]);
	case SYS_GETPID:
		return p->pid;
	case SYS_CMDLINE: {
		uint64_t n = strlen(kernel_cmdline) + 1;
		if (copy_to_user(&p->as, a[0], kernel_cmdline, n < a[1] ? n : a[1]) < 0)
			return -E_FAULT;
		return (int64_t)n - 1;
	}
	case SYS_MAP:
	case SYS_UNMAP:
		return sys_map(p, a[0], a[1], nr == SYS_MAP);
	case SYS_MAPPED:
		return as_lookup(&p->as, a[0] & ~(PAGE_SIZE - 1), 0) != NO_PFN;
	case SYS_FORK:
		return proc_fork(p);
	case SYS_WAIT:
		return proc_wait(p, (int64_t)a[0], a[1]);
	case SYS_DISK_INFO: {
		uint64_t s = plat_disk_sectors();
		return s ? (int64_t)s : -E_NODEV;
	}
	case SYS_DISK_READ:
	case SYS_DISK_WRITE:
		return sys_disk(p, nr == SYS_DISK_WRITE, a[0], a[1], a[2]);
	case SYS_NET_INFO: {
		uint8_t mac[6];
		if (plat_net_mac(mac) < 0)
			return -E_NODEV;
		return copy_to_user(&p->as, a[0], mac, 6);
	}
	case SYS_NET_SEND:
		if (a[1] < 14 || a[1] > NET_MAX_FRAME)
			return -E_INVAL;
		if (copy_from_user(&p->as, net_buf, a[0], a[1]) < 0)
			return -E_FAULT;
		return plat_net_send(net_buf, (uint32_t)a[1]) == 0 ? 0 : -E_IO;
	case SYS_NET_RECV:
		return sys_net_recv(p, a[0], a[1], a[2]);
	case SYS_TIMER_START:
		if (a[0] == 0)
			return -E_INVAL;
		timer_start(a[0] * 1000, a[1]);
		return 0;
	case SYS_TICKS:
		return (int64_t)timer_ticks();
	case SYS_SLEEP_TICKS:
		return timer_wait_ticks(timer_ticks() + a[0]) < 0 ? -E_INVAL : (int64_t)timer_ticks();
	case SYS_TIME_US:
		return (int64_t)(plat_now_ns() / 1000);
	default:
		return -E_NOSYS;
	}
}

void syscall_dispatch(struct proc *p)
{
	struct trapframe *tf = &p->tf;
	tf->pc += 4; /* past the ecall: fork copies the advanced pc into the child */
	int64_t r = dispatch(p, tf->regs[REG_A7], &tf->regs[REG_A0]);
	/* exit frees the slot of a child, but its trap frame is never resumed: harmless. */
	tf->regs[REG_A0] = (uint64_t)r;
}
