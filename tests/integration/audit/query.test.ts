import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { appendAudit, type AuditEvent } from '../../../src/audit/audit-log.js';
import { queryAudit, type AuditPage } from '../../../src/audit/query.js';
import { exportAudit } from '../../../src/audit/export.js';
import type { AuditFilter } from '../../../src/audit/filter.js';

let env: TestEnv;
let db: Db;
let ids: number[] = [];
let middle: Date;

const events: AuditEvent[] = [
  { actor: 'annv@yenbai.gov.vn', action: 'auth.imap.success', target: 'annv@yenbai.gov.vn', source: '10.1.2.3', agencyId: 1 },
  { actor: 'annv@yenbai.gov.vn', action: 'auth.smtp.failure', target: 'annv@yenbai.gov.vn', source: '10.200.0.9', agencyId: 1, data: { reason: 'bad-credentials' } },
  { actor: 'cli:root', action: 'account.add', target: 'binhlt@yenbai.gov.vn', source: 'cli', agencyId: 2, data: { displayName: 'Lê Thị Bình' } },
  { actor: 'binhlt@yenbai.gov.vn', action: 'auth.web.failure', target: 'binhlt@yenbai.gov.vn', source: '2001:db8::7', agencyId: 2 },
  { actor: 'system', action: 'authz.denied', target: 'x', source: '192.168.1.1' },
  { actor: 'api:hr', action: 'account.update', target: 'annv@yenbai.gov.vn', source: '172.16.0.1', agencyId: 3, data: { before: { title: '' }, after: { title: 'Chuyên viên, "phòng" =1+1' } } },
];

beforeAll(async () => {
  env = await createTestEnv();
  db = createPool(env.databaseUrl, 4);
  await migrate(db);
  for (const [i, e] of events.entries()) {
    ids.push((await appendAudit(db, e)).id);
    if (i === 2) {
      await new Promise((r) => setTimeout(r, 20));
      middle = new Date();
      await new Promise((r) => setTimeout(r, 20));
    }
  }
});

afterAll(async () => {
  await db?.end();
  await env?.stop();
});

const idsOf = async (filter: AuditFilter) => (await queryAudit(db, filter, { limit: 100, order: 'asc' })).events.map((e) => e.id);
const pick = (...i: number[]) => i.map((n) => ids[n]);

describe('queryAudit', () => {
  it('filters by actor, target, exact action, action prefix, agency and time', async () => {
    expect(await idsOf({ actor: 'annv@yenbai.gov.vn' })).toEqual(pick(0, 1));
    expect(await idsOf({ target: 'annv@yenbai.gov.vn' })).toEqual(pick(0, 1, 5));
    expect(await idsOf({ action: 'account.add' })).toEqual(pick(2));
    // 'auth.' is a prefix: it selects auth.* and not authz.denied
    expect(await idsOf({ action: 'auth.' })).toEqual(pick(0, 1, 3));
    expect(await idsOf({ action: 'auth' })).toEqual([]);
    expect(await idsOf({ agencyId: 2 })).toEqual(pick(2, 3));
    expect(await idsOf({ agencyId: [1, 3] })).toEqual(pick(0, 1, 5));
    expect(await idsOf({ since: middle })).toEqual(pick(3, 4, 5));
    expect(await idsOf({ until: middle })).toEqual(pick(0, 1, 2));
    expect(await idsOf({ since: middle, action: 'auth.', target: 'binhlt@yenbai.gov.vn' })).toEqual(pick(3));
  });

  it('filters by source address and CIDR block, IPv4 and IPv6; "cli" is no address', async () => {
    expect(await idsOf({ ip: '10.0.0.0/8' })).toEqual(pick(0, 1));
    expect(await idsOf({ ip: '10.1.2.3' })).toEqual(pick(0));
    expect(await idsOf({ ip: '2001:db8::/32' })).toEqual(pick(3));
    expect(await idsOf({ ip: '0.0.0.0/0' })).toEqual(pick(0, 1, 4, 5));
  });

  it('pages by cursor, newest first, without repeats or gaps, also while events are added', async () => {
    const seen: number[] = [];
    let page: AuditPage = await queryAudit(db, {}, { limit: 4 });
    seen.push(...page.events.map((e) => e.id));
    await appendAudit(db, { actor: 'late', action: 'x.late' });
    while (page.nextCursor) {
      page = await queryAudit(db, {}, { limit: 4, cursor: page.nextCursor });
      seen.push(...page.events.map((e) => e.id));
    }
    expect(seen).toEqual([...ids].reverse());
    const asc = await queryAudit(db, { action: 'auth.' }, { limit: 2, order: 'asc' });
    expect(asc.events.map((e) => e.id)).toEqual(pick(0, 1));
    const rest = await queryAudit(db, { action: 'auth.' }, { limit: 2, order: 'asc', cursor: asc.nextCursor });
    expect(rest).toEqual({ events: [expect.objectContaining({ id: ids[3], source: '2001:db8::7', agencyId: 2 })], nextCursor: null });
  });

  it('refuses bad input with a specific error', async () => {
    await expect(queryAudit(db, { ip: '10.0.0.0/33' })).rejects.toThrow('"10.0.0.0/33" is not an IP address or CIDR block; write for example 10.0.0.5, 10.0.0.0/8 or 2001:db8::/32');
    await expect(queryAudit(db, { ip: 'cli' })).rejects.toThrow(/is not an IP address/);
    await expect(queryAudit(db, {}, { cursor: 'bm9wZQ' })).rejects.toThrow(/is not a cursor from a previous page/);
    const desc = await queryAudit(db, {}, { limit: 1 });
    await expect(queryAudit(db, {}, { cursor: desc.nextCursor, order: 'asc' })).rejects.toThrow(/belongs to a listing in newest-first order/);
    await expect(queryAudit(db, {}, { limit: 0 })).rejects.toThrow('the page size must be a whole number from 1 to 1000, not 0');
    await expect(queryAudit(db, { since: middle, until: middle })).rejects.toThrow(/the time range is empty/);
    await expect(queryAudit(db, { action: '' })).rejects.toThrow(/the action filter is empty/);
  });

  it('the address, action-prefix, actor and agency filters can use their indexes', async () => {
    const client = await db.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const plan = async (where: string, params: unknown[]) =>
        JSON.stringify((await client.query(`EXPLAIN (FORMAT JSON) SELECT id FROM audit_events WHERE ${where} ORDER BY id DESC LIMIT 51`, params)).rows[0]);
      expect(await plan('audit_source_inet(source) <<= $1::inet', ['10.0.0.0/8'])).toContain('audit_events_source_ip');
      expect(await plan('action COLLATE "C" >= $1 AND action COLLATE "C" < $2', ['auth.', 'auth/'])).toContain('audit_events_action');
      expect(await plan('actor = $1', ['annv@yenbai.gov.vn'])).toContain('audit_events_actor');
      expect(await plan('agency_id = ANY($1::bigint[])', [[1, 2]])).toContain('audit_events_agency');
    } finally {
      await client.query('RESET enable_seqscan');
      client.release();
    }
  });
});

class Collect extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.chunks.push(chunk);
    // a slow reader: back-pressure must hold the export, not lose data
    setTimeout(done, 1);
  }
  text() {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** exports into a slow writable, ends it and waits until it took everything */
async function exportTo(out: Collect, ...args: [AuditFilter, 'csv' | 'jsonl', { excel?: boolean }?]): Promise<number> {
  const count = await exportAudit(db, args[0], args[1], out, args[2]);
  out.end();
  await finished(out);
  return count;
}

describe('exportAudit', () => {
  it('writes JSON lines, one event a line, oldest first', async () => {
    const out = new Collect({ highWaterMark: 64 });
    expect(await exportTo(out, { agencyId: [1, 2] }, 'jsonl')).toBe(4);
    const lines = out.text().trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(pick(0, 1, 2, 3));
    expect(lines[2]).toMatchObject({ actor: 'cli:root', action: 'account.add', agencyId: 2, data: { displayName: 'Lê Thị Bình' }, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(Date.parse(lines[0].at)).not.toBeNaN();
  });

  it('writes RFC 4180 CSV: CRLF records, quoted fields with doubled quotes', async () => {
    const out = new Collect();
    expect(await exportTo(out, { actor: 'api:hr' }, 'csv')).toBe(1);
    const text = out.text();
    const [header, record, end] = text.split('\r\n');
    expect(header).toBe('id,at,actor,action,target,source,agency_id,data,prev_hash,hash');
    expect(end).toBe('');
    expect(record).toContain(',annv@yenbai.gov.vn,172.16.0.1,3,"{""after"":{""title"":""Chuyên viên, \\""phòng\\"" =1+1""},""before"":{""title"":""""}}",');
    expect(text.startsWith('\uFEFF')).toBe(false);
  });

  it('for Excel: a UTF-8 byte order mark, and formula-like cells made text', async () => {
    await appendAudit(db, { actor: '=HYPERLINK("http://evil")', action: 'auth.imap.failure', source: '10.9.9.9' });
    const out = new Collect();
    await exportTo(out, { ip: '10.9.9.9' }, 'csv', { excel: true });
    const bytes = Buffer.concat(out.chunks);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(out.text()).toContain(`,"'=HYPERLINK(""http://evil"")",auth.imap.failure,`);
  });

  it('streams a log larger than one batch', async () => {
    await Promise.all(Array.from({ length: 2500 }, (_, i) => appendAudit(db, { actor: 'bulk', action: 'auth.imap.failure', source: `10.7.${i >> 8}.${i & 255}` })));
    const out = new Collect({ highWaterMark: 1024 });
    expect(await exportTo(out, { actor: 'bulk' }, 'jsonl')).toBe(2500);
    const lines = out.text().trimEnd().split('\n').map((l) => JSON.parse(l).id as number);
    expect(lines).toHaveLength(2500);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  });
});
