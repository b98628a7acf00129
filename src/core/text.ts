// Text on the wire: the slides' codecs (ascii, latin1, utf-8, utf-16le). Decoding never throws:
// invalid bytes become U+FFFD. Encoding never throws: characters a codec cannot carry become '?'.

export const ENCODINGS = ['utf-8', 'ascii', 'latin1', 'utf-16le'] as const;
export type Encoding = (typeof ENCODINGS)[number];

export function parseEncoding(name: string): Encoding | undefined {
  const n = name.toLowerCase().replace(/_/g, '-');
  if (n === 'utf8' || n === 'utf-8') return 'utf-8';
  if (n === 'ascii' || n === 'us-ascii') return 'ascii';
  if (n === 'latin1' || n === 'latin-1' || n === 'iso-8859-1') return 'latin1';
  if (n === 'utf-16le' || n === 'utf16le' || n === 'utf-16') return 'utf-16le';
  return undefined;
}

/** Bytes per code unit: how a line terminator is laid out in this encoding. */
export function unitSize(enc: Encoding): 1 | 2 {
  return enc === 'utf-16le' ? 2 : 1;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });
const utf16Decoder = new TextDecoder('utf-16le', { fatal: false });

export function decodeText(bytes: Uint8Array, enc: Encoding): string {
  switch (enc) {
    case 'utf-8':
      return utf8Decoder.decode(bytes);
    case 'utf-16le':
      return utf16Decoder.decode(bytes);
    case 'latin1':
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    case 'ascii': {
      let out = '';
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i]!;
        out += b < 0x80 ? String.fromCharCode(b) : '\ufffd';
      }
      return out;
    }
  }
}

export function encodeText(text: string, enc: Encoding): Buffer {
  switch (enc) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-16le':
      return Buffer.from(text, 'utf16le');
    case 'latin1':
      return Buffer.from(text.replace(/[^\u0000-\u00ff]/g, '?'), 'latin1');
    case 'ascii':
      return Buffer.from(text.replace(/[^\u0000-\u007f]/g, '?'), 'latin1');
  }
}
