import type { Queryable } from '../store/db.js';

export interface TracedRecipient {
  recipient: string;
  route: 'local' | 'remote' | 'sent-copy';
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastCode: string | null;
  lastError: string | null;
  remoteMta: string | null;
  nextAttemptAt: string | null;
}

export interface TracedSpool {
  spoolId: number;
  receivedAt: string;
  source: string;
  mailFrom: string;
  clientIp: string | null;
  helo: string | null;
  /** the SMTP session that handed it in (the id in the Received header and the logs) */
  session: string | null;
  doneAt: string | null;
  recipients: TracedRecipient[];
}

export interface TracedCopy {
  account: string;
  folder: string;
  uid: number;
  internalDate: string;
}

export interface Trace {
  messageId: string;
  /** each time the message was accepted (SMTP, a bounce made here) and what became of each recipient */
  accepted: TracedSpool[];
  /** where copies of it are now (mailboxes here) */
  copies: TracedCopy[];
}

/** "<id@host>" as stored, whether it was given with its angle brackets or without */
export const normalizeMessageId = (input: string) => `<${input.trim().replace(/^<|>$/g, '')}>`;

/**
 * Where a message went, by its Message-ID: every acceptance of it with each recipient's
 * fate (delivered, waiting and why, failed with which code and from which server), and
 * every mailbox holding a copy. For the postmaster's "did my mail arrive?".
 */
export async function traceMessage(db: Queryable, input: string): Promise<Trace> {
  const messageId = normalizeMessageId(input);
  const { rows: accepted } = await db.query<TracedSpool>(
    `SELECT s.id AS "spoolId", to_char(s.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "receivedAt",
            s.source, s.mail_from AS "mailFrom", s.client_ip AS "clientIp", s.helo, s.session_id AS session,
            to_char(s.done_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "doneAt",
            COALESCE((SELECT json_agg(json_build_object(
                'recipient', r.recipient, 'route', r.route, 'status', r.status, 'attempts', r.attempts,
                'lastCode', r.last_code, 'lastError', r.last_error, 'remoteMta', r.remote_mta,
                'nextAttemptAt', CASE WHEN r.status = 'pending' THEN to_char(r.next_attempt_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END)
              ORDER BY r.route, r.recipient) FROM spool_recipients r WHERE r.spool_id = s.id), '[]') AS recipients
       FROM spool s JOIN blobs b ON b.hash = s.blob_hash
      WHERE b.parsed->'search'->>'messageId' = $1
      ORDER BY s.id`,
    [messageId],
  );
  const { rows: copies } = await db.query<TracedCopy>(
    `SELECT a.address AS account, mb.name AS folder, m.uid, to_char(m.internal_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "internalDate"
       FROM messages m JOIN mailboxes mb ON mb.id = m.mailbox_id JOIN accounts a ON a.id = mb.account_id
      WHERE m.blob_hash IN (SELECT hash FROM blobs WHERE parsed->'search'->>'messageId' = $1)
      ORDER BY a.address, mb.name, m.uid`,
    [messageId],
  );
  return { messageId, accepted, copies };
}
