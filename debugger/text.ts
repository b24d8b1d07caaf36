// Plain-text formatting shared by the panes and `chronovisor debug --print`: hex numbers,
// hex/ASCII dump rows, objdump-style instruction text, fixed-width cells.

export function hex64(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16).padStart(16, '0');
}

/** An address as short as it can be while lining up: 8 digits below 4 GiB, else 16. */
export function hexAddr(v: bigint, wide = false): string {
  const s = BigInt.asUintN(64, v).toString(16);
  return s.padStart(wide || s.length > 8 ? 16 : 8, '0');
}

/** Fits text into exactly `width` columns (cut with an ellipsis, or padded). */
export function cell(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? '…' : text.slice(0, width - 1) + '…';
  return text.padEnd(width);
}

/** objdump separates mnemonic and operands with a tab; columns need spaces. */
export function insnText(text: string): string {
  const i = text.indexOf('\t');
  if (i < 0) return text;
  const mnemonic = text.slice(0, i);
  return (mnemonic.length < 8 ? mnemonic.padEnd(8) : mnemonic + ' ') + text.slice(i + 1);
}

export function printable(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
}

/** One dump row: `80000560  05 00 00 00 …  |....|`; unreadable bytes show as `--`. */
export function dumpRow(address: bigint, bytes: Uint8Array, valid: boolean[], from: number, count: number): string {
  let hexPart = '';
  let ascii = '';
  for (let i = 0; i < count; i++) {
    const k = from + i;
    const ok = k < bytes.length && valid[k];
    hexPart += (ok ? bytes[k].toString(16).padStart(2, '0') : '--') + (i === count - 1 ? '' : ' ');
    ascii += ok ? printable(bytes[k]) : ' ';
  }
  return `${hexAddr(address + BigInt(from))}  ${hexPart}  |${ascii}|`;
}

/** Renders lines with `\n` so text of any length stays on its lines. */
export function joinLines(lines: string[]): string {
  return lines.join('\n');
}
