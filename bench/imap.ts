/**
 * The IMAP benchmark: the same workload against a throwaway Dovecot (the reference, when
 * /usr/sbin/dovecot is installed) and against hopthu (`start --roles imap,worker`):
 *   1. BENCH_IMAP_IDLE_CONNECTIONS (5,000) idle logged-in TLS connections, first, on the
 *      freshly started server: memory growth per connection;
 *   2. a mailbox of BENCH_IMAP_MESSAGES (10,000) ~4 KB Vietnamese messages, filled by
 *      MULTIAPPEND: SELECT, UID FETCH 1:* (FLAGS ENVELOPE), SEARCH SUBJECT/FROM/BODY,
 *      median of BENCH_IMAP_REPETITIONS (5);
 *   3. BENCH_IMAP_CLIENTS (50) clients for BENCH_IMAP_SECONDS (30) of select, fetch,
 *      store, append, expunge and idle on shared mailboxes: operations/s and errors. The
 *      seconds are cut into BENCH_IMAP_WINDOWS (3) windows and the two servers take turns
 *      (Dovecot, hopthu; hopthu, Dovecot; ...), the other one idle meanwhile: on a shared
 *      machine whose speed drifts by the minute, each then runs in the same stretches.
 *      Before the first window each runs it BENCH_IMAP_WARMUP_SECONDS (15) unmeasured: hopthu's
 *      node process needs about that long to reach its steady speed (V8's optimizing compiler).
 * Steps 1 and 2 run on each server alone: Dovecot's first, then hopthu's.
 * BENCH_IMAP_REFERENCE=0 skips Dovecot even when it is installed.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { startMachineCpu } from './lib/machine-cpu.js';
import { startMemorySampler, summarizeMemory, type MemorySummary } from './lib/memory.js';
import { intEnv, type BenchOptions } from './lib/options.js';
import type { Metric } from './lib/report.js';
import { buildDist } from './smtp/hopthu.js';
import { timeBigMailbox, type BigMailboxResult } from './imap/big-mailbox.js';
import { dovecotInstalled, dovecotVersion, startDovecot } from './imap/dovecot.js';
import { searchBacklog, startHopthuImap } from './imap/hopthu.js';
import { measureIdleMemory, type IdleMemoryResult } from './imap/idle-memory.js';
import { metricsOf, pssPerConnection, rssPerConnection, type ImapRun, type ImapSettings } from './imap/metrics.js';
import { populateAll } from './imap/populate.js';
import type { ImapServer, ImapUser } from './imap/server.js';
import { readStatements, resetStatements } from './lib/statements.js';
import { runWorkload, summarizeWorkload, type WorkloadWindow } from './imap/workload.js';

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
    windows: intEnv('BENCH_IMAP_WINDOWS', 3, 1),
    warmUpSeconds: intEnv('BENCH_IMAP_WARMUP_SECONDS', 15, 0),
  };
  const withReference = intEnv('BENCH_IMAP_REFERENCE', 1, 0) === 1;
  if (!opts.skipBuild) log(`built dist/ in ${buildDist().toFixed(1)} s`);
  const run = randomBytes(4).toString('hex');
  const accounts = 1 + Math.max(WORKLOAD_MAILBOXES, Math.ceil(settings.idleConnections / IDLE_PER_ACCOUNT));

  let referenceNote = 'skipped: BENCH_IMAP_REFERENCE=0';
  const dovecotWarnings: string[] = [];
  let dovecot: Awaited<ReturnType<typeof startDovecot>> | undefined;
  let hopthu: Awaited<ReturnType<typeof startHopthuImap>> | undefined;
  let otherHopthu: Awaited<ReturnType<typeof startHopthuImap>> | undefined;
  let reference: ImapRun | undefined;
  let hop: ImapRun;
  try {
    let ready: Ready | undefined;
    const perIp = Math.ceil(settings.idleConnections / SOURCES) + Math.ceil(settings.clients / SOURCES);
    // the default per-IP limit holds while the clients are spread over SOURCES addresses; raised only when it would not
    const limits = perIp > DEFAULT_MAX_PER_IP - 5 ? { maxConnectionsPerIp: perIp + 10 } : {};
    const untilSearchable = (server: { databaseUrl: string; name: string }) => async () => {
      // the worker makes search text in the background; measure searches once it has caught up
      const since = performance.now();
      let left = await searchBacklog(server.databaseUrl);
      while (left > 0 && performance.now() - since < 120_000) {
        await sleep(1000);
        left = await searchBacklog(server.databaseUrl);
      }
      log(`${server.name}: search backlog ${left ? `still ${left} after` : 'drained in'} ${((performance.now() - since) / 1000).toFixed(1)} s`);
    };
    const compareDist = process.env.BENCH_IMAP_COMPARE_DIST;
    if (compareDist) {
      // another build of hopthu in Dovecot's place: two builds measured in the same stretches of the machine
      referenceNote = `hopthu built in ${compareDist}`;
      log(`reference: ${referenceNote}`);
      const other = await startHopthuImap({ accounts, ...limits, distDir: path.resolve(compareDist), name: 'other' });
      otherHopthu = other;
      ready = await prepare(other, settings, run, untilSearchable(other));
    } else if (withReference && !dovecotInstalled()) {
      referenceNote = 'skipped: Dovecot is not installed (apt-get install dovecot-imapd to compare)';
      log(`reference ${referenceNote}`);
    } else if (withReference) {
      referenceNote = `Dovecot ${dovecotVersion()}`;
      log(`reference: starting a throwaway ${referenceNote}`);
      dovecot = await startDovecot({ accounts, connections: settings.idleConnections + settings.clients });
      ready = await prepare(dovecot, settings, run);
    }

    log('hopthu: starting (roles imap,worker; embedded PostgreSQL and redis-server under a fresh data directory)');
    // BENCH_PROFILE=1: a V8 CPU profile of the node process, outside the checkout (megabytes, not a result to keep)
    const profileDir = opts.profile ? path.join(os.tmpdir(), 'hopthu-bench-profiles') : undefined;
    if (profileDir) log(`hopthu: a CPU profile of its node process goes to ${profileDir}`);
    const started = await startHopthuImap({ accounts, ...limits, ...(profileDir ? { profileDir } : {}) });
    hopthu = started;
    const hopReady = await prepare(started, settings, run, untilSearchable(started));

    // the mixed workload in windows, the two servers taking turns (D H, H D, D H, ...): the
    // machine is shared and its speed drifts; turns put both servers in the same stretches of it
    const windows = ready ? settings.windows : 1;
    // first each server runs the workload unmeasured for a few seconds: what it keeps in memory for these mailboxes, and V8's optimized code
    for (const r of ready ? [ready, hopReady] : [hopReady]) await warmUp(r, settings, run);
    const counting = await resetStatements(started.databaseUrl);
    for (let w = 0; w < windows; w++) {
      const turn = ready ? (w % 2 === 0 ? [ready, hopReady] : [hopReady, ready]) : [hopReady];
      for (const r of turn) await workloadWindow(r, settings, settings.seconds / windows, run);
    }
    hop = finish(hopReady, settings);
    reference = ready && finish(ready, settings);
    if (counting) await logStatements(started.databaseUrl, hop.workload.operations);
  } finally {
    if (dovecot) {
      dovecotWarnings.push(...dovecot.logLines().filter((l) => /(warning|error|fatal|panic)/i.test(l)).slice(0, 20));
      await dovecot.stop();
    }
    await otherHopthu?.stop();
    await hopthu?.stop();
  }
  const hopthuServer = hopthu!;

  const summary = (r: ImapRun) => ({
    populateSeconds: r.populateSeconds,
    bigMailboxMs: r.big.ms,
    searchHits: r.big.hits,
    fetchAllBytes: r.big.fetchAllBytes,
    workload: r.workload,
    workloadCpuSeconds: r.workloadMemory.cpuSeconds,
    workloadPeakPss: r.workloadMemory.peakTotalPss,
    idle: { ...r.idle, rssPerConnection: rssPerConnection(r), pssPerConnection: pssPerConnection(r) },
  });
  return {
    metrics: metricsOf(settings, hop, reference),
    details: {
      settings: { ...settings, workloadMailboxes: WORKLOAD_MAILBOXES, workloadMessagesPerMailbox: WORKLOAD_MESSAGES, idleMs: IDLE_MS, sourceAddresses: SOURCES, idleConnectionsPerAccount: IDLE_PER_ACCOUNT },
      reference: referenceNote,
      hopthuEnvironment: hopthuServer.env,
      hopthuWarnings: hopthuServer.lines.filter((l) => /"level":(4|5|6)\d/.test(l)).slice(0, 20),
      dovecotWarnings,
      hopthu: summary(hop),
      ...(reference ? { [reference.server]: summary(reference) } : {}),
    },
  };
}

/** A server with its idle-memory, mailbox and search figures taken, ready for the workload's windows. */
interface Ready {
  server: ImapServer;
  populateSeconds: number;
  big: BigMailboxResult;
  idle: IdleMemoryResult;
  mailboxes: ImapUser[];
  windows: Array<{ workload: WorkloadWindow; memory: MemorySummary }>;
}

async function prepare(server: ImapServer, s: ImapSettings, run: string, beforeSearches?: () => Promise<void>): Promise<Ready> {
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
  return { server, populateSeconds, big: bigResult, idle, mailboxes, windows: [] };
}

async function warmUp(r: Ready, s: ImapSettings, run: string): Promise<void> {
  if (s.warmUpSeconds <= 0) return;
  log(`${r.server.name}: warming up, ${s.clients} clients for ${s.warmUpSeconds} s (not measured)`);
  await runWorkload(r.server, { clients: s.clients, seconds: s.warmUpSeconds, mailboxes: r.mailboxes, initial: WORKLOAD_MESSAGES, idleMs: IDLE_MS, run: `${run}warm`, sourceOf });
}

/** One window of the mixed workload against one server, its processes' CPU sampled meanwhile. */
async function workloadWindow(r: Ready, s: ImapSettings, seconds: number, run: string): Promise<void> {
  const { server } = r;
  log(`${server.name}: mixed workload, ${s.clients} clients for ${seconds.toFixed(0)} s`);
  const sampler = startMemorySampler(server.pid, 1000);
  const machine = startMachineCpu();
  const workload = await runWorkload(server, { clients: s.clients, seconds, mailboxes: r.mailboxes, initial: WORKLOAD_MESSAGES, idleMs: IDLE_MS, run, sourceOf });
  const { idleShare, benchSeconds } = machine.stop();
  const samples = await sampler.stop();
  const memory = summarizeMemory(samples, samples[0]?.t ?? 0, samples.at(-1)?.t ?? 0);
  r.windows.push({ workload, memory });
  const done = summarizeWorkload([workload]);
  const cpu = Object.entries(memory.cpuSeconds).map(([k, v]) => `${k} ${((v * 1000) / Math.max(1, done.operations)).toFixed(3)}`);
  log(`${server.name}: ${(done.operations / done.seconds).toFixed(0)} operations/s, ${done.errors} errors; CPU ms per operation: ${cpu.join(', ')}; the bench's clients ${((benchSeconds * 1000) / Math.max(1, done.operations)).toFixed(3)}; machine idle ${(idleShare * 100).toFixed(1)}%; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

/** The server's windows as one run: operations and CPU added up, the highest memory. */
function finish(r: Ready, s: ImapSettings): ImapRun {
  const workload = summarizeWorkload(r.windows.map((w) => w.workload));
  const memories = r.windows.map((w) => w.memory);
  const cpuSeconds: Record<string, number> = {};
  for (const m of memories) for (const [name, secs] of Object.entries(m.cpuSeconds)) cpuSeconds[name] = (cpuSeconds[name] ?? 0) + secs;
  const workloadMemory: MemorySummary = { ...memories.at(-1)!, cpuSeconds, peakTotalRss: Math.max(...memories.map((m) => m.peakTotalRss)), peakTotalPss: Math.max(...memories.map((m) => m.peakTotalPss)), peakRootRss: Math.max(...memories.map((m) => m.peakRootRss)) };
  log(`${r.server.name}: ${(workload.operations / workload.seconds).toFixed(0)} operations/s over ${r.windows.length} window(s), ${workload.errors} errors`);
  const cpu = Object.entries(cpuSeconds).map(([k, v]) => `${k} ${((v * 1000) / Math.max(1, workload.operations)).toFixed(3)}`);
  log(`${r.server.name}: CPU ms per operation: ${cpu.join(', ')}`);
  return { server: r.server.name, populateSeconds: r.populateSeconds, populated: s.messages + WORKLOAD_MAILBOXES * WORKLOAD_MESSAGES, big: r.big, workload, workloadMemory, idle: r.idle };
}

/** the statements hopthu's PostgreSQL ran during its windows (BENCH_PG_STATEMENTS=1) */
async function logStatements(databaseUrl: string, operations: number): Promise<void> {
  const statements = await readStatements(databaseUrl);
  const total = statements.reduce((n, st) => n + st.calls, 0);
  log(`hopthu: ${total} PostgreSQL statements, ${(total / Math.max(1, operations)).toFixed(2)} per operation; most called:`);
  const perOp = (n: number) => n / Math.max(1, operations);
  const planned = statements.reduce((n, st) => n + st.planMs, 0);
  log(`hopthu: planning took ${perOp(planned).toFixed(3)} ms/op of PostgreSQL's time; run (lock waits included) / plan ms per operation:`);
  const line = (st: (typeof statements)[number]) => log(`  ${perOp(st.calls).toFixed(3)}/op ${perOp(st.ms).toFixed(3)} / ${perOp(st.planMs).toFixed(3)} ms/op  ${st.query}`);
  statements.slice(0, 25).forEach(line);
  log('hopthu: the statements that took longest, lock waits included:');
  [...statements].sort((a, b) => b.ms + b.planMs - (a.ms + a.planMs)).slice(0, 10).forEach(line);
}
