/*
 * Table-driven CRC-32, one byte per step: a load-heavy inner loop (byte load,
 * table load, shifts, xor) that stresses the hart's load path and the
 * compressed-instruction decoder.
 */
#include "crc32.h"

#define CRC32_POLY 0xedb88320u /* 0x04C11DB7 bit-reversed */

static uint32_t table[256];

void crc32_init(void)
{
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;
		for (int bit = 0; bit < 8; bit++)
			c = (c & 1) ? (c >> 1) ^ CRC32_POLY : c >> 1;
		table[n] = c;
	}
}

uint32_t crc32_update(uint32_t crc, const uint8_t *data, size_t len)
{
	/* The pre- and post-inversion make the function chainable across calls. */
	crc = ~crc;
	for (size_t i = 0; i < len; i++)
		crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}
