import type { RecipientOutcome } from './spool.js';

/**
 * A temporary failure past the message's lifetime becomes final. The report keeps the
 * last status code (the sender learns why: mailbox full, host unreachable...), and
 * says the time ran out, as RFC 3464 §2.3.3 allows for Action: failed.
 */
export function expireIfDue(o: RecipientOutcome, expired: boolean): RecipientOutcome {
  if (o.status !== 'deferred' || !expired) return o;
  return { ...o, status: 'failed', message: `gave up: the message could not be delivered in time; last error: ${o.message}` };
}
