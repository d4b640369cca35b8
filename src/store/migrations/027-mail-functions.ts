/**
 * STORE and EXPUNGE as one call each (src/mail/store-flags.ts, src/mail/expunge.ts).
 *
 * Both lock their folder's row first (src/mail/tx.ts rule 1: it orders MODSEQs), then
 * change the messages. Done from node as BEGIN, lock, change, COMMIT, the lock was held
 * across three round trips to the client process; on a busy machine each of them waits
 * for that process to be scheduled, and every other writer of the folder waits behind it.
 * As a function called outside a transaction the lock is held only while PostgreSQL runs
 * the body and commits. Each statement of a plpgsql function in READ COMMITTED takes a
 * new snapshot, so the change sees every row committed before the lock was granted, as
 * the separate statements did.
 *
 * The functions that change messages plan their statements once per connection
 * (plan_cache_mode force_generic_plan): left to choose, PostgreSQL kept planning them
 * anew at every call, since a plan for unnest() of arrays of unknown length looks dearer
 * than one for the length at hand; that planning was a third of its time per operation
 * in the IMAP benchmark. A generic plan does not know the folder, so it would rather read
 * all the folder's messages and filter them by the UID ranges; the ranges are joined
 * LATERAL to a subquery that OFFSET 0 keeps apart, which makes it a range scan of the
 * (mailbox_id, uid) index per range, as the custom plans were.
 *
 * Refusals are raised with SQLSTATEs of the class HM (not used by PostgreSQL), which
 * src/mail/tx.ts turns back into UserErrors:
 *   HM001 no such folder; HM002 a \\Noselect name (MESSAGE is its name);
 *   HM003 too many keywords in one folder (MESSAGE is the limit).
 */
/**
 * mail_store_flags's parameters, answer and settings after its name: what
 * src/mail/store-flags.ts calls. Migrations 030 and 031 replace the function with the same.
 */
export const STORE_FLAGS_SIGNATURE = `(p_mailbox bigint, p_lo bigint[], p_hi bigint[], p_action text,
                                 p_unchanged_since bigint, p_flags text[], p_max_keywords int)
RETURNS TABLE (uid bigint, old text[], new text[], modseq bigint, passed boolean, changed boolean)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$`;

export const sql = `
-- the folder's row, locked (FOR NO KEY UPDATE: delivery's FK checks on messages still pass)
CREATE FUNCTION mail_lock_mailbox(p_mailbox bigint) RETURNS mailboxes LANGUAGE plpgsql AS $$
DECLARE
  mb mailboxes;
BEGIN
  SELECT * INTO mb FROM mailboxes WHERE id = p_mailbox FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no such folder' USING ERRCODE = 'HM001';
  END IF;
  -- RFC 9051 §6.3.5: a \\Noselect name holds no messages
  IF mb.noselect THEN
    RAISE EXCEPTION '%', mb.name USING ERRCODE = 'HM002';
  END IF;
  RETURN mb;
END $$;

-- the flags as a folder with these keywords spells them: its own spelling for a keyword it
-- knows (keywords compare case-insensitively, as Dovecot does), the flag as given otherwise
CREATE FUNCTION mail_spelled(p_keywords text[], p_flags text[]) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  RETURN ARRAY(SELECT COALESCE((SELECT kw FROM unnest(p_keywords) kw WHERE lower(kw) = lower(f) LIMIT 1), f)
                 FROM unnest(p_flags) WITH ORDINALITY g(f, n) ORDER BY n);
END $$;

-- the keywords among (spelled) p_flags that the folder does not list yet, in the order first
-- given; more than p_max keywords in one folder is refused (HM003)
CREATE FUNCTION mail_new_keywords(p_keywords text[], p_flags text[], p_max int) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  added text[] := ARRAY(SELECT f FROM unnest(p_flags) WITH ORDINALITY g(f, n)
                         WHERE left(f, 1) <> '\\' AND f <> ALL (p_keywords) GROUP BY f ORDER BY min(n));
BEGIN
  IF cardinality(added) > 0 AND cardinality(p_keywords) + cardinality(added) > p_max THEN
    RAISE EXCEPTION '%', p_max USING ERRCODE = 'HM003';
  END IF;
  RETURN added;
END $$;

-- STORE / UID STORE: one MODSEQ for the whole command (RFC 7162 §3.1); a message whose
-- flags would not change keeps its MODSEQ. p_flags are valid flags without duplicates
-- (src/mail/flags.ts), keywords in the order given; a keyword takes the spelling the
-- folder already has for it (keywords compare case-insensitively), and one new to the
-- folder joins the end of its keyword list unless removed.
CREATE FUNCTION mail_store_flags${STORE_FLAGS_SIGNATURE}
#variable_conflict use_column
DECLARE
  mb mailboxes := mail_lock_mailbox(p_mailbox);
  v_flags text[];
  v_added text[];
BEGIN
  v_flags := mail_spelled(mb.keywords, p_flags);
  -- removing a keyword the folder never had does not make it one of the folder's keywords
  v_added := CASE WHEN p_action = 'remove' THEN '{}' ELSE mail_new_keywords(mb.keywords, v_flags, p_max_keywords) END;
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

-- EXPUNGE / UID EXPUNGE (and retention's removals, p_deleted_only false): the rows go,
-- their UIDs stay in expunged_messages with the MODSEQ of the removal (QRESYNC), the
-- folder's counters follow, and the blob references are released (in hash order).
CREATE FUNCTION mail_expunge(p_mailbox bigint, p_lo bigint[], p_hi bigint[], p_deleted_only boolean)
RETURNS TABLE (uid bigint, modseq bigint)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
  mb mailboxes := mail_lock_mailbox(p_mailbox);
  next_modseq bigint := mb.highest_modseq + 1;
BEGIN
  RETURN QUERY
  WITH gone AS (
    DELETE FROM messages m
     USING unnest(p_lo, p_hi) r(lo, hi)
           -- a range scan of the index per UID range (see the note at the top)
           CROSS JOIN LATERAL (SELECT x.id FROM messages x WHERE x.mailbox_id = mb.id AND x.uid BETWEEN r.lo AND r.hi OFFSET 0) t
     WHERE m.id = t.id AND (NOT p_deleted_only OR '\\Deleted' = ANY (m.flags))
    RETURNING m.uid, m.size, m.blob_hash AS hash, '\\Seen' = ANY (m.flags) AS seen
  ), kept AS (
    INSERT INTO expunged_messages (mailbox_id, uid, modseq) SELECT mb.id, g.uid, next_modseq FROM gone g
  ), counters AS (
    UPDATE mailboxes SET highest_modseq = next_modseq, message_count = message_count - g.n,
           unseen_count = unseen_count - g.unseen, total_bytes = total_bytes - g.bytes
      FROM (SELECT count(*) AS n, count(*) FILTER (WHERE NOT seen) AS unseen, COALESCE(sum(size), 0) AS bytes FROM gone) g
     WHERE mailboxes.id = mb.id AND g.n > 0
  ), released AS (
    UPDATE blobs b SET refcount = b.refcount - r.n
      FROM (SELECT g.hash, count(*) AS n FROM gone g GROUP BY g.hash ORDER BY g.hash) r
     WHERE b.hash = r.hash
    RETURNING b.hash, b.refcount
  ), collectable AS (
    -- store/blob-refs.ts adjustBlobRef: a blob no row points at is noted for the collector
    INSERT INTO blob_gc (hash) SELECT r.hash FROM released r WHERE r.refcount = 0 ON CONFLICT (hash) DO UPDATE SET since = now()
  )
  SELECT g.uid, next_modseq FROM gone g ORDER BY g.uid;
END $$;

-- APPEND and MULTIAPPEND (RFC 9051 §6.3.12, RFC 3502): all the messages or none. One
-- update of the folder's row takes consecutive UIDs and one MODSEQ for them all (RFC 7162
-- §3.1), one insert writes the rows, the blob references are added in hash order (with
-- the description of a blob parsed just now, kept only where the blob has none), and the
-- folder's keyword list grows by the keywords new to it. p_flags holds each message's
-- flags, valid (src/mail/flags.ts) and joined by spaces; the spelling of a keyword the
-- folder knows is the folder's. With a quota (bytes, messages: null or 0 for none), the
-- account's folders must hold the messages: the locked folder's counters are its latest,
-- the others' as of the statement (src/mail/quota.ts asks no more). Returns each
-- message's flags as stored, and the blobs whose rows were made anew (their files must
-- exist: store/blob-refs.ts).
CREATE FUNCTION mail_append(p_mailbox bigint, p_quota_bytes bigint, p_quota_messages bigint, p_flags text[],
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
  v_flags := ARRAY(SELECT array_to_string(mail_spelled(mb.keywords, string_to_array(m.list, ' ')), ' ')
                     FROM unnest(p_flags) WITH ORDINALITY m(list, i) ORDER BY i);
  v_added := mail_new_keywords(mb.keywords, ARRAY(SELECT x.f FROM unnest(v_flags) WITH ORDINALITY m(list, i), unnest(string_to_array(m.list, ' ')) WITH ORDINALITY x(f, k)
                                                    ORDER BY m.i, x.k), p_max_keywords);
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

-- FETCH's read (src/mail/fetch.ts): the messages of the UID ranges, ascending, with what
-- p_description asks of their blobs: 'none', 'envelope' (the ENVELOPE kept as IMAP sent
-- it, else the description's envelope) or 'parsed' (the whole description). A function
-- for the same reason as the others: the statement, planned anew at every FETCH, cost
-- more to plan than to run.
CREATE FUNCTION mail_fetch(p_mailbox bigint, p_lo bigint[], p_hi bigint[], p_changed_since bigint, p_description text)
RETURNS TABLE (uid bigint, flags text[], internal_date timestamptz, size bigint, modseq bigint, blob_hash text,
               parsed jsonb, imap_envelope bytea, envelope jsonb)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT m.uid, m.flags, m.internal_date, m.size, m.modseq, m.blob_hash, b.parsed, b.imap_envelope, b.envelope
    FROM unnest(p_lo, p_hi) r(lo, hi)
    -- a range scan of the index per UID range (see the note at the top)
    CROSS JOIN LATERAL (SELECT * FROM messages x WHERE x.mailbox_id = p_mailbox AND x.uid BETWEEN r.lo AND r.hi
                           AND (p_changed_since IS NULL OR x.modseq > p_changed_since) OFFSET 0) m
    LEFT JOIN LATERAL (SELECT CASE WHEN p_description = 'parsed' THEN d.parsed END AS parsed, d.imap_envelope,
                              CASE WHEN p_description = 'envelope' AND d.imap_envelope IS NULL THEN d.parsed->'root'->'envelope' END AS envelope
                         FROM blobs d WHERE d.hash = m.blob_hash AND p_description <> 'none') b ON true
   ORDER BY m.uid;
END $$;
`;
