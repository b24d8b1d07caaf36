/*
 * Console output on the ns16550a UART, polled. The FIFOs are enabled so one
 * LSR.THRE ("transmit FIFO empty") check allows 16 bytes, not one: every
 * register access is an MMIO exit under a hypervisor, and halving them keeps
 * traces small. No divisor setup: QEMU's and Chronovisor's UART transmit at
 * any rate from reset.
 */
#include "hvm.h"

#define UART_THR 0
#define UART_FCR 2
#define UART_LSR 5
#define UART_FCR_ENABLE_RESET 0x07 /* FIFO enable, clear RX and TX FIFOs */
#define UART_LSR_THRE 0x20
#define UART_TX_FIFO 16

static volatile uint8_t *uart;

void uart_init(uint64_t base)
{
	uart = (volatile uint8_t *)base;
	uart[UART_FCR] = UART_FCR_ENABLE_RESET;
}

int uart_present(void)
{
	return uart != 0;
}

void uart_write(const char *s, uint64_t n)
{
	while (n > 0) {
		while ((uart[UART_LSR] & UART_LSR_THRE) == 0)
			;
		for (unsigned k = 0; k < UART_TX_FIFO && n > 0; k++, n--)
			uart[UART_THR] = (uint8_t)*s++;
	}
}
