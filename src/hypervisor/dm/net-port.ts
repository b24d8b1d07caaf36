// The network side of a virtual NIC: an Ethernet port. The emulated cvnet device (HVM) and
// the PV netback (later) each hold one; the core plugs them into a Bridge (bridge.ts) to
// connect domains. Frames are whole Ethernet frames without preamble or FCS.

export interface NetPort {
  /** Hands a frame to the network. The port copies it; the caller may reuse its buffer. */
  send(frame: Uint8Array): void;
  /**
   * Registers the receiver of frames from the network (one per port; a later call replaces
   * it). Frames arrive only when the network delivers them — for a Bridge, inside
   * `deliver()` — never from a host callback at an arbitrary time.
   */
  onFrame(cb: (frame: Uint8Array) => void): void;
}

/** Shortest frame a bridge forwards: destination MAC, source MAC, EtherType. */
export const ETH_HEADER_BYTES = 14;
/** Largest frame without VLAN tag or FCS (1500-byte payload). */
export const ETH_MAX_FRAME_BYTES = 1514;

/** A port connected to nothing: frames sent are dropped (a NIC with its cable unplugged). */
export class NullNetPort implements NetPort {
  sent = 0;
  send(_frame: Uint8Array): void {
    this.sent++;
  }
  onFrame(_cb: (frame: Uint8Array) => void): void {}
}
