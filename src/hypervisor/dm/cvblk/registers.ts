// cvblk register map: Chronovisor's emulated block device (docs/DEVICE-MODEL.md, "cvblk").
// Every register is 32 bits, little-endian, accessed with aligned 4-byte loads/stores; a
// 64-bit quantity is a LO/HI pair that an aligned 8-byte access also reaches in one go.
// Offsets not listed read 0 and ignore writes.

/** "CVBK" in ASCII, little-endian: 'C' at the lowest address. */
export const CVBLK_MAGIC = 0x4b425643;
export const CVBLK_VERSION = 1;
/** DEVICE_ID values shared by the cv* devices. */
export const DEVICE_ID_BLOCK = 1;

export const REG_MAGIC = 0x00; // RO
export const REG_VERSION = 0x04; // RO
export const REG_DEVICE_ID = 0x08; // RO
export const REG_FEATURES = 0x0c; // RO, FEATURE_*
export const REG_CAPACITY_LO = 0x10; // RO, disk size in sectors
export const REG_CAPACITY_HI = 0x14;
export const REG_SECTOR_SIZE = 0x18; // RO, 512
export const REG_MAX_SECTORS = 0x1c; // RO, largest COUNT accepted
export const REG_SECTOR_LO = 0x20; // RW, first sector of the request
export const REG_SECTOR_HI = 0x24;
export const REG_BUFFER_LO = 0x28; // RW, guest-physical address of the data buffer
export const REG_BUFFER_HI = 0x2c;
export const REG_COUNT = 0x30; // RW, sectors to transfer
export const REG_COMMAND = 0x34; // WO (reads 0): writing starts the request, CMD_*
export const REG_STATUS = 0x38; // RO, STATUS_* of the last request
export const REG_INT_STATUS = 0x3c; // RO, INT_* bits
export const REG_INT_ACK = 0x40; // WO, write 1s to clear INT_STATUS bits
export const REG_INT_ENABLE = 0x44; // RW, INT_* bits that drive the interrupt line
export const REG_COMPLETED = 0x48; // RO, requests completed since reset (wraps at 2^32)

/** Decoded window: everything past the last register reads 0 up to the slot size. */
export const REGISTERS_END = 0x4c;

export const FEATURE_READ_ONLY = 1 << 0;
export const FEATURE_FLUSH = 1 << 1;

export const CMD_READ = 1; // disk -> guest memory
export const CMD_WRITE = 2; // guest memory -> disk
export const CMD_FLUSH = 3; // make earlier writes durable (synchronous backends: a no-op)

export const STATUS_OK = 0;
export const STATUS_IO_ERROR = 1; // the host could not read/write the image
export const STATUS_OUT_OF_RANGE = 2; // SECTOR + COUNT beyond CAPACITY
export const STATUS_READ_ONLY = 3; // CMD_WRITE to a read-only disk
export const STATUS_BAD_BUFFER = 4; // buffer not entirely inside guest RAM
export const STATUS_BAD_COUNT = 5; // COUNT 0 or above MAX_SECTORS
export const STATUS_BAD_COMMAND = 6; // unknown command value

export const INT_DONE = 1 << 0; // a request completed (successfully or not)

/** Requests are limited to 1 MiB so one MMIO write never copies unbounded data. */
export const MAX_SECTORS = 2048;
