/*
 * blkfront (§10, Xen's io/blkif.h): the first vbd xenstore lists, one
 * shared ring page granted to the backend, one event channel. A request
 * moves up to PLAT_DISK_MAX_SECTORS through up to 4 segments, one granted
 * page each; the grants last for the request only and are revoked after the
 * response, which fails loudly if the backend still holds a mapping.
 */
#include "pv.h"
#include "plat.h"
#include "lib.h"
#include "riscv.h"

#define BLKIF_OP_READ 0
#define BLKIF_OP_WRITE 1
#define BLKIF_MAX_SEGMENTS 11
#define SECTORS_PER_PAGE 8
#define RING_SLOTS 32 /* (4096 - 64) / 112 rounded down to a power of two */

struct blkif_segment {
	uint32_t gref;
	uint8_t first_sect, last_sect;
	uint16_t pad;
};

struct blkif_request {
	uint8_t operation;
	uint8_t nr_segments;
	uint16_t handle;
	uint32_t pad;
	uint64_t id;
	uint64_t sector_number;
	struct blkif_segment seg[BLKIF_MAX_SEGMENTS];
};

struct blkif_response {
	uint64_t id;
	uint8_t operation;
	uint8_t pad;
	int16_t status;
};

union blkif_slot {
	struct blkif_request req;
	struct blkif_response rsp;
};

struct blkif_sring {
	volatile uint32_t req_prod, req_event, rsp_prod, rsp_event;
	uint8_t pad[48];
	union blkif_slot ring[RING_SLOTS];
};

_Static_assert(sizeof(struct blkif_request) == 112, "blkif request layout");
_Static_assert(sizeof(union blkif_slot) == 112, "blkif slot size");

static struct blkif_sring *sring;
static uint32_t req_prod_pvt, rsp_cons;
static unsigned port;
static uint64_t sectors;
static uint16_t handle;
static uint64_t requests;

static void blk_event(unsigned p)
{
	(void)p; /* plat_disk_io re-checks the ring */
}

uint64_t plat_disk_sectors(void)
{
	return sectors;
}

uint64_t blkfront_requests(void)
{
	return requests;
}

/* Waits until the xenstore key `path` reads `want`. */
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

int blkfront_init(void)
{
	char names[128], path[96], buf[32];
	if (xs_directory("device/vbd", names, sizeof names) <= 0)
		return -1;
	const char *devid = names; /* the first disk */
	snprintf_(path, sizeof path, "device/vbd/%s/backend-id", devid);
	if (xs_read(path, buf, sizeof buf) <= 0 || strcmp(buf, "0") != 0)
		pv_fatal("vbd backend is not domain 0", 0);
	snprintf_(path, sizeof path, "device/vbd/%s/sectors", devid);
	uint64_t n = 0;
	if (xs_read_int(path, &n) < 0 || n == 0)
		pv_fatal("vbd has no sectors key", 0);
	handle = (uint16_t)parse_u64(devid);

	sring = pv_alloc_page();
	sring->req_event = 1;
	sring->rsp_event = 1;
	uint32_t gref = grant_access(DOM0, kva_to_mfn(sring), 0);
	port = evtchn_alloc_unbound(DOM0, blk_event);

	snprintf_(path, sizeof path, "device/vbd/%s/ring-ref", devid);
	xs_write_int(path, gref);
	snprintf_(path, sizeof path, "device/vbd/%s/event-channel", devid);
	xs_write_int(path, port);
	snprintf_(path, sizeof path, "device/vbd/%s/state", devid);
	xs_write(path, "3"); /* XenbusStateInitialised: the backend connects */
	wait_state(path, "4");
	sectors = n;

	snprintf_(path, sizeof path, "device/vbd/%s/mode", devid);
	int ro = xs_read(path, buf, sizeof buf) > 0 && strcmp(buf, "r") == 0;
	kprintf("pv: blkfront vbd %s: %lu sectors%s, ring-ref %u, event channel %u\n", devid, n, ro ? ", read-only" : "", gref, port);
	return 0;
}

int plat_disk_io(int write, uint64_t sector, void *buf, uint32_t count)
{
	if (!sring || count == 0 || count > PLAT_DISK_MAX_SECTORS || ((uintptr_t)buf & (PAGE_SIZE - 1)))
		return -1;
	struct blkif_request *r = &sring->ring[req_prod_pvt % RING_SLOTS].req;
	memset(r, 0, sizeof *r);
	r->operation = write ? BLKIF_OP_WRITE : BLKIF_OP_READ;
	r->handle = handle;
	r->id = requests;
	r->sector_number = sector;
	uint32_t left = count, grefs[BLKIF_MAX_SEGMENTS];
	unsigned nseg = 0;
	for (uint8_t *page = buf; left > 0; page += PAGE_SIZE, nseg++) {
		uint32_t n = left < SECTORS_PER_PAGE ? left : SECTORS_PER_PAGE;
		/* The backend only reads our page for a write, and writes it for a read. */
		r->seg[nseg].gref = grefs[nseg] = grant_access(DOM0, kva_to_mfn(page), write);
		r->seg[nseg].first_sect = 0;
		r->seg[nseg].last_sect = (uint8_t)(n - 1);
		left -= n;
	}
	r->nr_segments = (uint8_t)nseg;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	sring->req_prod = ++req_prod_pvt;
	evtchn_notify(port);

	while (sring->rsp_prod == rsp_cons)
		plat_idle();
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	struct blkif_response rsp = sring->ring[rsp_cons % RING_SLOTS].rsp;
	rsp_cons++;
	sring->rsp_event = rsp_cons + 1; /* notify us on the next response */
	requests++;
	/* The response has overwritten the request's slot: the grants are in grefs[]. */
	for (unsigned i = 0; i < nseg; i++)
		if (grant_end_access(grefs[i]) < 0)
			pv_fatal("blkback still maps a grant after its response", (long)grefs[i]);
	if (rsp.id != requests - 1)
		pv_fatal("blkif response for another request", (long)rsp.id);
	return rsp.status == 0 ? 0 : -1;
}
