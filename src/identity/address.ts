import { domainToASCII } from 'node:url';
import { UserError } from '../shared/errors.js';
import { SMTP_LIMITS } from '../shared/limits.js';

/**
 * Addresses are stored lower-cased in their ASCII form (IDNA for the domain); a UTF-8
 * local part (RFC 6531) is kept in NFC.
 */
export function normalizeDomain(input: string): string {
  const trimmed = input.trim().replace(/\.$/, '').normalize('NFC').toLowerCase();
  const ascii = domainToASCII(trimmed);
  // RFC 5321 §4.5.3.1.2: a domain is at most 255 octets
  if (!ascii || ascii.length > SMTP_LIMITS.domainOctets || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(ascii)) {
    throw new UserError('invalid-domain', `"${input}" is not a valid domain name`);
  }
  return ascii;
}

export interface ParsedAddress {
  local: string;
  domain: string;
  address: string;
}

export function parseAddress(input: string): ParsedAddress {
  const s = input.trim();
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) throw new UserError('invalid-address', `"${input}" is not an email address (expected name@domain)`);
  const local = s.slice(0, at).normalize('NFC').toLowerCase();
  // RFC 5321 §4.5.3.1.1: a local part is at most 64 octets
  if (Buffer.byteLength(local) > SMTP_LIMITS.localPartOctets) {
    throw new UserError('invalid-address', `the part before @ in "${input}" is longer than 64 octets`);
  }
  if (/[\s<>()\[\]\\,;:@"]/.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    throw new UserError('invalid-address', `"${input}" has characters not allowed before the @`);
  }
  const domain = normalizeDomain(s.slice(at + 1));
  return { local, domain, address: `${local}@${domain}` };
}

export const normalizeAddress = (input: string) => parseAddress(input).address;

/** Like normalizeAddress, but undefined instead of an error. */
export function tryNormalizeAddress(input: string): string | undefined {
  try {
    return normalizeAddress(input);
  } catch {
    return undefined;
  }
}
