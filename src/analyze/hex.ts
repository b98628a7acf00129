// Hex and ASCII dump of a frame, laid out like `tcpdump -X`: offset, eight 16-bit groups, ASCII.

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function hexAscii(b: Uint8Array, indent = '\t'): string {
  let out = '';
  for (let o = 0; o < b.length; o += 16) {
    const n = Math.min(16, b.length - o);
    let hex = '';
    let asc = '';
    for (let i = 0; i < 16; i++) {
      if (i < n) {
        const c = b[o + i]!;
        hex += HEX[c];
        asc += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
      } else hex += '  ';
      if (i % 2 === 1) hex += ' ';
    }
    out += `${indent}0x${o.toString(16).padStart(4, '0')}:  ${hex} ${asc}\n`;
  }
  return out;
}
