import { randomUUID } from 'node:crypto';
import type { Queryable } from '../store/db.js';
import type { Account } from '../identity/accounts.js';
import { tryNormalizeAddress } from '../identity/address.js';
import { classifyRecipient } from '../identity/recipients.js';
import type { Vacation } from '../identity/preferences.js';
import { activeVacations, addressesOf, claimVacationReply } from '../identity/vacation-replies.js';
import type { ParsedMessage } from '../mail/mime/index.js';
import { serverTimeZone } from '../mail/search.js';
import { parseHeaderBlock } from '../shared/header-block.js';
import type { DeliveryContext } from './context.js';
import { encodeHeaderText, headerDate, mailboxHeader, plainTextMessage } from './plain-text-mail.js';
import { ensureBlobFile, insertSpool, type SpoolRow } from './spool.js';
import { automatedMessageReason } from './vacation-rules.js';

/** Enough of the original to hold its header section; the rules read nothing else. */
const HEADER_BYTES = 64 * 1024;

/** 'YYYY-MM-DD' of `now` in the server's time zone: the vacation's start and end are calendar days there. */
export function dayIn(timeZone: string, now: Date): string {
  // one formatter per zone: making an Intl.DateTimeFormat costs more than the rest of a delivery's vacation check
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(now);
}
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The vacation responder, inside local delivery's transaction, after the message was
 * stored in these accounts' INBOXes (a repeated delivery stores nothing and so answers
 * nothing). Each reply is recorded (`vacation_replies`) and spooled in that same
 * transaction, so a crash loses neither the message nor the reply and never sends a
 * reply twice. Returns the spool ids of the replies, for the queue after COMMIT.
 *
 * No reply (RFC 3834 §2, RFC 5230 §4.5-4.6): to the null reverse-path, Auto-Submitted
 * mail, list and bulk mail, program senders, senders our MX found forged
 * (vacation-rules.ts); to the account itself;
 * when none of the account's addresses (its own, its aliases) is in To or Cc — mail
 * that reached it by Bcc or through a distribution group is not personal mail; and
 * to a sender answered within the period.
 */
export async function answerVacations(
  db: Queryable,
  ctx: DeliveryContext,
  spool: SpoolRow,
  parsed: ParsedMessage,
  inboxed: readonly Account[],
  now = new Date(),
): Promise<number[]> {
  // the null reverse-path first: bounces and replies cost no query at all
  if (!spool.mailFrom || !inboxed.length) return [];
  const vacations = await activeVacations(db, inboxed.map((a) => a.id), dayIn(serverTimeZone(), now));
  if (!vacations.size) return [];
  const sender = tryNormalizeAddress(spool.mailFrom);
  const head = await ctx.blobs.readRange(spool.blobHash, 0, Math.min(parsed.root.bodyStart, HEADER_BYTES));
  const reason = sender ? automatedMessageReason(sender, parseHeaderBlock(head), ctx.config.hostname) : 'automated-sender';
  if (!sender || reason) {
    ctx.log.debug({ spoolId: spool.id, sender: spool.mailFrom, reason }, 'no vacation reply: automated message');
    return [];
  }
  // RFC 3834 §4: a personal responder answers the return path (the envelope sender), not From or Reply-To
  const target = await classifyRecipient(db, sender).catch(() => undefined);
  // a distribution group is no one to answer (and would answer all its members)
  if (!target || target.kind === 'unknown-local' || target.kind === 'group') return [];
  const addressed = new Set([...parsed.search.to, ...parsed.search.cc].map((a) => a.address).filter((a): a is string => a !== null));
  const replies: number[] = [];
  for (const account of inboxed) {
    const vacation = vacations.get(account.id);
    if (!vacation) continue;
    const own = await addressesOf(db, account.address);
    // never answer oneself (RFC 3834 §2: no loops between a person's own responders)
    if (own.includes(sender)) continue;
    // RFC 5230 §4.5: only mail with one of the account's addresses in To or Cc
    if (!own.some((a) => addressed.has(a))) continue;
    // RFC 5230 §4.1, RFC 3834 §2: at most one reply per sender per period
    if (!(await claimVacationReply(db, account.id, sender, vacation.days))) continue;
    const raw = vacationReply(ctx.config.hostname, account, sender, vacation, parsed, now);
    const blob = await ctx.blobs.put([raw]);
    const { id, newBlobRow } = await insertSpool(db, {
      blob,
      // RFC 3834 §3.3, RFC 5230 §5.1: the reply goes out with the null reverse-path, so nothing answers it
      mailFrom: '',
      source: 'local',
      recipients: [{ address: sender, route: target.kind === 'remote' ? 'remote' : 'local', notify: 'NEVER' }],
      expiresAt: new Date(now.getTime() + ctx.config.delivery.maxQueueHours * 3_600_000),
    });
    await ensureBlobFile(ctx.blobs, blob.hash, newBlobRow, () => ctx.blobs.put([raw]));
    ctx.log.info({ spoolId: spool.id, replySpoolId: id, account: account.address, to: sender }, 'vacation reply queued');
    replies.push(id);
  }
  return replies;
}

/** A msg-id the reply may repeat: visible ASCII only, short enough for one header line (RFC 5322 §2.1.1). */
const usableId = (id: string | null): string | undefined => (id && id.length <= 250 && /^<[\x21-\x7e]+>$/.test(id) ? id : undefined);

/** The auto-reply itself: from the account to the envelope sender, threaded under the original. */
export function vacationReply(hostname: string, account: Account, sender: string, vacation: Vacation, original: ParsedMessage, now: Date): Buffer {
  const originalSubject = original.search.subjects[0] ?? '';
  // RFC 3834 §3.1.5 / RFC 5230 §4.3: without a subject of its own, "Auto: " and the original's
  const subject = vacation.subject || `Auto: ${originalSubject}`.trim();
  const messageId = usableId(original.search.messageId);
  const threading: Array<[string, string]> = messageId
    ? [
        // RFC 5322 §3.6.4 (RFC 3834 §3.1.4): a reply names what it answers
        ['In-Reply-To', messageId],
        ['References', [...original.search.references.filter((id) => usableId(id)).slice(-10), messageId].join('\r\n ')],
      ]
    : [];
  return plainTextMessage(
    [
      ['From', mailboxHeader(account.displayName, account.address)],
      ['To', sender],
      ['Subject', encodeHeaderText(subject)],
      ['Date', headerDate(now)],
      ['Message-ID', `<${randomUUID()}@${hostname}>`],
      ...threading,
      // RFC 3834 §5.2: the keyword of a reply made automatically to one message
      ['Auto-Submitted', 'auto-replied'],
      // Exchange and Outlook send no out-of-office answer to this one
      ['X-Auto-Response-Suppress', 'All'],
    ],
    vacation.body,
  );
}
