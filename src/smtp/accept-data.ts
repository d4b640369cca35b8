import { randomBytes } from 'node:crypto';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import addressparser from 'nodemailer/lib/addressparser';
import { acceptMessage } from '../delivery/accept.js';
import type { SpoolRecipientInput } from '../delivery/spool.js';
import { transaction } from '../store/db.js';
import { getAccountById, type Account } from '../identity/accounts.js';
import { sendAsGrant, type SendAsGrant } from '../identity/recipients.js';
import { auditDelegationUse } from '../identity/delegations.js';
import { parseHeaderBlock, fieldValues, type HeaderField } from '../shared/header-block.js';
import { DELIVERY_LIMITS } from '../shared/limits.js';
import { smtpAccepted } from '../shared/metrics.js';
import type { ListenerRole, SmtpContext, SessionUser } from './context.js';
import { receive, type IncomingMessage } from './incoming.js';
import { reject } from './refusal.js';
import { verifyInbound } from './mail-auth.js';
import { receivedHeader } from './received.js';
import { withoutForgedAuthResults } from './forged-headers.js';

/**
 * DATA: receive the message, check it, make it durable, answer. The reply is 250 only
 * after the blob is fsynced and the spool row committed (the no-loss rule).
 */
export async function acceptData(ctx: SmtpContext, role: ListenerRole, stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
  const message = await receive(stream, ctx.tmpDir);
  try {
    // RFC 1870 §6.3 / RFC 5321 §4.5.3.1.10: over the announced SIZE is 552
    if (stream.sizeExceeded) throw reject(552, '5.3.4', `the message is larger than the ${ctx.config.smtp.maxMessageBytes} bytes this server accepts`);
    const fields = parseHeaderBlock(message.head);
    // RFC 5321 §6.3: a message that has been through too many relays is looping
    if (fieldValues(fields, 'received').length > DELIVERY_LIMITS.maxReceivedHeaders) {
      throw reject(554, '5.4.6', 'mail loop: the message has passed through too many servers');
    }
    const prefix = role === 'mx' ? await mxPrefix(ctx, session, message) : await submissionPrefix(ctx, session, fields);
    const cleaned = role === 'mx' ? withoutForgedAuthResults(message.head, ctx.config.hostname) : undefined;
    const parts = async function* () {
      yield prefix;
      if (cleaned) yield cleaned.header;
      yield* message.iterate(cleaned?.resumeAt ?? 0);
    };
    const blob = await ctx.blobs.put(parts());
    const spoolId = await acceptMessage(ctx, {
      blob,
      mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address.toLowerCase() : '',
      source: role === 'mx' ? 'mx' : 'submission',
      accountId: (session.user as SessionUser | undefined)?.accountId ?? null,
      clientIp: session.remoteAddress,
      helo: session.hostNameAppearsAs,
      envelopeId: session.envelope.dsn?.envid ?? null,
      dsnRet: session.envelope.dsn?.ret ?? null,
      sessionId: session.id,
      recipients: await recipientsOf(ctx, role, session),
      expiresAt: new Date(Date.now() + ctx.config.delivery.maxQueueHours * 3600_000),
    }, () => ctx.blobs.put(parts()));
    ctx.log.info({ session: session.id, spoolId, size: blob.size, role, rcpts: session.envelope.rcptTo.length }, 'message accepted');
    smtpAccepted.inc({ listener: role });
    return `2.0.0 accepted, queued as ${spoolId}`;
  } finally {
    await message.dispose();
  }
}

async function recipientsOf(ctx: SmtpContext, role: ListenerRole, session: SMTPServerSession): Promise<SpoolRecipientInput[]> {
  const out: SpoolRecipientInput[] = [];
  for (const rcpt of session.envelope.rcptTo) {
    const route = (rcpt as { route?: 'local' | 'remote' }).route ?? 'local';
    out.push({ address: rcpt.address.toLowerCase(), route, notify: rcpt.dsn?.notify?.join(',') ?? null });
  }
  if (role !== 'mx' && session.user) out.push({ address: (session.user as SessionUser).address, route: 'sent-copy' });
  return out;
}

/** Mail from the internet: SPF, DKIM, DMARC and ARC, then the trace headers. */
async function mxPrefix(ctx: SmtpContext, session: SMTPServerSession, message: IncomingMessage): Promise<Buffer> {
  const received = receivedHeader(ctx.config.hostname, session, 'mx');
  if (!ctx.config.smtp.verifyInbound) return Buffer.from(received);
  const verdict = await verifyInbound({
    message: message.stream(),
    clientIp: session.remoteAddress,
    helo: session.hostNameAppearsAs,
    mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    hostname: ctx.config.hostname,
    resolver: ctx.resolver,
    rejectDmarcFailures: ctx.config.smtp.rejectDmarcFailures,
  });
  if (verdict.reject) throw reject(verdict.reject.code, verdict.reject.enhanced, verdict.reject.message);
  return Buffer.from(received + verdict.authenticationResults.replace(/\r?\n?$/, '\r\n'));
}

/**
 * Mail from a logged-in user: every From address must be one the user may send as
 * (RFC 6409 §8 lets the submission server enforce this), and a missing Date or
 * Message-ID is added (RFC 6409 §8.2, §8.3).
 */
async function submissionPrefix(ctx: SmtpContext, session: SMTPServerSession, fields: HeaderField[]): Promise<Buffer> {
  const user = session.user as SessionUser;
  const account = await getAccountById(ctx.db, user.accountId);
  const from = fieldValues(fields, 'from');
  if (from.length !== 1) throw reject(550, '5.6.0', 'the message must have exactly one From header (RFC 5322 §3.6)');
  const addresses = flatten(addressparser(from[0]!));
  if (addresses.length === 0) throw reject(550, '5.6.0', 'the From header has no address');
  const delegated = new Map<number, Account>();
  const granted = new Map<string, SendAsGrant | undefined>();
  for (const a of addresses) {
    const grant = await sendAsGrant(ctx.db, account, a);
    if (!grant) throw reject(550, '5.7.1', `${account.address} may not send as ${a} (From header)`);
    granted.set(a.toLowerCase(), grant);
    if (grant.via === 'delegation') delegated.set(grant.mailbox.id, grant.mailbox);
  }
  // the envelope sender was allowed at MAIL FROM; here it only matters whether it used a delegation
  const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const envelopeKey = envelopeFrom.toLowerCase();
  const envelopeGrant = !envelopeFrom ? undefined : granted.has(envelopeKey) ? granted.get(envelopeKey) : await sendAsGrant(ctx.db, account, envelopeFrom);
  if (envelopeGrant?.via === 'delegation') delegated.set(envelopeGrant.mailbox.id, envelopeGrant.mailbox);
  // every use of a delegation is audited, before the message is accepted
  if (delegated.size) {
    const data = { envelopeFrom, from: addresses, recipients: session.envelope.rcptTo.map((r) => r.address), messageId: fieldValues(fields, 'message-id')[0]?.trim() ?? null };
    await transaction(ctx.db, async (client) => {
      for (const mailbox of delegated.values()) await auditDelegationUse(client, { delegate: account, mailbox, action: 'send', source: session.remoteAddress, data });
    });
  }
  let extra = receivedHeader(ctx.config.hostname, session, 'submission');
  if (fieldValues(fields, 'date').length === 0) extra += `Date: ${new Date().toUTCString().replace('GMT', '+0000')}\r\n`;
  if (fieldValues(fields, 'message-id').length === 0) {
    extra += `Message-ID: <${Date.now().toString(36)}.${randomBytes(9).toString('hex')}@${ctx.config.hostname}>\r\n`;
  }
  return Buffer.from(extra);
}

type Parsed = { address?: string; group?: Parsed[] };
function flatten(list: Parsed[]): string[] {
  return list.flatMap((a) => (a.group ? flatten(a.group) : a.address ? [a.address] : []));
}
