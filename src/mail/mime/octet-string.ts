import type { OctetString } from './types.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Stores header octets losslessly: UTF-8 text when it is clean, base64 otherwise. */
export function toOctetString(bytes: Uint8Array): OctetString {
  if (!bytes.includes(0)) {
    try {
      return strictUtf8.decode(bytes);
    } catch {
      // not UTF-8: keep the exact octets
    }
  }
  return { base64: Buffer.from(bytes).toString('base64') };
}

export function octetBytes(value: OctetString): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.base64, 'base64');
}
