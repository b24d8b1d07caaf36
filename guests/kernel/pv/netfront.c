/*
 * netfront (§10, Xen's io/netif.h): the first vif xenstore lists, a tx and
 * an rx ring page granted to the backend, one event channel for both.
 * Receive buffers are pages granted once and posted again after each
 * frame; a send copies the frame into a tx page granted read-only for that
 * one request and revoked after its response.
 */
#include "pv.h"
#include "plat.h"
#include "lib.h"
#include "riscv.h"

#define RING_SLOTS 256 /* tx: 4032 / 12, rx: 4032 / 8, rounded down to a power of two */
#define RX_BUFFERS 16
#define NETTXF_none 0

struct netif_tx_request {
	uint32_t gref;
	uint16_t offset, flags, id, size;
};
struct netif_tx_response {
	uint16_t id;
	int16_t status;
};
union netif_tx_slot {
	struct netif_tx_request req;
	struct netif_tx_response rsp;
};
struct netif_rx_request {
	uint16_t id, pad;
	uint32_t gref;
};
struct netif_rx_response {
	uint16_t id, offset, flags;
	int16_t status; /* the frame's size when >= 0 */
};
union netif_rx_slot {
	struct netif_rx_request req;
	struct netif_rx_response rsp;
};

struct ring_header {
	volatile uint32_t req_prod, req_event, rsp_prod, rsp_event;
	uint8_t pad[48];
};
struct netif_tx_sring {
	struct ring_header h;
	union netif_tx_slot ring[RING_SLOTS];
};
struct netif_rx_sring {
	struct ring_header h;
	union netif_rx_slot ring[RING_SLOTS];
};

_Static_assert(sizeof(union netif_tx_slot) == 12, "netif tx slot size");
_Static_assert(sizeof(union netif_rx_slot) == 8, "netif rx slot size");
_Static_assert(sizeof(struct netif_tx_sring) <= 4096 && sizeof(struct netif_rx_sring) <= 4096, "rings fit a page");

static struct netif_tx_sring *tx;
static struct netif_rx_sring *rx;
static uint32_t tx_prod, tx_cons, rx_prod, rx_cons;
static unsigned port;
static uint8_t mac[6];
static uint8_t *tx_page;
static uint8_t *rx_page[RX_BUFFERS];
static uint32_t rx_gref[RX_BUFFERS];
static uint16_t tx_id;

static void net_event(unsigned p)
{
	(void)p; /* send and receive re-check the rings */
}

static int parse_mac(const char *s, uint8_t out[6])
{
	for (int i = 0; i < 6; i++) {
		unsigned v = 0;
		for (int k = 0; k < 2; k++, s++) {
			char c = *s;
			unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
			if (d > 15)
				return -1;
			v = v * 16 + d;
		}
		out[i] = (uint8_t)v;
		if (i < 5 && *s++ != ':')
			return -1;
	}
	return 0;
}

static void post_rx(unsigned id)
{
	struct netif_rx_request *r = &rx->ring[rx_prod % RING_SLOTS].req;
	r->id = (uint16_t)id;
	r->pad = 0;
	r->gref = rx_gref[id];
	rx_prod++;
}

static void wait_state(const char *path, const char *want)
{
	char buf[8];
	xs_watch(path, "state");
	for (;;) {
		if (xs_read(path, buf, sizeof buf) > 0 && strcmp(buf, want) == 0)
			return;
		xs_wait_event();
	}
}

int netfront_init(void)
{
	char names[128], path[96], buf[32];
	if (xs_directory("device/vif", names, sizeof names) <= 0)
		return -1;
	const char *devid = names;
	snprintf_(path, sizeof path, "device/vif/%s/backend-id", devid);
	if (xs_read(path, buf, sizeof buf) <= 0 || strcmp(buf, "0") != 0)
		pv_fatal("vif backend is not domain 0", 0);
	snprintf_(path, sizeof path, "device/vif/%s/mac", devid);
	if (xs_read(path, buf, sizeof buf) <= 0 || parse_mac(buf, mac) < 0)
		pv_fatal("vif has no valid mac key", 0);

	tx = pv_alloc_page();
	rx = pv_alloc_page();
	tx->h.req_event = tx->h.rsp_event = 1;
	rx->h.req_event = rx->h.rsp_event = 1;
	uint32_t tx_ref = grant_access(DOM0, kva_to_mfn(tx), 0);
	uint32_t rx_ref = grant_access(DOM0, kva_to_mfn(rx), 0);
	tx_page = pv_alloc_page();
	for (unsigned i = 0; i < RX_BUFFERS; i++) {
		rx_page[i] = pv_alloc_page();
		rx_gref[i] = grant_access(DOM0, kva_to_mfn(rx_page[i]), 0);
		post_rx(i);
	}
	rx->h.req_prod = rx_prod;
	port = evtchn_alloc_unbound(DOM0, net_event);

	snprintf_(path, sizeof path, "device/vif/%s/tx-ring-ref", devid);
	xs_write_int(path, tx_ref);
	snprintf_(path, sizeof path, "device/vif/%s/rx-ring-ref", devid);
	xs_write_int(path, rx_ref);
	snprintf_(path, sizeof path, "device/vif/%s/event-channel", devid);
	xs_write_int(path, port);
	snprintf_(path, sizeof path, "device/vif/%s/state", devid);
	xs_write(path, "3");
	wait_state(path, "4");
	evtchn_notify(port); /* the rx buffers are waiting */
	kprintf("pv: netfront vif %s: mac %02x:%02x:%02x:%02x:%02x:%02x, tx-ring-ref %u, rx-ring-ref %u, event channel %u\n", devid, mac[0], mac[1],
		mac[2], mac[3], mac[4], mac[5], tx_ref, rx_ref, port);
	return 0;
}

int plat_net_mac(uint8_t out[6])
{
	if (!tx)
		return -1;
	memcpy(out, mac, 6);
	return 0;
}

int plat_net_send(const void *frame, uint32_t len)
{
	if (!tx || len > PAGE_SIZE)
		return -1;
	memcpy(tx_page, frame, len);
	uint32_t gref = grant_access(DOM0, kva_to_mfn(tx_page), 1);
	struct netif_tx_request *r = &tx->ring[tx_prod % RING_SLOTS].req;
	r->gref = gref;
	r->offset = 0;
	r->flags = NETTXF_none;
	r->id = tx_id;
	r->size = (uint16_t)len;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	tx->h.req_prod = ++tx_prod;
	evtchn_notify(port);
	/* One frame in flight: wait for its response, then revoke the grant. */
	while (tx->h.rsp_prod == tx_cons)
		plat_idle();
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	struct netif_tx_response rsp = tx->ring[tx_cons % RING_SLOTS].rsp;
	tx_cons++;
	tx->h.rsp_event = tx_cons + 1;
	if (grant_end_access(gref) < 0)
		pv_fatal("netback still maps a tx grant after its response", (long)gref);
	if (rsp.id != tx_id++)
		pv_fatal("netif tx response for another request", (long)rsp.id);
	return rsp.status == 0 ? 0 : -1;
}

int plat_net_recv(void *buf, uint32_t cap)
{
	while (rx && rx->h.rsp_prod != rx_cons) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		struct netif_rx_response rsp = rx->ring[rx_cons % RING_SLOTS].rsp;
		rx_cons++;
		rx->h.rsp_event = rx_cons + 1;
		unsigned id = rsp.id;
		if (id >= RX_BUFFERS)
			pv_fatal("netif rx response names no buffer of ours", (long)id);
		int n = rsp.status;
		if (n > 0 && (uint32_t)n <= cap && rsp.offset + (uint32_t)n <= PAGE_SIZE)
			memcpy(buf, rx_page[id] + rsp.offset, (uint32_t)n);
		post_rx(id);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		rx->h.req_prod = rx_prod;
		evtchn_notify(port);
		if (n > 0 && (uint32_t)n <= cap)
			return n;
	}
	return 0;
}
