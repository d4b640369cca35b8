/**
 * The audit log at scale: one-statement appends through a chain-head row, the agency an
 * event concerns, indexes for querying, retention anchors, and the syslog forwarder's
 * position. Events written before this migration keep their hashes and still verify.
 */
export const sql = `
ALTER TABLE audit_events ADD COLUMN agency_id bigint;

-- The head of the one chain. Every append locks this row, so appends are linked in
-- turn; under READ COMMITTED a waiting append then reads the row version the previous
-- append committed (a "last row" query would still see its old snapshot). Ids are taken
-- under the lock, so they ascend in commit order: a reader that sees event N has seen
-- every committed event before it (the syslog forwarder relies on this).
CREATE TABLE audit_chain_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_id   bigint,
  last_hash text NOT NULL,
  last_at   timestamptz
);
INSERT INTO audit_chain_head (last_id, last_hash, last_at)
  SELECT id, hash, at FROM audit_events ORDER BY id DESC LIMIT 1;
INSERT INTO audit_chain_head (last_hash)
  SELECT repeat('0', 64) WHERE NOT EXISTS (SELECT 1 FROM audit_chain_head);

-- Appends, one statement: lock the chain head, then for each event in order take the
-- time (to the millisecond, never earlier than the previous event's, so time order is
-- chain order) and hash it; insert them all with one INSERT; move the head. The canonical body is made in Node
-- without its time (head ends with '"at":"', tail starts with '"'), and
-- hash = sha256(prev_hash || LF || head || time || tail), as verification recomputes it.
--
-- p_release_early: the transaction commits without waiting for its WAL flush, so the
-- head is unlocked at once instead of after an fsync; the caller waits for the flush
-- afterwards, outside the lock (appendAudit does, by committing a transaction that waits
-- for it). A crash before the flush loses these events and every later one together, so
-- the chain stays whole, and no caller had been told they were written.
CREATE FUNCTION audit_append(p_events jsonb, p_release_early boolean)
RETURNS TABLE (id bigint, at timestamptz, hash text) LANGUAGE plpgsql AS $fn$
DECLARE
  head audit_chain_head;
  ev jsonb;
  v_prev text;
  v_at timestamptz;
  v_ats timestamptz[] := '{}';
  v_prevs text[] := '{}';
  v_hashes text[] := '{}';
BEGIN
  IF p_release_early THEN
    PERFORM set_config('synchronous_commit', 'off', true);
  END IF;
  SELECT * INTO head FROM audit_chain_head FOR UPDATE;
  v_prev := head.last_hash;
  v_at := head.last_at;
  -- the links, one after another; then one set-based INSERT (ids follow the order)
  FOR ev IN SELECT e FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(e, n) ORDER BY n LOOP
    v_at := greatest(date_trunc('milliseconds', clock_timestamp()), v_at);
    v_prevs := v_prevs || v_prev;
    v_prev := encode(sha256(convert_to(v_prev || E'\\n' || (ev->>'head')
                || to_char(v_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || (ev->>'tail'), 'UTF8')), 'hex');
    v_ats := v_ats || v_at;
    v_hashes := v_hashes || v_prev;
  END LOOP;
  RETURN QUERY
  WITH inserted AS (
    INSERT INTO audit_events (at, actor, action, target, source, agency_id, data, prev_hash, hash)
    SELECT l.at, e->>'actor', e->>'action', e->>'target', e->>'source', (e->>'agencyId')::bigint, e->'data', l.prev, l.hash
    FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(e, n)
    JOIN unnest(v_ats, v_prevs, v_hashes) WITH ORDINALITY AS l(at, prev, hash, n) USING (n)
    ORDER BY n
    RETURNING audit_events.id, audit_events.at, audit_events.hash
  ), moved AS (
    UPDATE audit_chain_head SET last_id = (SELECT max(i.id) FROM inserted i), last_hash = v_prev, last_at = v_at
    WHERE EXISTS (SELECT 1 FROM inserted)
    RETURNING 1
  )
  SELECT i.id, i.at, i.hash FROM inserted i LEFT JOIN (SELECT count(*) FROM moved) m ON true ORDER BY i.id;
END $fn$;

-- source as an address when it is one ('cli', 'api' and the like are not), for IP and CIDR
-- queries. PostgreSQL 16+ tests the input first (no exception block, so no subtransaction
-- per row); PostgreSQL 15 (Debian 12's) catches the cast error, and only for text that
-- looks like an address.
DO $do$
BEGIN
  IF current_setting('server_version_num')::int >= 160000 THEN
    EXECUTE $f$CREATE FUNCTION audit_source_inet(source text) RETURNS inet LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN CASE WHEN pg_input_is_valid(source, 'inet') THEN source::inet END$f$;
  ELSE
    EXECUTE $f$CREATE FUNCTION audit_source_inet(source text) RETURNS inet LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $b$
      BEGIN
        IF source IS NULL OR source !~ '^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$' THEN RETURN NULL; END IF;
        RETURN source::inet;
      EXCEPTION WHEN others THEN
        RETURN NULL;
      END $b$$f$;
  END IF;
END $do$;

CREATE INDEX audit_events_actor ON audit_events (actor, id);
CREATE INDEX audit_events_target ON audit_events (target, id) WHERE target IS NOT NULL;
CREATE INDEX audit_events_action ON audit_events ((action COLLATE "C"), id);
CREATE INDEX audit_events_agency ON audit_events (agency_id, id) WHERE agency_id IS NOT NULL;
-- a btree serves "<<= CIDR" as a range scan (PostgreSQL rewrites it), and is cheaper to insert into than GiST
CREATE INDEX audit_events_source_ip ON audit_events (audit_source_inet(source), id);

-- Retention: for every whole month removed, its last event's hash. The remaining chain
-- verifies from the newest anchor. Anchors are added, never changed or removed.
CREATE TABLE audit_anchors (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  period_start timestamptz NOT NULL,
  period_end   timestamptz NOT NULL,
  first_id     bigint NOT NULL,
  last_id      bigint NOT NULL UNIQUE,
  last_hash    text NOT NULL,
  events       bigint NOT NULL CHECK (events > 0),
  pruned_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (first_id <= last_id)
);

CREATE FUNCTION audit_anchor_check() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  prev audit_anchors;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    RAISE EXCEPTION 'audit_anchors is append-only';
  END IF;
  -- a period is one whole calendar month (UTC) that has ended
  IF NEW.period_start <> date_trunc('month', NEW.period_start, 'UTC')
     OR NEW.period_end <> (NEW.period_start AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC' THEN
    RAISE EXCEPTION 'an audit anchor covers one whole calendar month (UTC)';
  END IF;
  IF NEW.period_end > date_trunc('month', now(), 'UTC') THEN
    RAISE EXCEPTION 'the month % has not ended', to_char(NEW.period_start AT TIME ZONE 'UTC', 'YYYY-MM');
  END IF;
  SELECT * INTO prev FROM audit_anchors ORDER BY last_id DESC LIMIT 1;
  IF FOUND AND (NEW.first_id <= prev.last_id OR NEW.period_start < prev.period_end) THEN
    RAISE EXCEPTION 'audit anchors follow one another: the last one ends at event % (%)', prev.last_id, prev.period_end;
  END IF;
  -- the anchor names an event that is there, with its real hash, and every event up to it is older than the period's end
  IF NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.id = NEW.last_id AND e.hash = NEW.last_hash) THEN
    RAISE EXCEPTION 'audit anchor: event % with hash % does not exist', NEW.last_id, NEW.last_hash;
  END IF;
  IF EXISTS (SELECT 1 FROM audit_events e WHERE e.id <= NEW.last_id AND e.at >= NEW.period_end) THEN
    RAISE EXCEPTION 'audit anchor: events up to % include events after %', NEW.last_id, NEW.period_end;
  END IF;
  RETURN NEW;
END $fn$;
CREATE TRIGGER audit_anchors_check BEFORE INSERT OR UPDATE OR DELETE ON audit_anchors
  FOR EACH ROW EXECUTE FUNCTION audit_anchor_check();

-- Still append-only: UPDATE is always refused; DELETE only of events that an anchor added
-- in the same transaction covers, which is what pruning does (see docs/architecture.md).
CREATE OR REPLACE FUNCTION audit_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (
       SELECT 1 FROM audit_anchors a
       WHERE a.last_id >= OLD.id AND a.xmin = pg_current_xact_id()::xid) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only';
END $fn$;

CREATE FUNCTION audit_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $fn$;
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_no_truncate();
CREATE TRIGGER audit_anchors_no_truncate BEFORE TRUNCATE ON audit_anchors
  FOR EACH STATEMENT EXECUTE FUNCTION audit_no_truncate();

-- how far each forwarder has sent the log: the last event id it handed over
CREATE TABLE audit_forwarding (
  name       text PRIMARY KEY,
  last_id    bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;
