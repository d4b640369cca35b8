import http from 'node:http';
import type { Redis } from 'ioredis';
import type { Db } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import { blobBytes, blobCount, processCpu, processMemory, queueDepth, queueOldest, renderMetrics } from '../shared/metrics.js';

export interface HealthDeps {
  db: Db;
  redis: Redis;
  log: Logger;
  roles: readonly string[];
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms).unref())]);

/** Is this process able to serve? PostgreSQL and Redis both answer. */
async function readiness(deps: HealthDeps): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const checks: Record<string, string> = {};
  await Promise.all([
    withTimeout(deps.db.query('SELECT 1'), 2000, 'PostgreSQL').then(() => (checks.postgres = 'ok'), (e: Error) => (checks.postgres = e.message)),
    withTimeout(deps.redis.ping(), 2000, 'Redis').then(() => (checks.redis = 'ok'), (e: Error) => (checks.redis = e.message)),
  ]);
  return { ok: Object.values(checks).every((v) => v === 'ok'), checks };
}

/** the gauges read from PostgreSQL at scrape time; the blob store's size at most once a minute (a sum over every blob) */
let blobsReadAt = 0;
async function collect(db: Db): Promise<void> {
  const { rows } = await db.query<{ n: number; oldest: number | null }>(
    'SELECT count(*)::bigint AS n, extract(epoch FROM now() - min(received_at))::float8 AS oldest FROM spool WHERE done_at IS NULL',
  );
  queueDepth.set({}, rows[0]?.n ?? 0);
  queueOldest.set({}, Math.max(0, rows[0]?.oldest ?? 0));
  if (Date.now() - blobsReadAt > 60_000) {
    const b = await db.query<{ n: number; bytes: number }>('SELECT count(*)::bigint AS n, COALESCE(sum(size), 0)::bigint AS bytes FROM blobs');
    blobCount.set({}, b.rows[0]?.n ?? 0);
    blobBytes.set({}, b.rows[0]?.bytes ?? 0);
    blobsReadAt = Date.now();
  }
  processMemory.set({}, process.memoryUsage.rss());
  const cpu = process.cpuUsage();
  processCpu.set({}, (cpu.user + cpu.system) / 1e6);
}

/**
 * Every process, whatever its roles, answers on `ports.health`: /healthz (the process is
 * running), /readyz (it can reach PostgreSQL and Redis; 503 and the reason otherwise), and
 * /metrics (Prometheus text).
 */
export async function startHealth(deps: HealthDeps, port: number, host: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const answer = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return answer(405, 'text/plain; charset=utf-8', 'GET only\n');
    if (path === '/healthz') return answer(200, 'application/json', JSON.stringify({ ok: true, roles: deps.roles }) + '\n');
    if (path === '/readyz') {
      readiness(deps).then((r) => answer(r.ok ? 200 : 503, 'application/json', JSON.stringify(r) + '\n'));
      return;
    }
    if (path === '/metrics') {
      collect(deps.db)
        .catch((err: Error) => deps.log.warn({ err: err.message }, 'metrics from PostgreSQL could not be read'))
        .then(() => answer(200, 'text/plain; version=0.0.4; charset=utf-8', renderMetrics()));
      return;
    }
    answer(404, 'text/plain; charset=utf-8', 'not found: /healthz, /readyz, /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
