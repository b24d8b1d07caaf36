/*
 * echo: a small interactive guest that exercises every kind of event a bare machine logs,
 * so its recordings make good golden traces:
 *   - console output (UART THR writes) and console input (UART RBR reads, polled),
 *   - timer interrupts from the CLINT (mtimecmp, MTIE, WFI until the interrupt),
 *   - a wall-clock read from the goldfish RTC (an external input),
 *   - poweroff through the test finisher.
 * It prints a banner, takes TICKS timer interrupts, reads a line from the console, echoes it
 * upper-cased with its CRC-32, and powers off (exit 0).
 */
#include <stdint.h>
#include "guest.h"
#include "uart.h"

#define CLINT_MTIMECMP ((volatile uint64_t *)0x02004000UL)
#define CLINT_MTIME    ((volatile uint64_t *)0x0200bff8UL)
#define RTC_TIME_LOW   ((volatile uint32_t *)0x00101000UL)
#define RTC_TIME_HIGH  ((volatile uint32_t *)0x00101004UL)
#define UART_RBR       ((volatile uint8_t *)0x10000000UL)
#define UART_LSR       ((volatile uint8_t *)0x10000005UL)

#define TICKS 5
#define TICK_INTERVAL 10000 /* mtime ticks (10 MHz): 1 ms of virtual time */

volatile uint32_t ticks;

void echo_trap(void);

/* Called from the assembly vector with mcause; only machine timer interrupts are expected. */
void echo_interrupt(uint64_t mcause)
{
	if (mcause != ((1UL << 63) | 7)) {
		uart_puts("\necho: unexpected trap, mcause=0x");
		uart_put_hex(mcause, 16);
		uart_puts("\n");
		for (;;)
			;
	}
	ticks++;
	*CLINT_MTIMECMP = *CLINT_MTIME + TICK_INTERVAL;
}

__asm__(
	".balign 4\n"
	"echo_trap:\n"
	"	addi sp, sp, -128\n"
	"	sd ra, 0(sp)\n  sd t0, 8(sp)\n  sd t1, 16(sp)\n  sd t2, 24(sp)\n"
	"	sd a0, 32(sp)\n sd a1, 40(sp)\n sd a2, 48(sp)\n sd a3, 56(sp)\n"
	"	sd a4, 64(sp)\n sd a5, 72(sp)\n sd a6, 80(sp)\n sd a7, 88(sp)\n"
	"	sd t3, 96(sp)\n sd t4, 104(sp)\n sd t5, 112(sp)\n sd t6, 120(sp)\n"
	"	csrr a0, mcause\n"
	"	call echo_interrupt\n"
	"	ld ra, 0(sp)\n  ld t0, 8(sp)\n  ld t1, 16(sp)\n  ld t2, 24(sp)\n"
	"	ld a0, 32(sp)\n ld a1, 40(sp)\n ld a2, 48(sp)\n ld a3, 56(sp)\n"
	"	ld a4, 64(sp)\n ld a5, 72(sp)\n ld a6, 80(sp)\n ld a7, 88(sp)\n"
	"	ld t3, 96(sp)\n ld t4, 104(sp)\n ld t5, 112(sp)\n ld t6, 120(sp)\n"
	"	addi sp, sp, 128\n"
	"	mret\n");

static uint32_t crc32(const char *s, unsigned n)
{
	uint32_t crc = 0xffffffffu;
	for (unsigned i = 0; i < n; i++) {
		crc ^= (uint8_t)s[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static char getc_polled(void)
{
	while (!(*UART_LSR & 1))
		;
	return (char)*UART_RBR;
}

uint32_t guest_main(uint64_t hartid, const void *fdt)
{
	(void)hartid;
	(void)fdt;
	uart_puts("echo guest: hello from Chronovisor\n");

	/* timer interrupts: vector, MTIE, MIE, first deadline */
	__asm__ volatile("csrw mtvec, %0" ::"r"((uint64_t)echo_trap));
	*CLINT_MTIMECMP = *CLINT_MTIME + TICK_INTERVAL;
	__asm__ volatile("csrs mie, %0" ::"r"(1UL << 7));
	__asm__ volatile("csrs mstatus, %0" ::"r"(1UL << 3));
	while (ticks < TICKS)
		__asm__ volatile("wfi");
	__asm__ volatile("csrc mie, %0" ::"r"(1UL << 7));
	uart_puts("ticks: ");
	uart_put_dec(ticks);
	uart_puts("\n");

	/* the RTC's time is an external input: a replay gets the recorded value back */
	uint32_t lo = *RTC_TIME_LOW;
	uint32_t hi = *RTC_TIME_HIGH;
	uint64_t seconds = (((uint64_t)hi << 32) | lo) / 1000000000UL;
	uart_puts("rtc: ");
	uart_puts(seconds > 1600000000UL ? "wall clock set\n" : "wall clock not set\n");

	uart_puts("type a line: ");
	char line[80];
	unsigned n = 0;
	for (;;) {
		char c = getc_polled();
		if (c == '\r' || c == '\n')
			break;
		if (n < sizeof line)
			line[n++] = c;
	}
	uart_puts("\nyou typed: ");
	for (unsigned i = 0; i < n; i++) {
		char c = line[i];
		uart_putc(c >= 'a' && c <= 'z' ? (char)(c - 32) : c);
	}
	uart_puts("\ncrc32: ");
	uart_put_hex(crc32(line, n), 8);
	uart_puts("\nbye\n");
	return 0;
}
