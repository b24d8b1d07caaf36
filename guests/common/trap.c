/*
 * Our guests never expect a trap, so any trap is a bug in the guest or, more
 * likely while Chronovisor is young, in the machine running it. Report the
 * cause precisely and fail, instead of looping silently.
 */
#include "finisher.h"
#include "uart.h"

void __attribute__((noreturn)) trap_report(uint64_t mcause, uint64_t mepc, uint64_t mtval);

void trap_report(uint64_t mcause, uint64_t mepc, uint64_t mtval)
{
	uart_puts("\nunexpected trap: mcause=0x");
	uart_put_hex(mcause, 16);
	uart_puts(" mepc=0x");
	uart_put_hex(mepc, 16);
	uart_puts(" mtval=0x");
	uart_put_hex(mtval, 16);
	uart_puts("\n");
	finisher_exit(GUEST_EXIT_TRAP);
}
