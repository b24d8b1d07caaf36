/*
 * cvnet, Chronovisor's emulated NIC (docs/DEVICE-MODEL.md section 4). Sends
 * complete during the TX_COMMAND store. Received frames queue in the device;
 * its RX_READY interrupt only wakes the kernel from WFI, and receiving is a
 * poll of RX_PENDING, so a frame that arrives between a check and the WFI
 * still raises the line and is not lost.
 */
#include "hvm.h"
#include "plat.h"

#define CVNET_MAGIC 0x544e5643
#define R_MAGIC 0x00
#define R_VERSION 0x04
#define R_MAC_LO 0x10
#define R_MAC_HI 0x14
#define R_TX_ADDR 0x20
#define R_TX_LEN 0x28
#define R_TX_COMMAND 0x2c
#define R_TX_STATUS 0x30
#define R_RX_ADDR 0x38
#define R_RX_CAP 0x40
#define R_RX_COMMAND 0x44
#define R_RX_STATUS 0x48
#define R_RX_LEN 0x4c
#define R_RX_PENDING 0x50
#define R_INT_ACK 0x58
#define R_INT_ENABLE 0x5c
#define INT_TX_DONE 1
#define INT_RX_READY 2

static uint64_t base;
static unsigned irq;
static uint8_t mac[6];

#define REG(off) (*(volatile uint32_t *)(base + (off)))
#define REG64(off) (*(volatile uint64_t *)(base + (off)))

int cvnet_probe(const struct fdt_node *n)
{
	uint64_t b = n->reg_base;
	if (*(volatile uint32_t *)(b + R_MAGIC) != CVNET_MAGIC || *(volatile uint32_t *)(b + R_VERSION) != 1)
		return -1;
	base = b;
	irq = n->irq;
	uint32_t lo = REG(R_MAC_LO), hi = REG(R_MAC_HI);
	for (int i = 0; i < 4; i++)
		mac[i] = (uint8_t)(lo >> (8 * i));
	mac[4] = (uint8_t)hi;
	mac[5] = (uint8_t)(hi >> 8);
	REG(R_INT_ACK) = INT_TX_DONE | INT_RX_READY;
	REG(R_INT_ENABLE) = INT_RX_READY;
	plic_enable(irq);
	return 0;
}

int plat_net_mac(uint8_t out[6])
{
	if (!base)
		return -1;
	for (int i = 0; i < 6; i++)
		out[i] = mac[i];
	return 0;
}

int plat_net_send(const void *frame, uint32_t len)
{
	if (!base)
		return -1;
	REG64(R_TX_ADDR) = (uint64_t)(uintptr_t)frame;
	REG(R_TX_LEN) = len;
	REG(R_TX_COMMAND) = 1;
	REG(R_INT_ACK) = INT_TX_DONE;
	return REG(R_TX_STATUS) == 0 ? 0 : -1;
}

int plat_net_recv(void *buf, uint32_t cap)
{
	if (!base || REG(R_RX_PENDING) == 0)
		return 0;
	REG64(R_RX_ADDR) = (uint64_t)(uintptr_t)buf;
	REG(R_RX_CAP) = cap;
	REG(R_RX_COMMAND) = 1;
	return REG(R_RX_STATUS) == 0 ? (int)REG(R_RX_LEN) : -1;
}

int cvnet_irq(unsigned n)
{
	if (!base || n != irq)
		return 0;
	REG(R_INT_ACK) = INT_RX_READY; /* before the PLIC completion, as the device model asks */
	return 1;
}
