/*
 * Net ping-pong between two domains on one bridge. "ping" sends K packets
 * with a sequence number, a payload of varying size and its CRC; "pong"
 * echoes each one back. Ping retransmits when no echo comes within a
 * timeout (the peer may still be booting, and frames sent before its NIC is
 * up are lost); pong counts each sequence number once. Ping ends the session
 * with a DONE packet. Both sides print the CRC of all payloads: the two
 * numbers must agree, and must be the same on HVM and PV.
 */
#include "ulib.h"

#define K 16
#define ETHERTYPE 0x88b5 /* IEEE 802 local experimental */
#define MAGIC 0x50505643u /* "CVPP" */
#define T_PING 1
#define T_PONG 2
#define T_DONE 3
#define RETRY_US 20000
#define MAX_TRIES 500 /* 10 s of virtual time for the peer to come up */

struct pp {
	uint8_t dst[6], src[6];
	uint8_t type_hi, type_lo; /* ethertype, big-endian */
	uint32_t magic;
	uint16_t kind, seq;
	uint32_t len, crc;
	uint8_t payload[1460];
} __attribute__((packed));

#define HDR (sizeof(struct pp) - 1460)

static struct pp tx, rx;
static uint8_t mac[6];
static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static uint32_t payload_len(unsigned seq)
{
	return 32 + (seq * 97) % 1400;
}

static uint64_t build(const uint8_t dst[6], unsigned kind, unsigned seq)
{
	memcpy(tx.dst, dst, 6);
	memcpy(tx.src, mac, 6);
	tx.type_hi = ETHERTYPE >> 8;
	tx.type_lo = ETHERTYPE & 0xff;
	tx.magic = MAGIC;
	tx.kind = (uint16_t)kind;
	tx.seq = (uint16_t)seq;
	tx.len = kind == T_DONE ? 0 : payload_len(seq);
	fill_pattern(tx.payload, tx.len, 0x9e3779b9u * (seq + 1));
	tx.crc = crc32(0, tx.payload, tx.len);
	return HDR + tx.len;
}

/* A valid ping-pong packet of `kind` received in `rx`, or 0. */
static int valid(int64_t n, unsigned kind)
{
	return n >= (int64_t)HDR && rx.type_hi == (ETHERTYPE >> 8) && rx.type_lo == (ETHERTYPE & 0xff) && rx.magic == MAGIC &&
	       rx.kind == kind && rx.len <= sizeof rx.payload && (int64_t)(HDR + rx.len) <= n && crc32(0, rx.payload, rx.len) == rx.crc;
}

static int ping(void)
{
	uint8_t peer[6];
	memcpy(peer, broadcast, 6);
	uint32_t total = 0;
	uint64_t bytes = 0, rtt_min = ~0UL, rtt_max = 0, rtt_sum = 0;
	unsigned ok = 0, resent = 0;
	for (unsigned seq = 0; seq < K; seq++) {
		int got = 0;
		for (unsigned tries = 0; !got && tries < MAX_TRIES; tries++) {
			uint64_t len = build(peer, T_PING, seq);
			resent += tries > 0;
			int64_t t0 = sys_time_us();
			if (sys_net_send(&tx, len) != 0)
				return printf("net: ping: FAILED to send\n"), 1;
			/* Wait for this echo; stale echoes of earlier retransmissions are skipped. */
			for (;;) {
				int64_t n = sys_net_recv(&rx, sizeof rx, RETRY_US);
				if (n <= 0)
					break;
				if (!valid(n, T_PONG) || rx.seq != seq)
					continue;
				if (rx.len != tx.len || memcmp(rx.payload, tx.payload, tx.len) != 0)
					return printf("net: ping: echo %u differs from what was sent\n", seq), 1;
				uint64_t rtt = (uint64_t)(sys_time_us() - t0);
				rtt_min = rtt < rtt_min ? rtt : rtt_min;
				rtt_max = rtt > rtt_max ? rtt : rtt_max;
				rtt_sum += rtt;
				memcpy(peer, rx.src, 6); /* unicast from now on */
				got = 1;
				break;
			}
		}
		if (!got)
			return printf("net: ping: FAILED, no echo for packet %u\n", seq), 1;
		ok++;
		bytes += tx.len;
		total = crc32(total, tx.payload, tx.len);
	}
	uint64_t len = build(peer, T_DONE, K);
	sys_net_send(&tx, len);
	printf("net: ping: %u/%d round trips, %lu payload bytes each way, crc32=%08x, ok\n", ok, K, bytes, total);
	/* Timing depends on the platform and the peer: informational, not a result line. */
	printf("info: net rtt min %luus avg %luus max %luus, %u retransmissions\n", rtt_min, rtt_sum / K, rtt_max, resent);
	return 0;
}

static int pong(void)
{
	uint32_t total = 0;
	uint64_t bytes = 0;
	unsigned next = 0, idle = 0;
	for (;;) {
		int64_t n = sys_net_recv(&rx, sizeof rx, 100000);
		if (n == 0) {
			if (++idle > 300) /* 30 s without a packet: the ping side is gone */
				return printf("net: pong: FAILED, timed out after %u packets\n", next), 1;
			continue;
		}
		idle = 0;
		if (valid(n, T_DONE))
			break;
		if (!valid(n, T_PING) || rx.seq > next)
			continue;
		if (rx.seq == next) {
			total = crc32(total, rx.payload, rx.len);
			bytes += rx.len;
			next++;
		}
		/* Echo in place: swap the addresses, change the kind. */
		uint64_t len = HDR + rx.len;
		memcpy(rx.dst, rx.src, 6);
		memcpy(rx.src, mac, 6);
		rx.kind = T_PONG;
		if (sys_net_send(&rx, len) != 0)
			return printf("net: pong: FAILED to send\n"), 1;
	}
	int ok = next == K;
	printf("net: pong: echoed %u/%d packets, %lu payload bytes, crc32=%08x, %s\n", next, K, bytes, total, ok ? "ok" : "INCOMPLETE");
	return !ok;
}

int net_workload(const char *role)
{
	if (sys_net_info(mac) != 0) {
		printf("net: FAILED, role=%s but no network interface\n", role);
		return 1;
	}
	if (strcmp(role, "ping") == 0)
		return ping();
	if (strcmp(role, "pong") == 0)
		return pong();
	printf("net: FAILED, unknown role=%s (ping or pong)\n", role);
	return 1;
}
