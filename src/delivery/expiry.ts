import type { RecipientOutcome } from './spool.js';

/** RFC 3463 §3.5: X.4.7 — the message stayed in the queue past its lifetime. */
export function expireIfDue(o: RecipientOutcome, expired: boolean): RecipientOutcome {
  if (o.status !== 'deferred' || !expired) return o;
  return { ...o, status: 'failed', code: '4.4.7', message: `delivery time expired; last error: ${o.message}` };
}
