/**
 * The IMAP benchmark: the same workload first against a throwaway Dovecot (the reference,
 * when /usr/sbin/dovecot is installed), then against hopthu (`start --roles imap,worker`),
 * each server alone on the machine:
 *   1. BENCH_IMAP_IDLE_CONNECTIONS (5,000) idle logged-in TLS connections, first, on the
 *      freshly started server: memory growth per connection;
 *   2. a mailbox of BENCH_IMAP_MESSAGES (10,000) ~4 KB Vietnamese messages, filled by
 *      MULTIAPPEND: SELECT, UID FETCH 1:* (FLAGS ENVELOPE), SEARCH SUBJECT/FROM/BODY,
 *      median of BENCH_IMAP_REPETITIONS (5);
 *   3. BENCH_IMAP_CLIENTS (50) clients for BENCH_IMAP_SECONDS (30) of select, fetch,
 *      store, append, expunge and idle on shared mailboxes: operations/s and errors.
 * BENCH_IMAP_REFERENCE=0 skips Dovecot even when it is installed.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { startMemorySampler, summarizeMemory } from './lib/memory.js';
import { intEnv, type BenchOptions } from './lib/options.js';
import type { Metric } from './lib/report.js';
import { buildDist } from './smtp/hopthu.js';
import { timeBigMailbox } from './imap/big-mailbox.js';
import { dovecotInstalled, dovecotVersion, startDovecot } from './imap/dovecot.js';
import { searchBacklog, startHopthuImap } from './imap/hopthu.js';
import { measureIdleMemory } from './imap/idle-memory.js';
import { metricsOf, pssPerConnection, rssPerConnection, type ImapRun, type ImapSettings } from './imap/metrics.js';
import { populateAll } from './imap/populate.js';
import type { ImapServer } from './imap/server.js';
import { readStatements, resetStatements } from './lib/statements.js';
import { runWorkload } from './imap/workload.js';

const log = (text: string) => console.error(`imap: ${text}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** mailboxes the workload's clients share (user1..), each filled with WORKLOAD_MESSAGES, CLIENTS_PER_MAILBOX clients on each */
const WORKLOAD_MAILBOXES = 10;
const WORKLOAD_MESSAGES = 500;
/** how long each workload loop stays in IDLE */
const IDLE_MS = 50;
/** idle connections per account (user1.., round robin): a person with a few devices, well under imap.maxConnectionsPerUser */
const IDLE_PER_ACCOUNT = 5;
/** source addresses 127.0.0.2.. the clients are spread over */
const SOURCES = 200;
/** connections opened at once for the idle-memory test */
const OPEN_PARALLEL = 20;
/** hopthu's default imap.maxConnectionsPerIp */
const DEFAULT_MAX_PER_IP = 50;

const sourceOf = (k: number) => `127.0.0.${2 + (k % SOURCES)}`;

export async function runImapBench(opts: BenchOptions): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  const settings: ImapSettings = {
    messages: intEnv('BENCH_IMAP_MESSAGES', 10_000, 100),
    repetitions: intEnv('BENCH_IMAP_REPETITIONS', 5),
    clients: intEnv('BENCH_IMAP_CLIENTS', 50),
    seconds: intEnv('BENCH_IMAP_SECONDS', 30),
    idleConnections: intEnv('BENCH_IMAP_IDLE_CONNECTIONS', 5000),
  };
  const withReference = intEnv('BENCH_IMAP_REFERENCE', 1, 0) === 1;
  if (!opts.skipBuild) log(`built dist/ in ${buildDist().toFixed(1)} s`);
  const run = randomBytes(4).toString('hex');
  const accounts = 1 + Math.max(WORKLOAD_MAILBOXES, Math.ceil(settings.idleConnections / IDLE_PER_ACCOUNT));

  let reference: ImapRun | undefined;
  let referenceNote = 'skipped: BENCH_IMAP_REFERENCE=0';
  const dovecotWarnings: string[] = [];
  if (withReference && !dovecotInstalled()) {
    referenceNote = 'skipped: Dovecot is not installed (apt-get install dovecot-imapd to compare)';
    log(`reference ${referenceNote}`);
  } else if (withReference) {
    referenceNote = `Dovecot ${dovecotVersion()}`;
    log(`reference: starting a throwaway ${referenceNote}`);
    const dovecot = await startDovecot({ accounts, connections: settings.idleConnections + settings.clients });
    try {
      reference = await runScenarios(dovecot, settings, run);
    } finally {
      dovecotWarnings.push(...dovecot.logLines().filter((l) => /(warning|error|fatal|panic)/i.test(l)).slice(0, 20));
      await dovecot.stop();
    }
  }

  log('hopthu: starting (roles imap,worker; embedded PostgreSQL and redis-server under a fresh data directory)');
  const perIp = Math.ceil(settings.idleConnections / SOURCES) + Math.ceil(settings.clients / SOURCES);
  // the default per-IP limit holds while the clients are spread over SOURCES addresses; raised only when it would not
  // BENCH_PROFILE=1: a V8 CPU profile of the node process, outside the checkout (megabytes, not a result to keep)
  const profileDir = opts.profile ? path.join(os.tmpdir(), 'hopthu-bench-profiles') : undefined;
  if (profileDir) log(`hopthu: a CPU profile of its node process goes to ${profileDir}`);
  const hopthu = await startHopthuImap({ accounts, ...(perIp > DEFAULT_MAX_PER_IP - 5 ? { maxConnectionsPerIp: perIp + 10 } : {}), ...(profileDir ? { profileDir } : {}) });
  let hop: ImapRun;
  try {
    hop = await runScenarios(hopthu, settings, run, async () => {
      // the worker makes search text in the background; measure searches once it has caught up
      const started = performance.now();
      let left = await searchBacklog(hopthu.databaseUrl);
      while (left > 0 && performance.now() - started < 120_000) {
        await sleep(1000);
        left = await searchBacklog(hopthu.databaseUrl);
      }
      log(`hopthu: search backlog ${left ? `still ${left} after` : 'drained in'} ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }, hopthu.databaseUrl);
  } finally {
    await hopthu.stop();
  }

  const summary = (r: ImapRun) => ({
    populateSeconds: r.populateSeconds,
    bigMailboxMs: r.big.ms,
    searchHits: r.big.hits,
    fetchAllBytes: r.big.fetchAllBytes,
    workload: r.workload,
    workloadCpuSeconds: r.workloadMemory.cpuSeconds,
    workloadPeakPss: r.workloadMemory.peakTotalPss,
    idle: { ...r.idle, rssPerConnection: rssPerConnection(r, r === reference ? 'dovecot' : 'hopthu'), pssPerConnection: pssPerConnection(r, r === reference ? 'dovecot' : 'hopthu') },
  });
  return {
    metrics: metricsOf(settings, hop, reference),
    details: {
      settings: { ...settings, workloadMailboxes: WORKLOAD_MAILBOXES, workloadMessagesPerMailbox: WORKLOAD_MESSAGES, idleMs: IDLE_MS, sourceAddresses: SOURCES, idleConnectionsPerAccount: IDLE_PER_ACCOUNT },
      reference: referenceNote,
      hopthuEnvironment: hopthu.env,
      hopthuWarnings: hopthu.lines.filter((l) => /"level":(4|5|6)\d/.test(l)).slice(0, 20),
      dovecotWarnings,
      hopthu: summary(hop),
      ...(reference ? { dovecot: summary(reference) } : {}),
    },
  };
}

async function runScenarios(server: ImapServer, s: ImapSettings, run: string, beforeSearches?: () => Promise<void>, databaseUrl?: string): Promise<ImapRun> {
  const [big, ...users] = server.users;
  const mailboxes = users.slice(0, WORKLOAD_MAILBOXES);
  // first, on a freshly started server: a heap with room left by earlier work would hide growth
  log(`${server.name}: opening ${s.idleConnections} idle TLS connections`);
  const idle = await measureIdleMemory(server, { users: users.slice(0, Math.ceil(s.idleConnections / IDLE_PER_ACCOUNT)), count: s.idleConnections, parallel: OPEN_PARALLEL, sourceOf });
  log(`${server.name}: ${idle.opened} logged in in ${idle.openSeconds.toFixed(1)} s; RSS ${(idle.before.totalRss / 2 ** 20).toFixed(0)} → ${(idle.after.totalRss / 2 ** 20).toFixed(0)} MB over ${idle.after.processes} processes`);
  log(`${server.name}: filling a mailbox of ${s.messages} messages and ${WORKLOAD_MAILBOXES} of ${WORKLOAD_MESSAGES}`);
  const populateSeconds = await populateAll(server, [{ user: big!, count: s.messages }, ...mailboxes.map((user) => ({ user, count: WORKLOAD_MESSAGES }))], run);
  log(`${server.name}: filled in ${populateSeconds.toFixed(1)} s`);
  await beforeSearches?.();

  const bigResult = await timeBigMailbox(server, big!, s.messages, s.repetitions);
  log(`${server.name}: SELECT / FETCH 1:* / SEARCH ms: ${Object.entries(bigResult.ms).map(([k, v]) => `${k} ${v.map(Math.round).join(',')}`).join('; ')}`);

  log(`${server.name}: mixed workload, ${s.clients} clients for ${s.seconds} s`);
  const counting = databaseUrl !== undefined && (await resetStatements(databaseUrl));
  const sampler = startMemorySampler(server.pid, 1000);
  const workload = await runWorkload(server, { clients: s.clients, seconds: s.seconds, mailboxes, initial: WORKLOAD_MESSAGES, idleMs: IDLE_MS, run, sourceOf });
  const samples = await sampler.stop();
  const workloadMemory = summarizeMemory(samples, samples[0]?.t ?? 0, samples.at(-1)?.t ?? 0);
  log(`${server.name}: ${(workload.operations / workload.seconds).toFixed(0)} operations/s, ${workload.errors} errors`);
  const cpu = Object.entries(workloadMemory.cpuSeconds).map(([k, v]) => `${k} ${((v * 1000) / Math.max(1, workload.operations)).toFixed(3)}`);
  log(`${server.name}: CPU ms per operation: ${cpu.join(', ')}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (counting) {
    const statements = await readStatements(databaseUrl);
    const total = statements.reduce((n, st) => n + st.calls, 0);
    log(`${server.name}: ${total} PostgreSQL statements, ${(total / Math.max(1, workload.operations)).toFixed(2)} per operation; most called:`);
    const perOp = (n: number) => n / Math.max(1, workload.operations);
    const planned = statements.reduce((n, st) => n + st.planMs, 0);
    log(`${server.name}: planning took ${perOp(planned).toFixed(3)} ms/op of PostgreSQL's time; run (lock waits included) / plan ms per operation:`);
    const line = (st: (typeof statements)[number]) => log(`  ${perOp(st.calls).toFixed(3)}/op ${perOp(st.ms).toFixed(3)} / ${perOp(st.planMs).toFixed(3)} ms/op  ${st.query}`);
    statements.slice(0, 25).forEach(line);
    log(`${server.name}: the statements that took longest, lock waits included:`);
    [...statements].sort((a, b) => b.ms + b.planMs - (a.ms + a.planMs)).slice(0, 10).forEach(line);
  }

  return { populateSeconds, populated: s.messages + WORKLOAD_MAILBOXES * WORKLOAD_MESSAGES, big: bigResult, workload, workloadMemory, idle };
}
