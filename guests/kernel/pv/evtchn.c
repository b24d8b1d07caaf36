/*
 * Event channels, 2-level (§5): the hypervisor sets a port's pending bit in
 * shared_info, then the selector bit of its word and upcall_pending in our
 * vcpu_info. evtchn_dispatch does the guest half: clear upcall_pending,
 * take the selector, and for each pending unmasked port clear its bit
 * (atomically: the hypervisor may set other bits of the word meanwhile) and
 * run its handler. It runs from the upcall callback while the user program
 * runs, and after SCHEDOP_poll when the kernel idles.
 */
#include "pv.h"
#include "plat.h"

#define MAX_PORTS 128

static evtchn_handler handlers[MAX_PORTS];

/* Lowest set bit of a non-zero word (rv64gc has no ctz; libgcc is not linked). */
static unsigned lowest_bit(uint64_t x)
{
	unsigned n = 0;
	while (!(x & 1)) {
		x >>= 1;
		n++;
	}
	return n;
}
static uint32_t poll_ports[8];
static unsigned nr_poll_ports;
static uint64_t upcalls;

void evtchn_init(void)
{
	/* Upcalls are masked at entry (§3.2) and stay masked in the kernel; only iret to user unmasks. */
	shared_info->vcpu_info[0].evtchn_upcall_mask = 1;
}

void evtchn_bind(unsigned port, evtchn_handler h)
{
	if (port == 0 || port >= MAX_PORTS || nr_poll_ports == sizeof poll_ports / sizeof poll_ports[0])
		pv_fatal("event channel port out of the kernel's range", port);
	handlers[port] = h;
	poll_ports[nr_poll_ports++] = port;
	__atomic_fetch_and(&shared_info->evtchn_mask[port / 64], ~(1UL << (port % 64)), __ATOMIC_SEQ_CST);
	struct {
		uint32_t port;
	} op = { port };
	hyp_evtchn_op(EVTCHNOP_unmask, &op);
}

unsigned evtchn_bind_virq(unsigned virq, evtchn_handler h)
{
	struct {
		uint32_t virq, vcpu, port;
	} op = { virq, 0, 0 };
	long rc = hyp_evtchn_op(EVTCHNOP_bind_virq, &op);
	if (rc < 0)
		pv_fatal("event_channel_op bind_virq", rc);
	evtchn_bind(op.port, h);
	return op.port;
}

unsigned evtchn_alloc_unbound(unsigned remote_dom, evtchn_handler h)
{
	struct {
		uint16_t dom, remote_dom;
		uint32_t port;
	} op = { DOMID_SELF, (uint16_t)remote_dom, 0 };
	long rc = hyp_evtchn_op(EVTCHNOP_alloc_unbound, &op);
	if (rc < 0)
		pv_fatal("event_channel_op alloc_unbound", rc);
	evtchn_bind(op.port, h);
	return op.port;
}

void evtchn_notify(unsigned port)
{
	struct {
		uint32_t port;
	} op = { port };
	long rc = hyp_evtchn_op(EVTCHNOP_send, &op);
	if (rc < 0)
		pv_fatal("event_channel_op send", rc);
}

void evtchn_dispatch(void)
{
	struct vcpu_info *vi = &shared_info->vcpu_info[0];
	vi->evtchn_upcall_pending = 0;
	uint64_t sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	/* Our ports are all in word 0, but a selector bit is honoured for any word. */
	sel |= 1;
	while (sel) {
		unsigned w = (unsigned)lowest_bit(sel);
		sel &= sel - 1;
		uint64_t pend = shared_info->evtchn_pending[w] & ~shared_info->evtchn_mask[w];
		while (pend) {
			unsigned b = (unsigned)lowest_bit(pend);
			pend &= pend - 1;
			unsigned port = w * 64 + b;
			__atomic_fetch_and(&shared_info->evtchn_pending[w], ~(1UL << b), __ATOMIC_SEQ_CST);
			if (port < MAX_PORTS && handlers[port])
				handlers[port](port);
		}
	}
}

void evtchn_count_upcall(void)
{
	upcalls++;
}

uint64_t evtchn_upcalls(void)
{
	return upcalls;
}

/* An upcall or event while the user program ran. */
void plat_interrupt(uint64_t cause)
{
	if (cause != EVENT_UPCALL)
		panic("unexpected asynchronous trap cause 0x%lx", cause);
	upcalls++;
	evtchn_dispatch();
}

/*
 * Idle with upcalls masked: SCHEDOP_poll returns as soon as one of our ports
 * is pending (at once if one already is), so no event can slip in between
 * the caller's check and the wait. Then handle what arrived.
 */
void plat_idle(void)
{
	struct {
		uint64_t ports;
		uint32_t nr_ports, pad;
		uint64_t timeout;
	} poll = { (uint64_t)poll_ports, nr_poll_ports, 0, 0 };
	long rc = hyp_sched_op(SCHEDOP_poll, &poll);
	if (rc < 0)
		pv_fatal("sched_op poll", rc);
	evtchn_dispatch();
}
