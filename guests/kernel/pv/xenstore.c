/*
 * A xenstore client (§8) over the ring page start_info names: Xen's
 * xenstore_domain_interface and xsd_sockmsg. One request at a time; watch
 * events that arrive on the response ring meanwhile are counted for
 * xs_wait_event. Paths without a leading '/' are relative to
 * /local/domain/<domid>/.
 */
#include "pv.h"
#include "plat.h"
#include "lib.h"

#define XS_DIRECTORY 1
#define XS_READ 2
#define XS_WATCH 4
#define XS_WRITE 11
#define XS_WATCH_EVENT 15
#define XS_ERROR 16
#define RING_SIZE 1024

struct xs_ring {
	char req[RING_SIZE];
	char rsp[RING_SIZE];
	volatile uint32_t req_cons, req_prod;
	volatile uint32_t rsp_cons, rsp_prod;
};

struct xsd_sockmsg {
	uint32_t type, req_id, tx_id, len;
};

static struct xs_ring *ring;
static unsigned port;
static uint32_t next_req_id = 1;
static unsigned watch_events;

static void xs_event(unsigned p)
{
	(void)p; /* the waits below re-check the ring */
}

void xs_init(void)
{
	ring = mfn_to_kva(start_info->store_mfn);
	if (!ring)
		pv_fatal("the xenstore ring is not one of our frames", (long)start_info->store_mfn);
	port = start_info->store_evtchn;
	evtchn_bind(port, xs_event);
}

static void write_bytes(const void *data, uint32_t n)
{
	const char *p = data;
	while (n > 0) {
		while (ring->req_prod - ring->req_cons >= RING_SIZE) {
			evtchn_notify(port);
			plat_idle();
		}
		uint32_t prod = ring->req_prod;
		uint32_t room = RING_SIZE - (prod - ring->req_cons);
		uint32_t chunk = n < room ? n : room;
		for (uint32_t i = 0; i < chunk; i++)
			ring->req[(prod + i) % RING_SIZE] = p[i];
		/* Bytes before the index that publishes them. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		ring->req_prod = prod + chunk;
		p += chunk;
		n -= chunk;
	}
	evtchn_notify(port);
}

static void read_bytes(void *data, uint32_t n)
{
	char *p = data;
	while (n > 0) {
		while (ring->rsp_prod == ring->rsp_cons)
			plat_idle();
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		uint32_t cons = ring->rsp_cons;
		uint32_t avail = ring->rsp_prod - cons;
		uint32_t chunk = n < avail ? n : avail;
		for (uint32_t i = 0; i < chunk; i++)
			p[i] = ring->rsp[(cons + i) % RING_SIZE];
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		ring->rsp_cons = cons + chunk;
		p += chunk;
		n -= chunk;
	}
	evtchn_notify(port);
}

static char msg_buf[4096];

/* Reads one message into msg_buf; returns its header. */
static struct xsd_sockmsg read_msg(void)
{
	struct xsd_sockmsg h;
	read_bytes(&h, sizeof h);
	if (h.len >= sizeof msg_buf)
		pv_fatal("xenstore message too long", (long)h.len);
	read_bytes(msg_buf, h.len);
	msg_buf[h.len] = 0;
	return h;
}

/* Sends a request made of NUL-terminated parts (the last one's NUL optional) and waits for its answer. */
static int request(uint32_t type, const char *a, const char *b, int b_nul, char *out, size_t cap)
{
	uint32_t la = (uint32_t)strlen(a) + 1;
	uint32_t lb = b ? (uint32_t)strlen(b) + (b_nul ? 1 : 0) : 0;
	struct xsd_sockmsg h = { type, next_req_id++, 0, la + lb };
	write_bytes(&h, sizeof h);
	write_bytes(a, la);
	if (b)
		write_bytes(b, lb);
	for (;;) {
		struct xsd_sockmsg r = read_msg();
		if (r.type == XS_WATCH_EVENT) {
			watch_events++;
			continue;
		}
		if (r.req_id != h.req_id)
			pv_fatal("xenstore answered another request", (long)r.req_id);
		if (r.type == XS_ERROR)
			return -1;
		if (out && cap) {
			size_t n = r.len < cap ? r.len : cap - 1;
			memcpy(out, msg_buf, n);
			out[n] = 0;
		}
		return (int)r.len;
	}
}

int xs_read(const char *path, char *out, size_t cap)
{
	return request(XS_READ, path, 0, 0, out, cap);
}

int xs_write(const char *path, const char *value)
{
	/* XS_WRITE: path NUL value, the value without its NUL. */
	return request(XS_WRITE, path, value, 0, 0, 0) < 0 ? -1 : 0;
}

int xs_directory(const char *path, char *out, size_t cap)
{
	int n = request(XS_DIRECTORY, path, 0, 0, out, cap);
	if (n < 0)
		return -1;
	int count = 0;
	for (int i = 0; i < n && (size_t)i < cap; i++)
		count += out[i] == 0;
	return count;
}

int xs_watch(const char *path, const char *token)
{
	return request(XS_WATCH, path, token, 1, 0, 0) < 0 ? -1 : 0;
}

void xs_wait_event(void)
{
	while (watch_events == 0) {
		struct xsd_sockmsg r = read_msg();
		if (r.type == XS_WATCH_EVENT)
			watch_events++;
	}
	watch_events--;
}

int xs_read_int(const char *path, uint64_t *out)
{
	char buf[32];
	if (xs_read(path, buf, sizeof buf) <= 0)
		return -1;
	*out = parse_u64(buf);
	return 0;
}

int xs_write_int(const char *path, uint64_t v)
{
	char buf[24];
	snprintf_(buf, sizeof buf, "%lu", v);
	return xs_write(path, buf);
}
