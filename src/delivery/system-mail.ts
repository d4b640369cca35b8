import { randomUUID } from 'node:crypto';
import { listDomains } from '../identity/domains.js';
import { normalizeAddress } from '../identity/address.js';
import type { DeliveryContext } from './context.js';
import { acceptMessage } from './accept.js';
import { encodeHeaderText, headerDate, plainTextMessage } from './plain-text-mail.js';

/**
 * A notice from the server itself (the provisioning summary) to administrators: plain
 * UTF-8 text, spooled like any message, with the null reverse-path (RFC 5321 §4.5.5) so
 * a failure never bounces back to the server.
 */
export async function sendSystemMail(ctx: DeliveryContext, msg: { from: string; to: readonly string[]; subject: string; text: string }): Promise<number> {
  const to = [...new Set(msg.to.map(normalizeAddress))];
  const local = new Set((await listDomains(ctx.db)).map((d) => d.name));
  const raw = plainTextMessage(
    [
      ['From', `hopthu <${msg.from}>`],
      ['To', to.join(', ')],
      ['Subject', encodeHeaderText(msg.subject)],
      ['Date', headerDate()],
      ['Message-ID', `<${randomUUID()}@${ctx.config.hostname}>`],
      ['Auto-Submitted', 'auto-generated'],
    ],
    msg.text,
  );
  const blob = await ctx.blobs.put([raw]);
  return acceptMessage(
    ctx,
    {
      blob,
      mailFrom: '',
      source: 'local',
      recipients: to.map((address) => ({ address, route: local.has(address.slice(address.lastIndexOf('@') + 1)) ? 'local' : 'remote' })),
      expiresAt: new Date(Date.now() + ctx.config.delivery.maxQueueHours * 3_600_000),
    },
    () => ctx.blobs.put([raw]),
  );
}
