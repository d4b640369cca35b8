import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { createPool, transaction, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { appendAudit, verifyAuditChain } from '../../../src/audit/audit-log.js';
import { pruneAudit, pruneBoundary } from '../../../src/audit/prune.js';
import { appendBackdated } from './backdate.js';

let env: TestEnv;
let db: Db;

beforeAll(async () => {
  env = await createTestEnv();
  db = createPool(env.databaseUrl, 4);
  await migrate(db);
});

afterAll(async () => {
  await db?.end();
  await env?.stop();
});

/** the first instant of the month `back` months before this one (UTC) */
function monthStart(back: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
}
const at = (back: number, day: number) => new Date(monthStart(back).getTime() + (day - 1) * 86_400_000 + 3_600_000).toISOString();

describe('audit prune', () => {
  it('puts the boundary at the start of the month that holds now - retention', () => {
    expect(pruneBoundary(new Date('2026-11-26T00:00:00Z'), 30)).toEqual(new Date('2026-10-01T00:00:00Z'));
    expect(pruneBoundary(new Date('2026-03-01T00:00:00Z'), 1)).toEqual(new Date('2026-02-01T00:00:00Z'));
  });

  it('refuses when retention is 0 (keep forever)', async () => {
    await expect(pruneAudit(db, { retentionDays: 0, actor: 'cli:root' })).rejects.toThrow(/keep forever/);
  });

  it('removes whole old months, anchors each, and the rest still verifies', async () => {
    // four months ago: 3 events, three months ago: 2, two months ago: 2; then today's
    const old = await appendBackdated(db, [
      { at: at(4, 2), actor: 'a', action: 'auth.imap.failure', source: '10.0.0.1' },
      { at: at(4, 10), actor: 'a', action: 'auth.imap.failure' },
      { at: at(4, 20), actor: 'a', action: 'auth.imap.success' },
      { at: at(3, 5), actor: 'b', action: 'account.add' },
      { at: at(3, 6), actor: 'b', action: 'account.update' },
      { at: at(2, 1), actor: 'c', action: 'domain.add' },
      { at: at(2, 27), actor: 'c', action: 'alias.add' },
    ]);
    await appendAudit(db, { actor: 'cli:root', action: 'account.passwd', target: 'x@yenbai.gov.vn' });
    expect((await verifyAuditChain(db)).ok).toBe(true);

    // a retention that reaches into the month three months back: only the month four back is whole and old enough
    const days = Math.ceil((Date.now() - new Date(at(3, 3)).getTime()) / 86_400_000);
    const dry = await pruneAudit(db, { retentionDays: days, actor: 'cli:root', dryRun: true });
    expect(dry.periods.map((p) => [p.month, p.events])).toEqual([[at(4, 1).slice(0, 7), 3]]);
    expect((await db.query('SELECT count(*)::int AS n FROM audit_events')).rows[0].n).toBe(8);

    const first = await pruneAudit(db, { retentionDays: days, actor: 'cli:root', source: 'cli' });
    expect(first.events).toBe(3);
    expect(first.periods[0]).toMatchObject({ firstId: old[0], lastId: old[2], events: 3 });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, events: 6, fromAnchor: { lastId: old[2] } });

    // later, with a shorter retention: the next two months go, each with its own anchor
    const second = await pruneAudit(db, { retentionDays: 20 + new Date().getUTCDate(), actor: 'system' });
    expect(second.periods.map((p) => [p.month, p.events])).toEqual([[at(3, 1).slice(0, 7), 2], [at(2, 1).slice(0, 7), 2]]);
    const anchors = await db.query('SELECT period_start, last_id, events FROM audit_anchors ORDER BY last_id');
    expect(anchors.rows.map((r) => [r.period_start.toISOString(), r.last_id, r.events])).toEqual([
      [monthStart(4).toISOString(), old[2], 3],
      [monthStart(3).toISOString(), old[4], 2],
      [monthStart(2).toISOString(), old[6], 2],
    ]);
    const check = await verifyAuditChain(db);
    expect(check).toMatchObject({ ok: true, events: 3, fromAnchor: { lastId: old[6] } });
    const prunes = await db.query("SELECT actor, data FROM audit_events WHERE action = 'audit.prune' ORDER BY id");
    expect(prunes.rows.map((r) => [r.actor, r.data.events])).toEqual([['cli:root', 3], ['system', 4]]);
  });

  it('the trigger still refuses an ordinary DELETE, also of old events, and anchors cannot be changed', async () => {
    const [old] = await appendBackdated(db, [{ at: at(1, 1), actor: 'd', action: 'x.y' }]);
    await expect(db.query('DELETE FROM audit_events WHERE id = $1', [old])).rejects.toThrow(/append-only/);
    await expect(db.query('UPDATE audit_anchors SET events = 1')).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_anchors')).rejects.toThrow(/append-only/);
    // an anchor for a month that has not ended, or with a wrong hash, is refused
    const last = (await db.query('SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1')).rows[0];
    await expect(
      db.query('INSERT INTO audit_anchors (period_start, period_end, first_id, last_id, last_hash, events) VALUES ($1, $2, $3, $3, $4, 1)', [
        monthStart(0), monthStart(-1), last.id, last.hash,
      ]),
    ).rejects.toThrow(/has not ended/);
    await expect(
      transaction(db, async (c) => {
        await c.query('INSERT INTO audit_anchors (period_start, period_end, first_id, last_id, last_hash, events) VALUES ($1, $2, $3, $3, $4, 1)', [
          monthStart(1), monthStart(0), old, 'f'.repeat(64),
        ]);
      }),
    ).rejects.toThrow(/does not exist/);
  });

  it('verify reports a forged anchor that hides removed events', async () => {
    // the owner removes the oldest remaining events and writes an anchor for them by hand
    const { rows } = await db.query('SELECT id, hash FROM audit_events ORDER BY id LIMIT 2');
    await transaction(db, async (c) => {
      await c.query('ALTER TABLE audit_anchors DISABLE TRIGGER audit_anchors_check');
      await c.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
      await c.query("INSERT INTO audit_anchors (period_start, period_end, first_id, last_id, last_hash, events) VALUES ('2000-01-01Z', '2000-02-01Z', $1, $2, $3, 2)", [rows[0].id, rows[1].id, rows[1].hash]);
      await c.query('DELETE FROM audit_events WHERE id <= $1', [rows[1].id]);
      await c.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
      await c.query('ALTER TABLE audit_anchors ENABLE TRIGGER audit_anchors_check');
    });
    const check = await verifyAuditChain(db);
    expect(check).toMatchObject({ ok: false, problem: { kind: 'anchor' } });
    expect(check.problem?.message).toMatch(/no audit\.prune event in the remaining log records that anchor/);
  });
});
