import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { createPool, transaction, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { appendAudit, eventHash, verifyAuditChain } from '../../../src/audit/audit-log.js';
import { appendAuditMany } from '../../../src/audit/append-many.js';

let env: TestEnv;
let db: Db;

beforeAll(async () => {
  env = await createTestEnv();
  db = createPool(env.databaseUrl, 10);
  await migrate(db);
});

afterAll(async () => {
  await db?.end();
  await env?.stop();
});

/** tampering as the database owner does it: with the append-only trigger switched off */
async function asOwner(...statements: string[]) {
  await transaction(db, async (c) => {
    await c.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
    for (const s of statements) await c.query(s);
    await c.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
  });
}

/** a fresh log of `n` events: emptied as only the owner can, with the chain head back at the start */
async function freshLog(n: number): Promise<number[]> {
  await transaction(db, async (c) => {
    await c.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_truncate');
    await c.query('TRUNCATE audit_events');
    await c.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_truncate');
    await c.query("UPDATE audit_chain_head SET last_id = NULL, last_hash = repeat('0', 64), last_at = NULL");
  });
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const e = await appendAudit(db, { actor: `user${i}@yenbai.gov.vn`, action: 'auth.imap.failure', target: `user${i}@yenbai.gov.vn`, source: `10.0.0.${i + 1}`, data: { n: i } });
    ids.push(e.id);
  }
  return ids;
}

describe('audit verify', () => {
  let ids: number[];
  beforeEach(async () => {
    ids = await freshLog(6);
  });

  it('passes an untouched log, and refuses UPDATE, DELETE and TRUNCATE', async () => {
    expect(await verifyAuditChain(db)).toEqual({ ok: true, events: 6 });
    await expect(db.query("UPDATE audit_events SET actor = 'someone-else'")).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_events WHERE id = $1', [ids[2]])).rejects.toThrow(/append-only/);
    await expect(db.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
  });

  it('reports an edited event by its id', async () => {
    await asOwner(`UPDATE audit_events SET source = '10.9.9.9' WHERE id = ${ids[2]}`);
    const check = await verifyAuditChain(db);
    expect(check).toMatchObject({ ok: false, brokenAt: ids[2], problem: { kind: 'edited', eventId: ids[2] } });
    expect(check.problem?.message).toBe(`event ${ids[2]} was changed: its content no longer matches its hash`);
  });

  it('reports a deleted event at the event after it', async () => {
    await asOwner(`DELETE FROM audit_events WHERE id = ${ids[3]}`);
    const check = await verifyAuditChain(db);
    expect(check).toMatchObject({ ok: false, brokenAt: ids[4], problem: { kind: 'missing', eventId: ids[4] } });
    expect(check.problem?.message).toMatch(/an event was removed/);
  });

  it('reports a deleted first event', async () => {
    await asOwner(`DELETE FROM audit_events WHERE id = ${ids[0]}`);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: ids[1], problem: { kind: 'missing' } });
  });

  it('reports re-ordered events (two rows swapped, hashes and all)', async () => {
    const [a, b] = [ids[1]!, ids[2]!];
    const cols = 'at, actor, action, target, source, agency_id, data, prev_hash, hash';
    // the hash column is UNIQUE: park one row's hash while the two swap
    await asOwner(
      `CREATE TEMP TABLE swap AS SELECT id, ${cols} FROM audit_events WHERE id IN (${a}, ${b})`,
      `UPDATE audit_events SET hash = 'parked' WHERE id = ${a}`,
      `UPDATE audit_events e SET (${cols}) = (SELECT ${cols} FROM swap s WHERE s.id = ${a}) WHERE e.id = ${b}`,
      `UPDATE audit_events e SET (${cols}) = (SELECT ${cols} FROM swap s WHERE s.id = ${b}) WHERE e.id = ${a}`,
    );
    const check = await verifyAuditChain(db);
    expect(check).toMatchObject({ ok: false, brokenAt: a, problem: { kind: 'reordered', eventId: a } });
    expect(check.problem?.message).toBe(`event ${a} should follow event ${b}, but follows event ${ids[0]}: events were re-ordered`);
  });

  it('reports removed events at the end through the chain head', async () => {
    await asOwner(`DELETE FROM audit_events WHERE id >= ${ids[4]}`);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: ids[4], problem: { kind: 'truncated' } });
  });

  it('reports an event added at the end behind the chain head\'s back', async () => {
    const last = (await db.query('SELECT at, hash FROM audit_events ORDER BY id DESC LIMIT 1')).rows[0];
    const at = new Date(last.at.getTime() + 1).toISOString();
    const fields = { actor: 'intruder', action: 'auth.imap.success', target: null, source: null, agencyId: null, data: {} };
    const { rows } = await db.query('INSERT INTO audit_events (at, actor, action, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id', [
      at, 'intruder', 'auth.imap.success', {}, last.hash, eventHash(last.hash, at, fields),
    ]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: rows[0].id, problem: { kind: 'unrecorded' } });
  });

  it('reports an event changed and re-hashed by the next link', async () => {
    const row = (await db.query('SELECT * FROM audit_events WHERE id = $1', [ids[2]])).rows[0];
    const forged = eventHash(row.prev_hash, row.at.toISOString(), { actor: row.actor, action: 'auth.imap.success', target: row.target, source: row.source, agencyId: null, data: row.data });
    await asOwner(`UPDATE audit_events SET action = 'auth.imap.success', hash = '${forged}' WHERE id = ${ids[2]}`);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: ids[3], problem: { kind: 'missing' } });
  });
});

describe('appendAudit', () => {
  it('keeps one chain under concurrent appends from the pool and from transactions', async () => {
    await freshLog(0);
    const alone = Array.from({ length: 400 }, (_, i) =>
      appendAudit(db, { actor: 'system', action: 'auth.smtp.failure', source: `192.0.2.${i % 250}`, data: { i } }),
    );
    const inTransactions = Array.from({ length: 20 }, (_, i) =>
      transaction(db, (c) => appendAudit(c, { actor: 'cli:root', action: 'account.update', target: `a${i}@yenbai.gov.vn`, agencyId: i, data: { before: { quota: 1 }, after: { quota: 2 } } })),
    );
    const appended = await Promise.all([...alone, ...inTransactions]);
    expect(new Set(appended.map((a) => a.id)).size).toBe(420);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, events: 420 });
    // time order is chain order
    const { rows } = await db.query<{ out_of_order: number }>(
      'SELECT count(*)::int AS out_of_order FROM (SELECT at < lag(at) OVER (ORDER BY id) AS back FROM audit_events) x WHERE back',
    );
    expect(rows[0]!.out_of_order).toBe(0);
  });

  it('appends many events in one statement inside a transaction, in order', async () => {
    await freshLog(1);
    const events = Array.from({ length: 300 }, (_, i) => ({ actor: 'provisioning', action: 'account.add', target: `p${i}@yenbai.gov.vn`, agencyId: 1 + (i % 3) }));
    expect(await transaction(db, (c) => appendAuditMany(c, events))).toBe(300);
    const { rows } = await db.query("SELECT target FROM audit_events WHERE actor = 'provisioning' ORDER BY id");
    expect(rows.map((r) => r.target)).toEqual(events.map((e) => e.target));
    expect(await verifyAuditChain(db)).toEqual({ ok: true, events: 301 });
  });

  it('does not record an event whose transaction rolls back, and the chain goes on', async () => {
    await freshLog(2);
    await expect(
      transaction(db, async (c) => {
        await appendAudit(c, { actor: 'cli:root', action: 'domain.add', target: 'x.gov.vn' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await appendAudit(db, { actor: 'cli:root', action: 'domain.add', target: 'y.gov.vn' });
    expect(await verifyAuditChain(db)).toEqual({ ok: true, events: 3 });
  });

  it('stores and hashes data as JSON: a Date becomes its ISO text', async () => {
    await freshLog(0);
    await appendAudit(db, { actor: 'system', action: 'account.expire', data: { when: new Date('2026-01-02T03:04:05.000Z'), gone: undefined, name: 'Nguyễn Văn An' } });
    const { rows } = await db.query('SELECT data FROM audit_events');
    expect(rows[0].data).toEqual({ when: '2026-01-02T03:04:05.000Z', name: 'Nguyễn Văn An' });
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('a bad event in a batch fails alone', async () => {
    await freshLog(0);
    const results = await Promise.allSettled([
      appendAudit(db, { actor: 'a', action: 'x.ok' }),
      appendAudit(db, { actor: 'b', action: 'x.bad', data: { nul: 'a\u0000b' } }),
      appendAudit(db, { actor: 'c', action: 'x.ok' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, events: 2 });
  });
});
