/*
 * ns16550a transmit path only. No init: QEMU's and Chronovisor's UART model
 * accept THR writes from reset, and skipping the divisor setup keeps the
 * guest's MMIO trace minimal.
 */
#include "uart.h"
#include "platform.h"

#define UART_THR 0 /* transmit holding register (write) */
#define UART_LSR 5 /* line status register */
#define UART_LSR_THRE 0x20 /* THR empty: safe to write the next byte */

static volatile uint8_t *const uart = (volatile uint8_t *)UART0_BASE;

void uart_putc(char c)
{
	while ((uart[UART_LSR] & UART_LSR_THRE) == 0)
		;
	uart[UART_THR] = (uint8_t)c;
}

void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

void uart_put_dec(uint64_t value)
{
	char digits[20]; /* 2^64 - 1 has 20 decimal digits */
	unsigned n = 0;

	do {
		digits[n++] = (char)('0' + value % 10);
		value /= 10;
	} while (value != 0);
	while (n > 0)
		uart_putc(digits[--n]);
}

void uart_put_hex(uint64_t value, unsigned digits)
{
	while (digits > 0) {
		digits--;
		uart_putc("0123456789abcdef"[(value >> (digits * 4)) & 0xf]);
	}
}
