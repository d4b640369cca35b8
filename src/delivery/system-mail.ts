import { randomUUID } from 'node:crypto';
import { listDomains } from '../identity/domains.js';
import { normalizeAddress } from '../identity/address.js';
import type { DeliveryContext } from './context.js';
import { acceptMessage } from './spool.js';

/** RFC 2047 §4.1 B-encoding of a header text that is not plain ASCII. */
const encodeHeader = (text: string) => (/^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`);

/**
 * A notice from the server itself (the provisioning summary) to administrators: plain
 * UTF-8 text, spooled like any message, with the null reverse-path (RFC 5321 §4.5.5) so
 * a failure never bounces back to the server.
 */
export async function sendSystemMail(ctx: DeliveryContext, msg: { from: string; to: readonly string[]; subject: string; text: string }): Promise<number> {
  const to = [...new Set(msg.to.map(normalizeAddress))];
  const local = new Set((await listDomains(ctx.db)).map((d) => d.name));
  const body = Buffer.from(msg.text.normalize('NFC'), 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  const raw = Buffer.from(
    [
      `From: hopthu <${msg.from}>`,
      `To: ${to.join(', ')}`,
      `Subject: ${encodeHeader(msg.subject)}`,
      `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: <${randomUUID()}@${ctx.config.hostname}>`,
      'Auto-Submitted: auto-generated',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      body,
      '',
    ].join('\r\n'),
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
