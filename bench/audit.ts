/**
 * The audit benchmark: append BENCH_AUDIT_EVENTS events (default 100,000) into one hash
 * chain from BENCH_AUDIT_CLIENTS clients (default 8: separate connection pools, as
 * separate server processes would be) with BENCH_AUDIT_CALLERS concurrent appends in all
 * (default 64: logins arriving at once); then as many again from one pool of that many
 * connections (one server process, whose appender batches all 64); then verify the whole
 * chain. Against a private embedded PostgreSQL with its durable
 * defaults (fsync, synchronous_commit on), as a production server runs it. The
 * reference is the same number of plain INSERTs of the same rows into a copy of the
 * table with the same indexes but no chain, so the ratio shows what chaining costs; for
 * verify, the same rows streamed through the same kind of cursor without hashing.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerCleanup } from './lib/cleanup.js';
import { intEnv } from './lib/options.js';
import type { Metric } from './lib/report.js';
import { startEmbeddedPostgres } from '../src/store/embedded-postgres.js';
import { createPool, type Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { silentLogger } from '../src/shared/logger.js';
import { appendAudit, type AuditEvent } from '../src/audit/audit-log.js';
import { verifyAuditChain } from '../src/audit/verify.js';

const log = (text: string) => console.error(`audit: ${text}`);

const APPEND_TARGET = 5_000;
const VERIFY_TARGET = 100_000;

/** a login failure or an administrative change, as the server writes them */
function eventOf(i: number): AuditEvent {
  if (i % 3 === 0) {
    return { actor: `cli:admin`, action: 'account.update', target: `user${i % 3000}@yenbai.gov.vn`, source: 'cli', agencyId: 1 + (i % 40), data: { before: { quotaBytes: 1073741824 }, after: { quotaBytes: 2147483648 } } };
  }
  return {
    actor: `user${i % 3000}@yenbai.gov.vn`,
    action: 'auth.imap.failure',
    target: `user${i % 3000}@yenbai.gov.vn`,
    source: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    data: { service: 'imap', reason: 'bad-credentials', userAgent: 'Thunderbird 115.3.1' },
  };
}

/** every row read through a server-side cursor as verification reads them, nothing computed */
async function streamOnly(db: Db): Promise<number> {
  const client = await db.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`DECLARE bench_stream NO SCROLL CURSOR FOR SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), actor, action, target, source, agency_id, data, prev_hash, hash FROM audit_events ORDER BY id`);
    let rows = 0;
    for (;;) {
      const batch = await client.query({ text: 'FETCH 5000 FROM bench_stream', rowMode: 'array' });
      if (batch.rows.length === 0) return rows;
      rows += batch.rows.length;
    }
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
}

async function runClients(count: number, clients: number, work: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < count; i = next++) await work(i);
    }),
  );
  return (performance.now() - started) / 1000;
}

export async function runAuditBench(): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const events = intEnv('BENCH_AUDIT_EVENTS', 100_000);
  const clients = intEnv('BENCH_AUDIT_CLIENTS', 8);
  const callers = intEnv('BENCH_AUDIT_CALLERS', 64);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hopthu-bench-audit-'));
  chmodSync(tmp, 0o755);
  const removeTmp = registerCleanup('remove the audit bench directory', async () => rmSync(tmp, { recursive: true, force: true }));
  const pg = await startEmbeddedPostgres({ dir: path.join(tmp, 'postgres'), log: silentLogger });
  const stopPg = registerCleanup('audit bench PostgreSQL', () => pg.stop());
  const db: Db = createPool(pg.url, clients + 2);
  // one pool per client, as one per server process
  const pools: Db[] = Array.from({ length: clients }, () => createPool(pg.url, 2));
  try {
    await migrate(db);
    // the same columns, defaults and indexes, without the chain
    await db.query('CREATE TABLE bench_plain_events (LIKE audit_events INCLUDING ALL)');

    log(`reference: ${events} plain INSERTs (same table and indexes, no chain) from ${clients} connections`);
    const referenceSeconds = await runClients(events, clients, (i) => {
      const e = eventOf(i);
      return db.query('INSERT INTO bench_plain_events (actor, action, target, source, agency_id, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        e.actor, e.action, e.target ?? null, e.source ?? null, e.agencyId ?? null, JSON.stringify(e.data ?? {}), '', String(i),
      ]);
    });

    log(`appendAudit: ${events} events from ${clients} clients, ${callers} concurrent appends`);
    const appendSeconds = await runClients(events, callers, (i) => appendAudit(pools[i % clients]!, eventOf(i)));
    const appendRate = events / appendSeconds;
    log(`appended at ${Math.round(appendRate)}/s; again from one pool of ${clients} connections (one server process)`);
    const single = createPool(pg.url, clients);
    const singleSeconds = await runClients(events, callers, (i) => appendAudit(single, eventOf(i))).finally(() => single.end());
    const singleRate = events / singleSeconds;
    log(`appended at ${Math.round(singleRate)}/s; verifying`);

    // the reference: the same rows through the same kind of cursor, not hashed
    const streamStarted = performance.now();
    const streamed = await streamOnly(db);
    const streamRate = streamed / ((performance.now() - streamStarted) / 1000);

    const verifyStarted = performance.now();
    const check = await verifyAuditChain(db);
    const verifySeconds = (performance.now() - verifyStarted) / 1000;
    if (!check.ok || check.events !== 2 * events) throw new Error(`the benchmark's chain did not verify: ${JSON.stringify(check)}`);
    const verifyRate = check.events / verifySeconds;
    const tableBytes = (await db.query<{ size: number }>("SELECT pg_total_relation_size('audit_events') AS size")).rows[0]?.size ?? 0;

    const metrics: Metric[] = [
      {
        bench: 'audit',
        metric: `append, ${clients} clients × ${callers / clients} concurrent`,
        unit: '/s',
        hopthu: appendRate,
        reference: events / referenceSeconds,
        ratio: appendRate / (events / referenceSeconds),
        target: `≥ ${APPEND_TARGET.toLocaleString('en-US')}/s`,
        met: appendRate >= APPEND_TARGET,
      },
      {
        bench: 'audit',
        metric: `append, 1 client (${clients} connections) × ${callers} concurrent`,
        unit: '/s',
        hopthu: singleRate,
        reference: events / referenceSeconds,
        ratio: singleRate / (events / referenceSeconds),
        target: `≥ ${APPEND_TARGET.toLocaleString('en-US')}/s`,
        met: singleRate >= APPEND_TARGET,
      },
      { bench: 'audit', metric: 'verify', unit: '/s', hopthu: verifyRate, reference: streamRate, ratio: verifyRate / streamRate, target: `≥ ${VERIFY_TARGET.toLocaleString('en-US')}/s`, met: verifyRate >= VERIFY_TARGET },
    ];
    return { metrics, details: { events, clients, callers, appendSeconds, singleSeconds, referenceSeconds, verifySeconds, streamRate, tableBytes, durable: 'fsync and synchronous_commit on' } };
  } finally {
    for (const p of pools) await p.end();
    await db.end();
    await pg.stop();
    stopPg();
    rmSync(tmp, { recursive: true, force: true });
    removeTmp();
  }
}
