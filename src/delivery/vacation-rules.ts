import { fieldValues, type HeaderField } from '../shared/header-block.js';

/** Why a message gets no automatic reply whoever it was delivered to. */
export type NoReplyReason = 'null-sender' | 'auto-submitted' | 'mailing-list' | 'bulk' | 'automated-sender' | 'reply-suppressed' | 'forged-sender';

/**
 * Local parts of senders that are programs, not people: MAILER-DAEMON, owner-*, *-request
 * (RFC 3834 §2, RFC 5230 §4.6), list software and its bounce addresses (VERP/SRS
 * "list-bounces+person=..."), and the no-reply addresses of notification systems.
 */
const AUTOMATED_LOCAL_PART = /^(?:mailer-daemon|postmaster|listserv|majordomo|owner-.*|.*-owner|.*-request|.*-bounces?(?:[+=].*)?|bounces?(?:[+=-].*)?|no-?reply(?:[+.-].*)?|do-?not-?reply(?:[+.-].*)?)$/;

/**
 * The pure part of the decision: from the envelope sender and the header fields alone,
 * must this message get no automatic reply? Undefined when it may get one (the
 * recipient's own checks, in vacation.ts, follow).
 */
export function automatedMessageReason(mailFrom: string, fields: readonly HeaderField[], authservId?: string): NoReplyReason | undefined {
  // RFC 3834 §2, RFC 5230 §4.6: never to the null reverse-path (bounces, other auto-replies)
  if (!mailFrom) return 'null-sender';
  // RFC 3834 §2: MUST NOT answer a message whose Auto-Submitted is anything but "no" (§5: the keyword before any parameters)
  if (fieldValues(fields, 'auto-submitted').some((v) => v.split(';')[0]!.trim().toLowerCase() !== 'no')) return 'auto-submitted';
  // RFC 3834 §2, RFC 5230 §4.6: list mail (RFC 2369 List-* fields, RFC 2919 List-Id) gets no personal reply
  if (fields.some((f) => f.name.startsWith('list-'))) return 'mailing-list';
  // RFC 3834 §2: Precedence bulk, list or junk (RFC 2076) marks mail no one should answer
  if (fieldValues(fields, 'precedence').some((v) => /^(?:bulk|list|junk)$/i.test(v.trim()))) return 'bulk';
  // Exchange's request not to be answered automatically (MS-OXCMAIL 2.2.3.2.14): All or OOF
  if (fieldValues(fields, 'x-auto-response-suppress').some((v) => /\b(?:all|oof)\b/i.test(v))) return 'reply-suppressed';
  const localPart = mailFrom.slice(0, mailFrom.lastIndexOf('@')).toLowerCase();
  // RFC 3834 §2, RFC 5230 §4.6: owner-*, *-request, MAILER-DAEMON and their kind
  if (AUTOMATED_LOCAL_PART.test(localPart)) return 'automated-sender';
  if (authservId && senderLooksForged(fields, authservId)) return 'forged-sender';
  return undefined;
}

/**
 * Our own verdict on the MX (an Authentication-Results field of our authserv-id: the
 * MX removes forged ones, RFC 8601 §5) says the return path is not the sender's: DMARC
 * failed, or SPF failed and no DKIM signature passed. Answering would send the reply
 * to whoever was forged: backscatter, which gets a server listed as a spam source.
 */
function senderLooksForged(fields: readonly HeaderField[], authservId: string): boolean {
  const ours = fieldValues(fields, 'authentication-results').find((v) => v.split(';')[0]!.trim().toLowerCase() === authservId.toLowerCase());
  if (!ours) return false;
  return /\bdmarc=fail\b/i.test(ours) || (/\bspf=fail\b/i.test(ours) && !/\bdkim=pass\b/i.test(ours));
}
