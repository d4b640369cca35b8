import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { loadTlsMaterial } from '../../../src/store/tls.js';
import { appendAudit } from '../../../src/audit/audit-log.js';
import { startSyslogForwarder, type SyslogForwarder, type SyslogForwarderOptions } from '../../../src/audit/syslog-forwarder.js';
import { parseSyslog, startReceiver } from './syslog-receiver.js';

let env: TestEnv;
let db: Db;
const forwarders: SyslogForwarder[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  db = createPool(env.databaseUrl, 6);
  await migrate(db);
});

afterAll(async () => {
  for (const f of forwarders) await f.stop();
  await db?.end();
  await env?.stop();
});

function forward(target: SyslogForwarderOptions['target'], name: string) {
  const f = startSyslogForwarder({ db, log: env.log, target, hostname: 'mail.yenbai.gov.vn', name, pollMs: 30, retryMs: { min: 50, max: 200 } });
  forwarders.push(f);
  return f;
}

const append = (n: number, from = 0) =>
  Promise.all(Array.from({ length: n }, (_, i) => appendAudit(db, { actor: `user${from + i}@yenbai.gov.vn`, action: 'auth.imap.failure', target: `user${from + i}@yenbai.gov.vn`, source: '10.1.2.3', data: { n: from + i } })));

const position = async (name: string) => (await db.query('SELECT last_id FROM audit_forwarding WHERE name = $1', [name])).rows[0]?.last_id as number | undefined;

describe('syslog forwarding', () => {
  it('sends RFC 5424 messages with the event as structured data, octet-counted over TCP', async () => {
    const receiver = await startReceiver();
    const [e] = await Promise.all([
      appendAudit(db, { actor: 'cli:root', action: 'account.update', target: 'annv@yenbai.gov.vn', source: 'cli', agencyId: 7, data: { before: { name: 'An' }, after: { name: 'Nguyễn Văn "An"]' } } }),
    ]);
    const f = forward({ host: '127.0.0.1', port: receiver.port, tls: false }, 'format');
    await receiver.waitFor(1);
    const m = parseSyslog(receiver.messages[0]!);
    // facility 13 (log audit), severity 5 (notice)
    expect(m).toMatchObject({ pri: 13 * 8 + 5, timestamp: e!.at.toISOString(), hostname: 'mail.yenbai.gov.vn', app: 'hopthu', procid: '-', msgid: 'account.update', sdId: 'hopthu@32473' });
    expect(m.params).toEqual({ id: String(e!.id), actor: 'cli:root', action: 'account.update', target: 'annv@yenbai.gov.vn', source: 'cli', agency: '7', hash: e!.hash, prevHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(m.msg).toEqual({ before: { name: 'An' }, after: { name: 'Nguyễn Văn "An"]' } });
    await f.stop();
    await receiver.stop();
  });

  it('survives the receiver being down, and resumes after a restart without gaps or repeats', async () => {
    const receiver = await startReceiver();
    const start = (await db.query('SELECT max(id)::int AS id FROM audit_events')).rows[0].id as number;
    await db.query("INSERT INTO audit_forwarding (name, last_id) VALUES ('resume', $1)", [start]);
    await append(5);
    const f = forward({ host: '127.0.0.1', port: receiver.port, tls: false }, 'resume');
    await receiver.waitFor(5);

    // the receiver goes away; events keep coming; it comes back on the same port
    await receiver.stop();
    await append(4, 5);
    await new Promise((r) => setTimeout(r, 300));
    const back = await startReceiver({ port: receiver.port, messages: receiver.messages });
    await back.waitFor(9);

    // the forwarder stops cleanly; more events; a new forwarder (a restarted server) resumes
    await f.stop();
    expect(await position('resume')).toBe(f.forwardedThrough);
    await append(3, 9);
    const again = forward({ host: '127.0.0.1', port: back.port, tls: false }, 'resume');
    await back.waitFor(12);
    await new Promise((r) => setTimeout(r, 200));
    const ids = back.messages.map((m) => Number(parseSyslog(m).params.id));
    const expected = (await db.query('SELECT id FROM audit_events WHERE id > $1 ORDER BY id', [start])).rows.map((r) => r.id as number);
    expect(ids).toEqual(expected);
    expect(ids).toHaveLength(12);
    await again.stop();
    await back.stop();
  });

  it('forwards over TLS to a receiver whose certificate the configured CA signed, and to no other', async () => {
    const material = await loadTlsMaterial({ dataDir: path.join(env.dir, 'syslog'), hostname: 'localhost' });
    const caFile = path.join(env.dir, 'syslog', 'tls', 'self-signed.crt');
    const receiver = await startReceiver({ tls: { key: material.key, cert: material.cert } });
    const start = (await db.query('SELECT max(id)::int AS id FROM audit_events')).rows[0].id as number;
    await db.query("INSERT INTO audit_forwarding (name, last_id) VALUES ('tls', $1), ('untrusted', $1)", [start]);
    await append(3, 100);

    // without the CA the certificate is not trusted: nothing is sent, the position stays
    const untrusted = forward({ host: 'localhost', port: receiver.port, tls: true }, 'untrusted');
    await new Promise((r) => setTimeout(r, 400));
    expect(receiver.messages).toHaveLength(0);
    await untrusted.stop();
    expect(await position('untrusted')).toBe(start);

    const f = forward({ host: 'localhost', port: receiver.port, tls: true, caFile }, 'tls');
    await receiver.waitFor(3);
    expect(receiver.messages.map((m) => parseSyslog(m).params.actor)).toEqual(['user100@yenbai.gov.vn', 'user101@yenbai.gov.vn', 'user102@yenbai.gov.vn']);
    // failures are warnings (severity 4)
    expect(parseSyslog(receiver.messages[0]!).pri).toBe(13 * 8 + 4);
    await f.stop();
    expect(await position('tls')).toBe(f.forwardedThrough);
    await receiver.stop();
  });

  it('the worker role forwards when audit.syslog is configured', async () => {
    const receiver = await startReceiver();
    const server = await env.start({ 'audit.syslog': { host: '127.0.0.1', port: receiver.port } }, ['worker']);
    await appendAudit(db, { actor: 'worker-check', action: 'domain.add', target: 'yenbai.gov.vn' });
    const until = Date.now() + 15_000;
    while (!receiver.messages.some((m) => parseSyslog(m).params.actor === 'worker-check')) {
      if (Date.now() > until) throw new Error(`the worker forwarded ${receiver.messages.length} messages, none of them the new event`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await server.stop();
    const all = (await db.query('SELECT count(*)::int AS n FROM audit_events')).rows[0].n as number;
    expect(receiver.messages).toHaveLength(all);
    expect(await position('syslog')).toBe((await db.query('SELECT max(id)::int AS id FROM audit_events')).rows[0].id);
    await receiver.stop();
  });
});
