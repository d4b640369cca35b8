/**
 * hopthu as an administrator runs it: built to dist/, started as `node dist/cli/main.js
 * start` with HOPTHU_* variables only, its own embedded PostgreSQL (durable defaults)
 * and redis-server (append-only) under a fresh data directory, stopped with SIGTERM.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerCleanup } from '../lib/cleanup.js';
import { fromDist, ROOT } from '../lib/dist.js';
import { freePort, startChild, waitForPort, type Child } from '../lib/child.js';
import { LOCAL_DOMAIN } from './messages.js';
import { statementStatsEnv } from '../lib/statements.js';

export function buildDist() {
  const started = performance.now();
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch (err) {
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`the build failed (npx tsc -p tsconfig.build.json; BENCH_SKIP_BUILD=1 benches the dist/ there is):\n${out.split('\n').slice(0, 30).join('\n')}`);
  }
  return (performance.now() - started) / 1000;
}

export interface Hopthu {
  child: Child;
  mxPort: number;
  dataDir: string;
  /** connection string of the embedded cluster (its Unix socket) */
  databaseUrl: string;
  /** the settings it was started with, for the report */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startHopthu(opts: { dnsAddress: string; connections: number; profileDir?: string }): Promise<Hopthu> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hopthu-bench-'));
  // the embedded PostgreSQL runs as the user postgres when we are root: it must traverse this
  chmodSync(tmp, 0o755);
  const removeTmp = registerCleanup('remove the bench data directory', async () => rmSync(tmp, { recursive: true, force: true }));
  const dataDir = path.join(tmp, 'data');
  const [smtp, submission, submissions, imap, imaps, http, health] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const env: Record<string, string> = {
    HOPTHU_DATA_DIR: dataDir,
    // as npm start and the deploy/ units run it
    MALLOC_ARENA_MAX: '2',
    HOPTHU_LISTEN_HOST: '127.0.0.1',
    HOPTHU_PORTS__SMTP: String(smtp),
    HOPTHU_PORTS__SUBMISSION: String(submission),
    HOPTHU_PORTS__SUBMISSIONS: String(submissions),
    // every role runs, as in production: the others on free ports too
    HOPTHU_PORTS__IMAP: String(imap),
    HOPTHU_PORTS__IMAPS: String(imaps),
    HOPTHU_PORTS__HTTP: String(http),
    HOPTHU_PORTS__HEALTH: String(health),
    HOPTHU_HOSTNAME: 'mx.bench.test',
    HOPTHU_DNS__SERVERS: JSON.stringify([opts.dnsAddress]),
    HOPTHU_LOG__LEVEL: 'warn',
    ...statementStatsEnv(),
    // the default, 600 a minute from one IP, is a guard against one abusive client; the
    // bench is one sending MTA with the traffic of many, like a national relay
    HOPTHU_SMTP__MAX_MESSAGES_PER_IP_PER_MINUTE: '1000000',
    ...(opts.connections > 20 ? { HOPTHU_SMTP__MAX_CONNECTIONS_PER_IP: String(opts.connections) } : {}),
  };
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('HOPTHU_') && k !== 'DATABASE_URL' && k !== 'REDIS_URL'),
  );
  // cwd is the empty temp dir so no ./hopthu.yaml is picked up
  const profile = opts.profileDir ? ['--cpu-prof', '--cpu-prof-dir', opts.profileDir] : [];
  const child = startChild('hopthu', process.execPath, [...profile, path.join(ROOT, 'dist/cli/main.js'), 'start'], { cwd: tmp, env: { ...inherited, ...env } });
  await waitForPort(smtp, child, 180_000);
  const databaseUrl = `postgresql://hopthu@/hopthu?host=${encodeURIComponent(path.join(dataDir, 'postgres'))}&port=5432`;
  return {
    child,
    mxPort: smtp,
    dataDir,
    databaseUrl,
    env,
    async stop() {
      await child.stop(40_000);
      rmSync(tmp, { recursive: true, force: true });
      removeTmp();
    },
  };
}

/** The local domain and `count` accounts user0..user{count-1}, each with its default folders. */
export async function provision(databaseUrl: string, count: number): Promise<void> {
  const { createPool, transaction } = await fromDist<typeof import('../../src/store/db.js')>('store/db.js');
  const { addDomain } = await fromDist<typeof import('../../src/identity/domains.js')>('identity/domains.js');
  const { addAccount } = await fromDist<typeof import('../../src/identity/accounts.js')>('identity/accounts.js');
  const { createDefaultMailboxes } = await fromDist<typeof import('../../src/mail/mailboxes.js')>('mail/mailboxes.js');
  const { generateDkimKeyPair } = await fromDist<typeof import('../../src/identity/dkim-keys.js')>('identity/dkim-keys.js');
  const db = createPool(databaseUrl, 2);
  try {
    const key = await generateDkimKeyPair(LOCAL_DOMAIN);
    await addDomain(db, LOCAL_DOMAIN, { selector: key.selector, privateKeyPem: key.privateKeyPem, publicKeyPem: key.publicKeyPem });
    await transaction(db, async (client) => {
      for (let i = 0; i < count; i++) {
        const account = await addAccount(client, { address: `user${i}@${LOCAL_DOMAIN}`, displayName: `Cán bộ ${i}`, quotaBytes: 2 * 1024 ** 3 });
        await createDefaultMailboxes(client, account.id);
      }
    });
  } finally {
    await db.end();
  }
}
