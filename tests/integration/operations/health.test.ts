import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { ImapFlow } from 'imapflow';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually, messagesIn } from '../../support/fixtures.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Account } from '../../../src/identity/accounts.js';
import { connectRedis } from '../../../src/store/redis.js';
import { startHealth } from '../../../src/cli/health.js';
import { freePort } from '../../support/ports.js';

let env: TestEnv;
let server: RunningServer;
let an: Account;
const get = async (path: string) => {
  const res = await fetch(`http://127.0.0.1:${server.ports.health}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
};
/** the value of one sample line of the Prometheus text, e.g. 'hopthu_logins_total{service="imap",result="failure"}' */
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start();
  await addTestDomain(server.runtime.db, 'yenbai.gov.vn');
  an = await addTestAccount(server.runtime.db, server.runtime.config, 'annv@yenbai.gov.vn', { password: 'mat-khau-that-dai-2026' });
});
afterAll(async () => {
  await env?.stop();
});

describe('health and metrics, on every process', () => {
  it('/healthz says the process runs and with which roles; /readyz that PostgreSQL and Redis answer', async () => {
    const health = await get('/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ ok: true, roles: ['smtp', 'imap', 'worker', 'web'] });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ ok: true, checks: { postgres: 'ok', redis: 'ok' } });
    expect((await get('/nothing')).status).toBe(404);
  });

  it('/metrics counts SMTP sessions, refusals, acceptances, delivery latency, IMAP commands, logins and the queue', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: server.ports.mx!, tls: { rejectUnauthorized: false } });
    await transport.sendMail({ from: 'vanphong@example.test', to: 'annv@yenbai.gov.vn', subject: 'Giấy mời', text: 'Kính mời' });
    await expect(transport.sendMail({ from: 'vanphong@example.test', to: 'khongco@yenbai.gov.vn', subject: 'x', text: 'x' })).rejects.toThrow();
    transport.close();
    await eventually(async () => ((await messagesIn(server.runtime.db, an.id)).length === 1 ? true : undefined), 20_000, 'the delivery');
    const imap = new ImapFlow({ host: '127.0.0.1', port: server.ports.imap!, secure: false, doSTARTTLS: false, auth: { user: 'annv@yenbai.gov.vn', pass: 'sai' }, logger: false });
    imap.on('error', () => {});
    await imap.connect().catch(() => {});

    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = metrics.body;
    expect(sample(text, 'hopthu_smtp_sessions_total{listener="mx"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'hopthu_smtp_messages_accepted_total{listener="mx"}')).toBe(1);
    expect(sample(text, 'hopthu_smtp_refusals_total{code="550 5.1.1"}')).toBe(1);
    expect(sample(text, 'hopthu_delivery_latency_seconds_count')).toBe(1);
    // imapflow logs in with AUTHENTICATE PLAIN (SASL-IR) or LOGIN, whichever it prefers
    expect((sample(text, 'hopthu_imap_commands_total{command="AUTHENTICATE"}') ?? 0) + (sample(text, 'hopthu_imap_commands_total{command="LOGIN"}') ?? 0)).toBe(1);
    expect(sample(text, 'hopthu_imap_commands_total{command="CAPABILITY"}') ?? 1).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'hopthu_logins_total{service="imap",result="failure"}')).toBe(1);
    expect(sample(text, 'hopthu_queue_messages')).toBe(0);
    expect(sample(text, 'hopthu_blobs')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(text).toContain('# TYPE hopthu_delivery_latency_seconds histogram');
  });

  it('/readyz answers 503 with the reason when Redis is gone', async () => {
    // a process whose Redis is unreachable (a port nothing listens on)
    const dead = connectRedis(`redis://127.0.0.1:${await freePort()}`, { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
    dead.on('error', () => {});
    const health = await startHealth({ db: server.runtime.db, redis: dead, log: server.runtime.log, roles: ['imap'] }, 0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${health.port}/readyz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { ok: boolean; checks: Record<string, string> };
      expect(body.ok).toBe(false);
      expect(body.checks.postgres).toBe('ok');
      expect(body.checks.redis).not.toBe('ok');
    } finally {
      await health.close();
      dead.disconnect();
    }
  });
});
