import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { appendAudit, verifyAuditChain } from '../../../src/audit/audit-log.js';

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

describe('audit log', () => {
  it('chains events so that verification recomputes every hash', async () => {
    await appendAudit(db, { actor: 'cli:root', action: 'domain.add', target: 'yenbai.gov.vn', source: 'cli' });
    await appendAudit(db, { actor: 'annv@yenbai.gov.vn', action: 'auth.smtp.failure', target: 'annv@yenbai.gov.vn', source: '10.0.0.5', data: { reason: 'bad-credentials' } });
    expect(await verifyAuditChain(db)).toEqual({ ok: true, events: 2 });
  });

  it('refuses to change or delete an event', async () => {
    await expect(db.query("UPDATE audit_events SET actor = 'someone-else'")).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
  });

  it('detects an event altered behind the trigger\'s back', async () => {
    const client = await db.connect();
    try {
      await client.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
      await client.query("UPDATE audit_events SET target = 'other.gov.vn' WHERE action = 'domain.add'");
      await client.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
    } finally {
      client.release();
    }
    const check = await verifyAuditChain(db);
    expect(check.ok).toBe(false);
    expect(check.brokenAt).toBe(1);
  });
});
