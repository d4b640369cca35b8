/**
 * Memory of idle authenticated connections: `count` connections to the IMAPS port (TLS),
 * each logged in (LOGIN) and left idle in the authenticated state, opened `parallel` at
 * a time from 127.0.0.2.. (spread like real clients, and under per-IP limits). Memory of
 * the server's process tree is read before (after a warm-up of 50 connections opened and
 * closed) and after (once the last login settled), each the mean of three samples:
 *   rootRss   the root process (hopthu's node process; Dovecot's master)
 *   rootPss   its proportional set size (hopthu's PostgreSQL backends come and go, so the
 *             tree's sum is not a measure of hopthu's connections)
 *   totalRss  every process summed (Dovecot: one imap process per connection)
 *   totalPss  proportional set size summed: shared pages split among their users
 */
import { readFileSync } from 'node:fs';
import { processTree, sampleMemory } from '../lib/memory.js';
import { ImapClient } from './client.js';
import { loginCommand, type ImapServer, type ImapUser } from './server.js';

export interface MemoryReading {
  rootRss: number;
  rootPss: number;
  totalRss: number;
  totalPss: number;
  processes: number;
}

export interface IdleMemoryResult {
  requested: number;
  opened: number;
  /** connections refused or failed, by reason */
  failures: Record<string, number>;
  before: MemoryReading;
  after: MemoryReading;
  /** seconds to open and log in all of them */
  openSeconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pssOf(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN) * 1024;
  } catch {
    return NaN;
  }
}

async function readMemory(pid: number): Promise<MemoryReading> {
  const readings: MemoryReading[] = [];
  for (let k = 0; k < 3; k++) {
    if (k) await sleep(500);
    const tree = processTree(pid);
    const s = sampleMemory(pid, tree, true);
    readings.push({ rootRss: s.rootRss, rootPss: pssOf(pid), totalRss: s.totalRss, totalPss: s.totalPss, processes: tree.length });
  }
  const mean = (f: (r: MemoryReading) => number) => readings.reduce((n, r) => n + f(r), 0) / readings.length;
  return { rootRss: mean((r) => r.rootRss), rootPss: mean((r) => r.rootPss), totalRss: mean((r) => r.totalRss), totalPss: mean((r) => r.totalPss), processes: Math.round(mean((r) => r.processes)) };
}

/** Opens and logs in `count` connections; all of them are returned (to be closed), `loggedIn` counts those that logged in. */
async function openMany(server: ImapServer, users: ImapUser[], count: number, parallel: number, sourceOf: (k: number) => string, failures: Record<string, number>): Promise<{ clients: ImapClient[]; loggedIn: number }> {
  const clients: ImapClient[] = [];
  let loggedIn = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let k = next++; k < count; k = next++) {
        try {
          const client = await ImapClient.connect({ port: server.imapsPort, tls: true, localAddress: sourceOf(k) });
          clients.push(client);
          await client.ok(loginCommand(users[k % users.length]!));
          loggedIn++;
        } catch (err) {
          const reason = (err as Error).message.slice(0, 160);
          failures[reason] = (failures[reason] ?? 0) + 1;
        }
      }
    }),
  );
  return { clients, loggedIn };
}

export async function measureIdleMemory(
  server: ImapServer,
  o: { users: ImapUser[]; count: number; parallel: number; sourceOf(k: number): string },
): Promise<IdleMemoryResult> {
  const failures: Record<string, number> = {};
  // warm-up: code paths loaded and compiled, TLS session machinery allocated
  for (const c of (await openMany(server, o.users, 50, 10, o.sourceOf, {})).clients) await c.logout();
  await sleep(2000);
  const before = await readMemory(server.pid);
  const started = performance.now();
  const { clients, loggedIn } = await openMany(server, o.users, o.count, o.parallel, o.sourceOf, failures);
  const openSeconds = (performance.now() - started) / 1000;
  // let the last logins' work (audit writes, garbage) settle
  await sleep(3000);
  const after = await readMemory(server.pid);
  for (const c of clients) c.close();
  await sleep(1000);
  return { requested: o.count, opened: loggedIn, failures, before, after, openSeconds };
}
