/**
 * hopthu for the IMAP bench: `node dist/cli/main.js start --roles imap,worker` (the worker
 * role makes search text in the background, as a one-process installation does) with
 * HOPTHU_* variables only, its own embedded PostgreSQL and redis-server under a fresh data
 * directory; accounts provisioned with the dist/ functions, each with an IMAP app
 * password (what mail clients use: a SHA-256 lookup, no argon2 per login).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerCleanup } from '../lib/cleanup.js';
import { fromDist, ROOT } from '../lib/dist.js';
import { freePort, startChild, waitForPort } from '../lib/child.js';
import { provision } from '../smtp/hopthu.js';
import { DOMAIN } from './messages.js';
import type { ImapServer, ImapUser } from './server.js';
import { statementStatsEnv } from '../lib/statements.js';

export async function startHopthuImap(opts: { accounts: number; maxConnectionsPerIp?: number; profileDir?: string; roles?: string; distDir?: string; name?: ImapServer['name'] }): Promise<ImapServer & { env: Record<string, string>; lines: string[]; databaseUrl: string; httpPort: number }> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hopthu-bench-imap-'));
  // the embedded PostgreSQL runs as the user postgres when we are root: it must traverse this
  chmodSync(tmp, 0o755);
  const removeTmp = registerCleanup('remove the IMAP bench data directory', async () => rmSync(tmp, { recursive: true, force: true }));
  const dataDir = path.join(tmp, 'data');
  const [imap, imaps, smtp, submission, submissions, http, health] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const env: Record<string, string> = {
    HOPTHU_DATA_DIR: dataDir,
    // as npm start and the deploy/ units run it
    MALLOC_ARENA_MAX: '2',
    HOPTHU_LISTEN_HOST: '127.0.0.1',
    HOPTHU_PORTS__IMAP: String(imap),
    HOPTHU_PORTS__IMAPS: String(imaps),
    // not listened on (roles imap,worker; the webmail bench adds web), but kept off the defaults another instance may hold
    HOPTHU_PORTS__SMTP: String(smtp),
    HOPTHU_PORTS__SUBMISSION: String(submission),
    HOPTHU_PORTS__SUBMISSIONS: String(submissions),
    HOPTHU_PORTS__HTTP: String(http),
    HOPTHU_PORTS__HEALTH: String(health),
    HOPTHU_HOSTNAME: 'imap.bench.test',
    HOPTHU_LOG__LEVEL: 'warn',
    ...statementStatsEnv(),
    ...(opts.maxConnectionsPerIp ? { HOPTHU_IMAP__MAX_CONNECTIONS_PER_IP: String(opts.maxConnectionsPerIp) } : {}),
  };
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('HOPTHU_') && k !== 'DATABASE_URL' && k !== 'REDIS_URL'),
  );
  // cwd is the empty temp dir so no ./hopthu.yaml is picked up
  const profile = opts.profileDir ? ['--cpu-prof', '--cpu-prof-dir', opts.profileDir] : [];
  const child = startChild('hopthu (imap)', process.execPath, [...profile, path.join(opts.distDir ?? path.join(ROOT, 'dist'), 'cli/main.js'), 'start', '--roles', opts.roles ?? 'imap,worker'], { cwd: tmp, env: { ...inherited, ...env } });
  try {
    await waitForPort(imaps, child, 180_000);
    const databaseUrl = `postgresql://hopthu@/hopthu?host=${encodeURIComponent(path.join(dataDir, 'postgres'))}&port=5432`;
    const users = await provisionWithAppPasswords(databaseUrl, opts.accounts);
    return {
      name: opts.name ?? 'hopthu',
      imapPort: imap,
      imapsPort: imaps,
      pid: child.pid,
      users,
      env,
      lines: child.lines,
      databaseUrl,
      httpPort: http,
      async stop() {
        await child.stop(40_000);
        rmSync(tmp, { recursive: true, force: true });
        removeTmp();
      },
    };
  } catch (err) {
    await child.stop(10_000);
    throw err;
  }
}

/** user0..user{count-1}@bench.test (smtp/hopthu.ts's provision), each with an IMAP app password. */
async function provisionWithAppPasswords(databaseUrl: string, count: number): Promise<ImapUser[]> {
  await provision(databaseUrl, count);
  const { createPool, transaction } = await fromDist<typeof import('../../src/store/db.js')>('store/db.js');
  const { getAccount } = await fromDist<typeof import('../../src/identity/accounts.js')>('identity/accounts.js');
  const { createAppPassword } = await fromDist<typeof import('../../src/identity/app-passwords.js')>('identity/app-passwords.js');
  const db = createPool(databaseUrl, 2);
  try {
    return await transaction(db, async (client) => {
      const users: ImapUser[] = [];
      for (let i = 0; i < count; i++) {
        const account = await getAccount(client, `user${i}@${DOMAIN}`);
        const { secret } = await createAppPassword(client, account, { name: 'bench mail client', scopes: ['imap'] }, { actor: 'bench' });
        users.push({ user: account.address, password: secret });
      }
      return users;
    });
  } finally {
    await db.end();
  }
}

/** Blobs still waiting for their search text (the worker's indexer drains it in the background). */
export async function searchBacklog(databaseUrl: string): Promise<number> {
  const { createPool } = await fromDist<typeof import('../../src/store/db.js')>('store/db.js');
  const db = createPool(databaseUrl, 1);
  try {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM search_backlog');
    return rows[0]?.n ?? 0;
  } finally {
    await db.end();
  }
}
