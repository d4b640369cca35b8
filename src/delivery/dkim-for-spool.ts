import { findDomain } from '../identity/domains.js';
import { parseHeaderBlock, fieldValues } from '../shared/header-block.js';
import { dkimSignatureHeader } from './dkim-sign.js';
import type { DeliveryContext } from './context.js';
import type { SpoolRow } from './spool.js';

const HEAD_BYTES = 64 * 1024;

/** The domain of the first address in a From field value. */
function fromDomain(value: string | undefined): string | undefined {
  const m = /@([A-Za-z0-9.-]+)>?\s*(?:,|$)/.exec(value ?? '');
  return m?.[1]?.toLowerCase();
}

/**
 * The DKIM-Signature header for an outbound message, signed with the key of the From
 * domain (so DMARC aligns, RFC 7489 §3.1.1), or of the envelope sender's domain; none
 * when neither is a local domain with a key.
 */
export async function dkimHeaderFor(ctx: DeliveryContext, spool: SpoolRow): Promise<Buffer | undefined> {
  const head = await ctx.blobs.readRange(spool.blobHash, 0, HEAD_BYTES);
  const candidates = [fromDomain(fieldValues(parseHeaderBlock(head), 'from')[0]), spool.mailFrom.split('@')[1]?.toLowerCase()];
  for (const name of candidates) {
    if (!name) continue;
    const domain = await findDomain(ctx.db, name).catch(() => undefined);
    if (!domain?.dkimPrivateKey || !domain.dkimSelector) continue;
    const message = await ctx.blobs.read(spool.blobHash);
    const header = await dkimSignatureHeader(message, { domain: domain.name, selector: domain.dkimSelector, privateKeyPem: domain.dkimPrivateKey });
    return Buffer.from(header.endsWith('\r\n') ? header : `${header}\r\n`);
  }
  return undefined;
}
