import { z } from 'zod';

/** Pieces several routes share. Keys are snake_case on the wire. */
export const timestamp = z.string().describe('ISO 8601 date and time, UTC');
export const iso = (d: Date) => d.toISOString();
export const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export const addressParam = z.strictObject({ address: z.string().min(3).max(320).describe('an e-mail address') });
export const domainParam = z.strictObject({ name: z.string().min(1).max(253).describe('a domain name') });
export const agencyParam = z.strictObject({ code: z.string().min(1).max(64).describe('an agency code') });

export const agencyCode = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, '1-64 letters, digits, ".", "_" or "-"');
