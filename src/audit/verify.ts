import type pg from 'pg';
import type { Db } from '../store/db.js';
import { canonicalBody, GENESIS, linkHash } from './canonical.js';

export interface ChainProblem {
  /** the first event that does not verify (for 'truncated': the first missing one) */
  eventId: number;
  /**
   * edited: its content no longer matches its hash; missing: the event before it was
   * removed (or changed and re-hashed); reordered: its predecessor is elsewhere in the
   * log; anchor: the chain does not meet a retention anchor, or starts after one no
   * audit.prune event records; truncated: events at the end were removed; unrecorded:
   * events at the end were inserted without going through the chain head.
   */
  kind: 'edited' | 'missing' | 'reordered' | 'anchor' | 'truncated' | 'unrecorded';
  message: string;
}

export interface ChainCheck {
  ok: boolean;
  /** events checked */
  events: number;
  /** the first event whose hash or link does not match (= problem.eventId) */
  brokenAt?: number;
  problem?: ChainProblem;
  /** when older months were pruned: the anchor the remaining chain starts from */
  fromAnchor?: { lastId: number; lastHash: string; periodEnd: Date };
}

interface Anchor {
  last_id: number;
  last_hash: string;
  period_end: Date;
}

/** id, at (as hashed), actor, action, target, source, agency_id, data, prev_hash, hash */
type Row = [number, string, string, string, string | null, string | null, number | null, Record<string, unknown>, string, string];

const BATCH = 5000;
const ISO_AT = `to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Recomputes the chain from the newest retention anchor (or the first event) to the end,
 * in one consistent snapshot, streaming rows through a server-side cursor in batches:
 * memory stays flat whatever the size of the log. Stops at the first problem.
 */
export async function verifyAuditChain(db: Db): Promise<ChainCheck> {
  const client = await db.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      return await verifyIn(client);
    } finally {
      await client.query('ROLLBACK').catch(() => {});
    }
  } finally {
    client.release();
  }
}

async function verifyIn(client: pg.PoolClient): Promise<ChainCheck> {
  const anchors = (await client.query<Anchor>('SELECT last_id, last_hash, period_end FROM audit_anchors ORDER BY last_id')).rows;
  const head = (await client.query<{ last_id: number | null; last_hash: string }>('SELECT last_id, last_hash FROM audit_chain_head')).rows[0];
  await client.query(
    `DECLARE audit_verify NO SCROLL CURSOR FOR
       SELECT id, ${ISO_AT}, actor, action, target, source, agency_id, data, prev_hash, hash FROM audit_events ORDER BY id`,
  );
  const fetch = () => client.query<Row>({ text: `FETCH ${BATCH} FROM audit_verify`, rowMode: 'array' });

  let prev = GENESIS;
  let prevId = 0;
  let events = 0;
  let nextAnchor = 0;
  let fromAnchor: Anchor | undefined;
  /** lastId:lastHash of every anchor an audit.prune event in the remaining chain records */
  const confirmed = new Set<string>();
  const fail = (problem: ChainProblem): ChainCheck => ({ ok: false, events, brokenAt: problem.eventId, problem });

  // the next batch is on its way while this one is hashed
  let pending = fetch();
  for (;;) {
    const { rows } = await pending;
    if (rows.length === 0) break;
    pending = fetch();
    for (const row of rows) {
      const [id, at, actor, action, target, source, agencyId, data, prevHash, hash] = row;
      while (nextAnchor < anchors.length && anchors[nextAnchor]!.last_id < id) {
        const a = anchors[nextAnchor++]!;
        if (prevId === a.last_id) {
          if (prev !== a.last_hash) return fail({ eventId: prevId, kind: 'anchor', message: `event ${prevId} does not have the hash its retention anchor recorded` });
        } else {
          // the events up to the anchor were pruned: the chain goes on from its hash
          prev = a.last_hash;
          fromAnchor = a;
        }
      }
      events++;
      if (prevHash !== prev) {
        await pending.catch(() => {});
        return fail(await linkProblem(client, id, prevId, prevHash));
      }
      const computed = linkHash(prev, canonicalBody(at, { actor, action, target, source, agencyId, data }));
      if (computed !== hash) {
        await pending.catch(() => {});
        return fail({ eventId: id, kind: 'edited', message: `event ${id} was changed: its content no longer matches its hash` });
      }
      if (action === 'audit.prune') {
        for (const p of (data.periods as Array<{ lastId?: unknown; lastHash?: unknown }> | undefined) ?? []) confirmed.add(`${String(p.lastId)}:${String(p.lastHash)}`);
      }
      prev = hash;
      prevId = id;
    }
  }
  if (head?.last_id != null && head.last_id > prevId) {
    return fail({ eventId: prevId + 1, kind: 'truncated', message: `the chain head records event ${head.last_id} as the last, but the log ends at ${prevId ? `event ${prevId}` : 'no event'}: events at the end were removed` });
  }
  if (head?.last_id != null && head.last_id < prevId) {
    const first = (await client.query<{ id: number }>('SELECT min(id) AS id FROM audit_events WHERE id > $1', [head.last_id])).rows[0]!.id;
    return fail({ eventId: first, kind: 'unrecorded', message: `events from ${first} on were not appended through the chain head (it ends at event ${head.last_id}): they were added behind its back` });
  }
  if (head?.last_id != null && head.last_hash !== prev) {
    return fail({ eventId: prevId, kind: 'edited', message: `event ${prevId} does not have the hash the chain head recorded for it: it was changed and re-hashed` });
  }
  if (fromAnchor && !confirmed.has(`${fromAnchor.last_id}:${fromAnchor.last_hash}`)) {
    return fail({
      eventId: fromAnchor.last_id + 1,
      kind: 'anchor',
      message: `the log starts after the retention anchor at event ${fromAnchor.last_id}, but no audit.prune event in the remaining log records that anchor`,
    });
  }
  return fromAnchor
    ? { ok: true, events, fromAnchor: { lastId: fromAnchor.last_id, lastHash: fromAnchor.last_hash, periodEnd: fromAnchor.period_end } }
    : { ok: true, events };
}

async function linkProblem(client: pg.PoolClient, id: number, prevId: number, prevHash: string): Promise<ChainProblem> {
  const { rows } = await client.query<{ id: number }>('SELECT id FROM audit_events WHERE hash = $1', [prevHash]);
  const predecessor = rows[0]?.id;
  const before = prevId ? `event ${prevId}` : 'the start of the log';
  if (predecessor !== undefined) {
    return {
      eventId: id,
      kind: 'reordered',
      message: `event ${id} should follow event ${predecessor}, but follows ${before}: events were re-ordered`,
    };
  }
  return {
    eventId: id,
    kind: 'missing',
    message: `the event that preceded event ${id} is gone (it follows ${before}, whose hash is not the one it links to): an event was removed, or changed and re-hashed`,
  };
}
