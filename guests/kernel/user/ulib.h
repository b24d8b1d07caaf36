/* The user program's side of the system-call ABI (include/syscall.h). */
#ifndef USER_ULIB_H
#define USER_ULIB_H

#include <stdint.h>
#include "lib.h"
#include "syscall.h"

static inline int64_t syscall3(long nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	register uint64_t r0 __asm__("a0") = a0;
	register uint64_t r1 __asm__("a1") = a1;
	register uint64_t r2 __asm__("a2") = a2;
	register long r7 __asm__("a7") = nr;
	__asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "memory");
	return (int64_t)r0;
}

static inline int64_t sys_getpid(void) { return syscall3(SYS_GETPID, 0, 0, 0); }
static inline int64_t sys_map(uint64_t va, uint64_t n) { return syscall3(SYS_MAP, va, n, 0); }
static inline int64_t sys_unmap(uint64_t va, uint64_t n) { return syscall3(SYS_UNMAP, va, n, 0); }
static inline int64_t sys_mapped(uint64_t va) { return syscall3(SYS_MAPPED, va, 0, 0); }
static inline int64_t sys_fork(void) { return syscall3(SYS_FORK, 0, 0, 0); }
static inline int64_t sys_wait(int64_t pid, int32_t *status) { return syscall3(SYS_WAIT, (uint64_t)pid, (uint64_t)status, 0); }
static inline int64_t sys_disk_info(void) { return syscall3(SYS_DISK_INFO, 0, 0, 0); }
static inline int64_t sys_disk_read(uint64_t s, void *b, uint64_t n) { return syscall3(SYS_DISK_READ, s, (uint64_t)b, n); }
static inline int64_t sys_disk_write(uint64_t s, const void *b, uint64_t n) { return syscall3(SYS_DISK_WRITE, s, (uint64_t)b, n); }
static inline int64_t sys_net_info(uint8_t mac[6]) { return syscall3(SYS_NET_INFO, (uint64_t)mac, 0, 0); }
static inline int64_t sys_net_send(const void *f, uint64_t n) { return syscall3(SYS_NET_SEND, (uint64_t)f, n, 0); }
static inline int64_t sys_net_recv(void *b, uint64_t cap, uint64_t us) { return syscall3(SYS_NET_RECV, (uint64_t)b, cap, us); }
static inline int64_t sys_timer_start(uint64_t us, uint64_t n) { return syscall3(SYS_TIMER_START, us, n, 0); }
static inline int64_t sys_ticks(void) { return syscall3(SYS_TICKS, 0, 0, 0); }
static inline int64_t sys_sleep_ticks(uint64_t n) { return syscall3(SYS_SLEEP_TICKS, n, 0, 0); }
static inline int64_t sys_time_us(void) { return syscall3(SYS_TIME_US, 0, 0, 0); }
static inline int64_t sys_cmdline(char *b, uint64_t cap) { return syscall3(SYS_CMDLINE, (uint64_t)b, cap, 0); }
__attribute__((noreturn)) static inline void sys_exit(int status)
{
	syscall3(SYS_EXIT, (uint64_t)status, 0, 0);
	__builtin_unreachable();
}

void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The workloads (the other files in user/); each prints its result lines and returns 0 on success. */
int disk_workload(void);
int mem_workload(void);
int timer_workload(void);
int net_workload(const char *role);

/* Deterministic page contents: xorshift32 from `seed`. */
void fill_pattern(void *buf, uint64_t n, uint32_t seed);

#endif
