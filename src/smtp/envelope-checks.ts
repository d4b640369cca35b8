import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import { classifyRecipient, classifyRecipients, maySendAs, type RecipientClass } from '../identity/recipients.js';
import { parseAddress } from '../identity/address.js';
import { Coalescer, coalescerPer } from '../shared/coalesce.js';
import { getAccountById } from '../identity/accounts.js';
import { mayPostToGroup, type GroupSender } from '../identity/groups.js';
import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { SMTP_LIMITS } from '../shared/limits.js';
import type { ListenerRole, SmtpContext, SessionUser } from './context.js';
import { reject } from './refusal.js';
import { withinMessageRate } from './rate-limits.js';

/** MAIL FROM: rate, path length and, on submission, that the user owns the sender address. */
export async function checkMailFrom(ctx: SmtpContext, role: ListenerRole, address: SMTPServerAddress, session: SMTPServerSession) {
  // RFC 5321 §4.5.3.1.3: a path is at most 256 octets
  if (Buffer.byteLength(address.address) > SMTP_LIMITS.pathOctets) throw reject(501, '5.1.7', 'the sender address is longer than 256 octets');
  const perMinute = ctx.config.smtp.maxMessagesPerIpPerMinute;
  if (!(await withinMessageRate(ctx.redis, ctx.config.redisPrefix, session.remoteAddress, perMinute))) {
    throw reject(451, '4.7.1', `too many messages from ${session.remoteAddress}; please wait a minute and try again`);
  }
  if (role === 'mx') return;
  const user = session.user as SessionUser | undefined;
  if (!user) throw reject(530, '5.7.0', 'please log in (AUTH) before sending');
  const account = await getAccountById(ctx.db, user.accountId);
  // RFC 6409 §6.1: the submission server may check that the sender is the user's own
  if (!(await maySendAs(ctx.db, account, address.address))) {
    throw reject(553, '5.7.1', `${account.address} may not send as <${address.address}>`);
  }
}

/** RCPT TO: count, syntax, and the relay rule. Returns the route of the recipient. */
export async function checkRcptTo(ctx: SmtpContext, role: ListenerRole, address: SMTPServerAddress, session: SMTPServerSession): Promise<'local' | 'remote'> {
  // RFC 5321 §4.5.3.1.8: too many recipients is 452, and the client sends the rest later
  if (session.envelope.rcptTo.length >= ctx.config.smtp.maxRecipients) {
    throw reject(452, '4.5.3', `too many recipients; at most ${ctx.config.smtp.maxRecipients} in one message`);
  }
  if (Buffer.byteLength(address.address) > SMTP_LIMITS.pathOctets) throw reject(501, '5.1.3', 'the recipient address is longer than 256 octets');
  const sender = { accountId: (session.user as SessionUser | undefined)?.accountId ?? null, address: session.envelope.mailFrom ? session.envelope.mailFrom.address.toLowerCase() : '' };
  return checkRecipient(ctx.db, address.address, sender, role !== 'mx', (input) => recipientLookupOf(ctx).submit(parseAddress(input)));
}

/** RCPT TO lookups of concurrent sessions go to PostgreSQL as one query. */
const recipientLookupOf = coalescerPer(
  (ctx: SmtpContext) => new Coalescer<{ address: string; domain: string }, RecipientClass>((inputs) => classifyRecipients(ctx.db, inputs), { maxBatch: 64, parallel: 2 }),
);

/**
 * Whether a message may go to one recipient, as RCPT TO decides it (and the webmail's
 * compose, which applies the same rules): a known, active, not full local mailbox, a
 * group whose posting rule lets the sender in, or, for a logged-in sender only, another
 * domain. Throws SmtpReject with the code RCPT answers; returns the recipient's route.
 */
export async function checkRecipient(
  db: Queryable,
  input: string,
  sender: GroupSender,
  mayRelay: boolean,
  classify: (input: string) => Promise<RecipientClass> = (i) => classifyRecipient(db, i),
): Promise<'local' | 'remote'> {
  let c;
  try {
    c = await classify(input);
  } catch (err) {
    if (err instanceof UserError) throw reject(501, '5.1.3', `<${input}> is not a valid address`);
    throw err;
  }
  if (c.kind === 'unknown-local') throw reject(550, '5.1.1', `there is no mailbox <${c.address}> here`);
  if (c.kind === 'group') {
    const verdict = await mayPostToGroup(db, c.group, sender);
    // RFC 3463 §3.8: X.7.1 delivery not authorized — the group's posting rule refuses this sender
    if (!verdict.allowed) throw reject(550, '5.7.1', verdict.reason);
    return 'local';
  }
  if (c.kind === 'account' && c.account.status !== 'active') throw reject(550, '5.2.1', `the mailbox <${c.address}> is disabled`);
  // RFC 3463 §3.3: X.2.2 mailbox full — temporary, so the sending server keeps the message and retries
  if (c.kind === 'account' && c.account.quotaBytes > 0 && c.usedBytes + 1 > c.account.quotaBytes) {
    throw reject(452, '4.2.2', `the mailbox <${c.address}> is full; please try again later`);
  }
  if (c.kind === 'remote') {
    // never an open relay: only authenticated users send to other domains
    if (!mayRelay) throw reject(550, '5.7.1', `relaying denied: this server accepts mail only for its own domains, not for ${c.domain}`);
    return 'remote';
  }
  return 'local';
}
