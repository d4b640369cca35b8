import { SYSTEM_FLAGS } from '../../mail/flags.js';
import { STORE_FLAGS_SIGNATURE } from './027-mail-functions.js';

/**
 * STORE and APPEND of system flags alone (migration 027's functions, otherwise the same).
 *
 * Most flag changes are \Seen, \Flagged, \Deleted: there is no keyword to spell as the
 * folder spells it and none to add to the folder's list, and the flags come spelled as
 * src/mail/flags.ts spells them. The functions now see that in one expression, which
 * plpgsql evaluates without the executor, instead of calling mail_spelled and
 * mail_new_keywords (each a function call and a query). Measured on one connection, a STORE
 * of \Flagged took 0.09 ms of PostgreSQL's time instead of 0.12.
 *
 * blobs.parsed (a description of one to a few KB) is kept as it is, as blob_contents.bytes
 * is (migration 029): with the default toast_tuple_target a row past 2 KB was compressed
 * with pglz at every APPEND of a new message, for a table that stays small.
 */
/** the system flags as an SQL array literal, for a plpgsql test of flags that need no keyword spelling */
export const SYSTEM_FLAGS_SQL = `ARRAY[${SYSTEM_FLAGS.map((f) => `'${f}'`).join(', ')}]`;

export const sql = `
CREATE OR REPLACE FUNCTION mail_store_flags${STORE_FLAGS_SIGNATURE}
#variable_conflict use_column
DECLARE
  mb mailboxes := mail_lock_mailbox(p_mailbox);
  v_flags text[];
  v_added text[];
BEGIN
  IF p_flags <@ ${SYSTEM_FLAGS_SQL} THEN
    v_flags := p_flags;
    v_added := '{}';
  ELSE
    v_flags := mail_spelled(mb.keywords, p_flags);
    -- removing a keyword the folder never had does not make it one of the folder's keywords
    v_added := CASE WHEN p_action = 'remove' THEN '{}' ELSE mail_new_keywords(mb.keywords, v_flags, p_max_keywords) END;
  END IF;
  RETURN QUERY
  WITH target AS (
    SELECT m.id, m.uid, m.flags, m.modseq,
           -- RFC 7162 §3.1.3: changed only if its MODSEQ is <= UNCHANGEDSINCE
           (p_unchanged_since IS NULL OR m.modseq <= p_unchanged_since) AS passed,
           CASE p_action
             WHEN 'set' THEN v_flags
             WHEN 'add' THEN ARRAY(SELECT DISTINCT x FROM unnest(m.flags || v_flags) x)
             ELSE ARRAY(SELECT x FROM unnest(m.flags) x WHERE x <> ALL (v_flags))
           END AS new
      FROM unnest(p_lo, p_hi) r(lo, hi)
      -- a range scan of the index per UID range (see the note at the top)
      CROSS JOIN LATERAL (SELECT * FROM messages x WHERE x.mailbox_id = mb.id AND x.uid BETWEEN r.lo AND r.hi OFFSET 0) m
  ), updated AS (
    UPDATE messages m SET flags = t.new, modseq = mb.highest_modseq + 1
      FROM target t
     WHERE m.id = t.id AND t.passed AND NOT (t.new @> t.flags AND t.flags @> t.new)
    RETURNING m.id, ('\\Seen' = ANY (t.flags))::int - ('\\Seen' = ANY (t.new))::int AS unseen_delta
  ), folder AS (
    UPDATE mailboxes SET highest_modseq = CASE WHEN u.n > 0 THEN mb.highest_modseq + 1 ELSE mailboxes.highest_modseq END,
           unseen_count = unseen_count + u.unseen_delta, keywords = mailboxes.keywords || v_added
      FROM (SELECT count(*) AS n, COALESCE(sum(unseen_delta), 0) AS unseen_delta FROM updated) u
     WHERE mailboxes.id = mb.id AND (u.n > 0 OR cardinality(v_added) > 0)
  )
  SELECT t.uid, t.flags, t.new, CASE WHEN u.id IS NULL THEN t.modseq ELSE mb.highest_modseq + 1 END, t.passed, u.id IS NOT NULL
    FROM target t LEFT JOIN updated u ON u.id = t.id
   ORDER BY t.uid;
END $$;

CREATE OR REPLACE FUNCTION mail_append(p_mailbox bigint, p_quota_bytes bigint, p_quota_messages bigint, p_flags text[],
                            p_internal_date timestamptz[], p_size bigint[], p_blob_hash text[], p_subject text[],
                            p_from text[], p_to text[], p_sent_date timestamptz[], p_message_id text[],
                            p_ref_hash text[], p_ref_size bigint[], p_ref_count int[], p_ref_parsed text[], p_max_keywords int)
RETURNS TABLE (uidvalidity bigint, first bigint, modseq bigint, flags text[], fresh text[])
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
  mb mailboxes := mail_lock_mailbox(p_mailbox);
  n int := cardinality(p_blob_hash);
  v_bytes bigint := (SELECT COALESCE(sum(s), 0) FROM unnest(p_size) s);
  used_bytes bigint;
  used_messages bigint;
  v_flags text[];
  v_added text[];
  v_unseen int;
BEGIN
  IF COALESCE(p_quota_bytes, 0) > 0 OR COALESCE(p_quota_messages, 0) > 0 THEN
    SELECT COALESCE(sum(x.total_bytes), 0), COALESCE(sum(x.message_count), 0) INTO used_bytes, used_messages
      FROM mailboxes x WHERE x.account_id = mb.account_id;
    IF (p_quota_bytes > 0 AND used_bytes + v_bytes > p_quota_bytes) OR (p_quota_messages > 0 AND used_messages + n > p_quota_messages) THEN
      RAISE EXCEPTION '% %', used_bytes, used_messages USING ERRCODE = 'HM004';
    END IF;
  END IF;
  IF array_remove(string_to_array(array_to_string(p_flags, ' '), ' '), '') <@ ${SYSTEM_FLAGS_SQL} THEN
    v_flags := p_flags;
    v_added := '{}';
  ELSE
    v_flags := ARRAY(SELECT array_to_string(mail_spelled(mb.keywords, string_to_array(m.list, ' ')), ' ')
                       FROM unnest(p_flags) WITH ORDINALITY m(list, i) ORDER BY i);
    v_added := mail_new_keywords(mb.keywords, ARRAY(SELECT x.f FROM unnest(v_flags) WITH ORDINALITY m(list, i), unnest(string_to_array(m.list, ' ')) WITH ORDINALITY x(f, k)
                                                      ORDER BY m.i, x.k), p_max_keywords);
  END IF;
  v_unseen := (SELECT count(*) FROM unnest(v_flags) l WHERE NOT ('\\Seen' = ANY (string_to_array(l, ' '))));
  RETURN QUERY
  WITH counters AS (
    UPDATE mailboxes SET uid_next = uid_next + n, highest_modseq = highest_modseq + 1,
           message_count = message_count + n, unseen_count = unseen_count + v_unseen, total_bytes = total_bytes + v_bytes,
           keywords = keywords || v_added
     WHERE id = mb.id
    RETURNING uid_next - n AS first, highest_modseq AS modseq
  ), had AS (
    SELECT b.hash FROM blobs b WHERE b.hash = ANY (p_ref_hash) AND b.parsed IS NOT NULL
  ), refs AS (
    INSERT INTO blobs (hash, size, refcount, parsed)
    SELECT b.hash, b.size, b.c, b.parsed::jsonb
      FROM counters, unnest(p_ref_hash, p_ref_size, p_ref_count, p_ref_parsed) WITH ORDINALITY b(hash, size, c, parsed, i)
     ORDER BY b.i
    ON CONFLICT (hash) DO UPDATE SET refcount = blobs.refcount + EXCLUDED.refcount, parsed = COALESCE(blobs.parsed, EXCLUDED.parsed)
    RETURNING blobs.hash, (xmax = 0) AS inserted, blobs.parsed IS NOT NULL AS described
  ), backlogged AS (
    -- parsed.ts storeDescription: a blob described just now goes on the search backlog
    INSERT INTO search_backlog (hash)
    SELECT r.hash FROM refs r, unnest(p_ref_hash, p_ref_parsed) p(hash, parsed)
     WHERE p.hash = r.hash AND p.parsed IS NOT NULL AND r.described AND r.hash NOT IN (SELECT h.hash FROM had h)
    ON CONFLICT DO NOTHING
  ), inserted AS (
    INSERT INTO messages (mailbox_id, uid, modseq, flags, internal_date, size, blob_hash,
                          subject, from_text, to_text, sent_date, message_id)
    SELECT mb.id, c.first + x.i - 1, c.modseq, string_to_array(x.flags, ' '), x.internal_date, x.size, x.blob_hash,
           x.subject, x.from_text, x.to_text, x.sent_date, x.message_id
      FROM counters c, unnest(v_flags, p_internal_date, p_size, p_blob_hash, p_subject, p_from, p_to, p_sent_date, p_message_id)
           WITH ORDINALITY x(flags, internal_date, size, blob_hash, subject, from_text, to_text, sent_date, message_id, i)
  )
  SELECT mb.uidvalidity, c.first, c.modseq, v_flags, (SELECT array_agg(r.hash) FROM refs r WHERE r.inserted) FROM counters c;
END $$;

ALTER TABLE blobs SET (toast_tuple_target = 8160);
`;
