// cvnet register map: Chronovisor's emulated NIC (docs/DEVICE-MODEL.md, "cvnet"). Same
// conventions as cvblk: 32-bit little-endian registers, aligned 4-byte accesses (8-byte
// accesses reach an 8-aligned LO/HI pair at once), unlisted offsets read 0 / ignore writes.

/** "CVNT" in ASCII, little-endian. */
export const CVNET_MAGIC = 0x544e5643;
export const CVNET_VERSION = 1;
export const DEVICE_ID_NET = 2;

export const REG_MAGIC = 0x00; // RO
export const REG_VERSION = 0x04; // RO
export const REG_DEVICE_ID = 0x08; // RO
export const REG_FEATURES = 0x0c; // RO, none defined yet (0)
export const REG_MAC_LO = 0x10; // RO, MAC bytes 0..3 (byte 0 = first on the wire, in bits 7:0)
export const REG_MAC_HI = 0x14; // RO, MAC bytes 4..5 in bits 15:0
export const REG_MAX_FRAME = 0x18; // RO, 1514: largest frame without FCS
export const REG_STATUS = 0x1c; // RO, STATUS_* bits
export const REG_TX_ADDR_LO = 0x20; // RW, guest-physical address of the frame to send
export const REG_TX_ADDR_HI = 0x24;
export const REG_TX_LEN = 0x28; // RW, frame length in bytes (14..MAX_FRAME)
export const REG_TX_COMMAND = 0x2c; // WO (reads 0): CMD_SEND sends the frame now
export const REG_TX_STATUS = 0x30; // RO, RES_* of the last send
export const REG_RX_ADDR_LO = 0x38; // RW, guest-physical address of the receive buffer
export const REG_RX_ADDR_HI = 0x3c;
export const REG_RX_CAP = 0x40; // RW, receive buffer size in bytes
export const REG_RX_COMMAND = 0x44; // WO (reads 0): CMD_RECEIVE takes the oldest queued frame
export const REG_RX_STATUS = 0x48; // RO, RES_* of the last receive
export const REG_RX_LEN = 0x4c; // RO, length of the frame the last receive took
export const REG_RX_PENDING = 0x50; // RO, frames queued in the device
export const REG_INT_STATUS = 0x54; // RO, INT_* bits
export const REG_INT_ACK = 0x58; // WO, write 1s to clear INT_STATUS bits
export const REG_INT_ENABLE = 0x5c; // RW, INT_* bits that drive the interrupt line
export const REG_TX_PACKETS = 0x60; // RO, frames sent (wraps at 2^32)
export const REG_RX_PACKETS = 0x64; // RO, frames handed to the guest
export const REG_RX_DROPPED = 0x68; // RO, frames lost: queue full, too long, or buffer too small

export const REGISTERS_END = 0x6c;

export const STATUS_LINK_UP = 1 << 0; // always set: the port is plugged into its network
export const STATUS_RX_AVAIL = 1 << 1; // RX_PENDING > 0

export const CMD_SEND = 1;
export const CMD_RECEIVE = 1;

export const RES_OK = 0;
export const RES_BAD_LENGTH = 1; // TX_LEN < 14 or > MAX_FRAME
export const RES_BAD_BUFFER = 2; // buffer not entirely inside guest RAM
export const RES_EMPTY = 3; // receive: no frame queued
export const RES_TOO_SMALL = 4; // receive: frame longer than RX_CAP; it is dropped, RX_LEN = its length
export const RES_BAD_COMMAND = 5;

export const INT_TX_DONE = 1 << 0; // a send completed (successfully or not)
export const INT_RX_READY = 1 << 1; // a frame arrived in the queue
export const INT_ALL = INT_TX_DONE | INT_RX_READY;

/** Frames the device holds for the guest; more are dropped (and counted) until it drains them. */
export const RX_QUEUE_DEPTH = 64;
