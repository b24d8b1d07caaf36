/* CRC-32 as in zlib/PNG/Ethernet (reflected, polynomial 0xEDB88320). */
#ifndef BENCH_CRC32_H
#define BENCH_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Builds the 256-entry table; call once before crc32_update. */
void crc32_init(void);
/* Continues a CRC: start with crc = 0; the result is the CRC of all bytes so far. */
uint32_t crc32_update(uint32_t crc, const uint8_t *data, size_t len);

#endif
