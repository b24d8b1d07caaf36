/* Polled output on the ns16550a console: enough for printing results. */
#ifndef GUEST_UART_H
#define GUEST_UART_H

#include <stdint.h>

void uart_putc(char c);
void uart_puts(const char *s);
void uart_put_dec(uint64_t value);
/* Exactly `digits` lowercase hex digits, no prefix, so output widths are stable. */
void uart_put_hex(uint64_t value, unsigned digits);

#endif
