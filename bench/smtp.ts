/**
 * The SMTP benchmark: the same load — `messages` messages of ~4 KB to `mailboxes` local
 * mailboxes over `connections` connections that each carry many messages — first
 * against a bare smtp-server that discards mail (the reference), then against hopthu's
 * MX, measured until the last message is in its INBOX.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { generateDkimKeyPair } from '../src/identity/dkim-keys.js';
import { createResolver } from '../src/shared/dns.js';
import { verifyInbound } from '../src/smtp/mail-auth.js';
import { startDnsServer, type TestDnsServer } from '../tests/support/dns-server.js';
import { registerCleanup } from './lib/cleanup.js';
import { startChild } from './lib/child.js';
import { startMemorySampler, summarizeMemory, type MemorySummary } from './lib/memory.js';
import type { BenchOptions } from './lib/options.js';
import { MB, percentile, type Metric } from './lib/report.js';
import { checkDeliveries, watchDeliveries, type DeliveryCheck } from './smtp/deliveries.js';
import { buildDist, provision, startHopthu, ROOT } from './smtp/hopthu.js';
import { startLoad, type LoadResult, type LoadTarget } from './smtp/load.js';
import { MAIL_FROM, SENDER_DOMAIN, SENDER_HELO, makeMessages, recipientOf, type BenchMessages } from './smtp/messages.js';
import { postgresCounters, type PostgresCounters } from './smtp/postgres-stats.js';

const log = (text: string) => console.error(`smtp: ${text}`);
const seconds = (ms: number) => ms / 1000;
const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

interface ReferenceRun {
  load: LoadResult;
  /** CPU seconds of the bench process itself (load generator, DNS, delivery watcher) during the run */
  benchCpu: number;
  received: number;
  memory: MemorySummary;
}

interface HopthuRun {
  load: LoadResult;
  benchCpu: number;
  visibleAt: Float64Array;
  check: DeliveryCheck;
  memory: MemorySummary;
  postgres: PostgresCounters;
  /** warning and error lines hopthu logged, by message */
  warnings: Record<string, number>;
  env: Record<string, string>;
}

export async function runSmtpBench(opts: BenchOptions): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  if (!opts.skipBuild) log(`built dist/ in ${buildDist().toFixed(1)} s`);
  const dkimKey = await generateDkimKeyPair(SENDER_DOMAIN, { selector: 'bench' });
  const { dns, stopDns } = await startSenderDns(dkimKey.dnsName, dkimKey.dnsTxt);
  const runId = randomBytes(5).toString('hex');
  const t0 = performance.now();
  const messages = makeMessages({
    count: opts.messages,
    mailboxes: opts.mailboxes,
    bytes: opts.messageBytes,
    runId,
    ...(opts.dkim ? { dkim: { domain: SENDER_DOMAIN, selector: dkimKey.selector, privateKey: dkimKey.privateKeyPem } } : {}),
  });
  log(`made ${opts.messages} messages of ~${messages.averageBytes} bytes in ${seconds(performance.now() - t0).toFixed(1)} s`);
  await checkSenderPasses(messages, dns.address, opts.dkim);

  const target = (port: number): LoadTarget => ({
    port, tls: opts.tls, helo: SENDER_HELO, mailFrom: MAIL_FROM, recipient: (i) => recipientOf(i, opts.mailboxes),
  });
  const reference = await runReference(opts, messages, target);
  const hopthu = await runHopthu(opts, messages, target, dns.address);
  const dnsQueries = dns.queryCount;
  await stopDns();
  return {
    metrics: metricsOf(opts, messages, reference, hopthu),
    details: {
      messageBytes: messages.averageBytes,
      dnsQueries,
      hopthuEnvironment: hopthu.env,
      hopthuWarnings: hopthu.warnings,
      postgres: hopthu.postgres,
      delivery: hopthu.check,
      memory: { hopthu: hopthu.memory, reference: reference.memory },
      errors: { hopthu: Object.fromEntries(hopthu.load.errors), reference: Object.fromEntries(reference.load.errors) },
    },
  };
}

/** The sending organisation's DNS: SPF for 127.0.0.1, its DKIM key, DMARC p=reject, the HELO name. */
async function startSenderDns(dkimName: string, dkimTxt: string): Promise<{ dns: TestDnsServer; stopDns(): Promise<void> }> {
  const ttl = 300; // as published; hopthu's resolver may cache them as a real one would
  const dns = await startDnsServer({
    [SENDER_DOMAIN]: [{ type: 'TXT', text: 'v=spf1 ip4:127.0.0.1 -all', ttl }, { type: 'MX', exchange: SENDER_HELO, priority: 10, ttl }],
    [SENDER_HELO]: [{ type: 'A', address: '127.0.0.1', ttl }],
    [dkimName]: [{ type: 'TXT', text: dkimTxt, ttl }],
    [`_dmarc.${SENDER_DOMAIN}`]: [{ type: 'TXT', text: `v=DMARC1; p=reject; rua=mailto:dmarc@${SENDER_DOMAIN}`, ttl }],
  });
  const unregister = registerCleanup('DNS server', () => dns.stop());
  return { dns, stopDns: async () => (unregister(), await dns.stop()) };
}

/** Runs hopthu's own SPF/DKIM/DMARC check on one message, so the bench measures mail that passes. */
async function checkSenderPasses(messages: BenchMessages, dnsAddress: string, dkim: boolean) {
  const resolver = createResolver({ servers: [dnsAddress], timeoutMs: 2000 });
  try {
    const outcome = await verifyInbound({
      message: messages.raw(0, Date.now()), clientIp: '127.0.0.1', helo: SENDER_HELO, mailFrom: MAIL_FROM,
      hostname: 'mx.bench.test', resolver, rejectDmarcFailures: true,
    });
    const dkimOk = !dkim || outcome.dkim.some((d) => d.result === 'pass');
    if (outcome.spf.result !== 'pass' || !dkimOk || outcome.dmarc.status !== 'pass') {
      throw new Error(`the bench's own mail does not pass sender checks: ${outcome.authenticationResults}`);
    }
  } finally {
    resolver.cancel();
  }
}

async function runReference(opts: BenchOptions, messages: BenchMessages, target: (port: number) => LoadTarget): Promise<ReferenceRun> {
  const sink = startChild('reference smtp-server', process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/smtp/sink.ts'), ...(opts.tls ? ['--tls'] : [])], { cwd: ROOT });
  const { port } = (await Promise.race([sink.firstJson, sink.exited.then(() => ({ port: undefined }))])) as { port?: number };
  if (!port) throw new Error(`the reference smtp-server did not start:\n${sink.lines.join('\n')}`);
  const sampler = startMemorySampler(sink.pid);
  log(`reference: sending ${opts.messages} messages over ${opts.connections} connections`);
  const cpu = process.cpuUsage();
  const load = await startLoad(target(port), messages, opts.connections).done;
  const benchCpu = cpuSeconds(process.cpuUsage(cpu));
  const samples = await sampler.stop();
  await sink.stop(5000);
  const summary = sink.lines.map((l) => (l.includes('"received"') ? (JSON.parse(l) as { received: number }) : undefined)).find(Boolean);
  log(`reference: ${load.accepted} accepted in ${seconds(load.finished - load.started).toFixed(1)} s`);
  return { load, benchCpu, received: summary?.received ?? NaN, memory: summarizeMemory(samples, load.started, load.finished) };
}

async function runHopthu(opts: BenchOptions, messages: BenchMessages, target: (port: number) => LoadTarget, dnsAddress: string): Promise<HopthuRun> {
  log('hopthu: starting (embedded PostgreSQL and redis-server under a fresh data directory)');
  // outside the checkout: a profile is megabytes and is not a result to keep
  const profileDir = opts.profile ? path.join(os.tmpdir(), 'hopthu-bench-profiles') : undefined;
  if (profileDir) log(`hopthu: a CPU profile of its node process goes to ${profileDir}`);
  const server = await startHopthu({ dnsAddress, connections: opts.connections, ...(profileDir ? { profileDir } : {}) });
  try {
    await provision(server.databaseUrl, opts.mailboxes);
    const watch = await watchDeliveries(server.databaseUrl, messages.runId, opts.messages);
    registerCleanup('delivery watcher', () => watch.stop());
    const before = await postgresCounters(server.databaseUrl);
    const sampler = startMemorySampler(server.child.pid);
    log(`hopthu: sending ${opts.messages} messages over ${opts.connections} connections to ${opts.mailboxes} mailboxes`);
    const cpu = process.cpuUsage();
    const { live, done } = startLoad(target(server.mxPort), messages, opts.connections);
    const progress = setInterval(() => log(`hopthu: ${live.accepted} accepted, ${watch.seen()} in INBOXes`), 5000);
    const load = await done.finally(() => clearInterval(progress));
    log(`hopthu: ${load.accepted} accepted in ${seconds(load.finished - load.started).toFixed(1)} s; waiting for delivery`);
    const waiting = setInterval(() => log(`hopthu: ${watch.seen()} of ${load.accepted} in INBOXes`), 5000);
    await watch.settled(opts.stallSeconds).finally(() => clearInterval(waiting));
    const benchCpu = cpuSeconds(process.cpuUsage(cpu));
    const samples = await sampler.stop();
    await watch.stop();
    const check = await checkDeliveries(server.databaseUrl, messages.runId, opts.mailboxes, watch.visibleAt);
    const after = await postgresCounters(server.databaseUrl);
    const lastVisible = watch.visibleAt.reduce((m, t) => (Number.isNaN(t) ? m : Math.max(m, t)), load.started);
    log(`hopthu: ${check.delivered} delivered in ${seconds(lastVisible - load.started).toFixed(1)} s; stopping`);
    return {
      load,
      benchCpu,
      visibleAt: watch.visibleAt,
      check,
      memory: summarizeMemory(samples, load.started, lastVisible),
      postgres: after.minus(before),
      warnings: warningsOf(server.child.lines),
      env: server.env,
    };
  } finally {
    await server.stop();
  }
}

/** pino lines at warn (40) or above, counted by message. */
function warningsOf(lines: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of lines) {
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: string };
      if ((entry.level ?? 0) < 40) continue;
      const key = `${entry.level === 40 ? 'warn' : 'error'}: ${entry.msg ?? ''}${entry.err ? ` (${entry.err})` : ''}`.slice(0, 200);
      out[key] = (out[key] ?? 0) + 1;
    } catch {
      if (line.trim()) out[`output: ${line.slice(0, 200)}`] = (out[`output: ${line.slice(0, 200)}`] ?? 0) + 1;
    }
  }
  return out;
}

function metricsOf(opts: BenchOptions, messages: BenchMessages, ref: ReferenceRun, hop: HopthuRun): Metric[] {
  const rate = (n: number, from: number, to: number) => n / seconds(to - from);
  const latencies = (from: Float64Array, to: Float64Array) => Array.from(to, (t, i) => t - from[i]!);
  const lastVisible = hop.visibleAt.reduce((m, t) => (Number.isNaN(t) ? m : Math.max(m, t)), hop.load.started);

  const refAccepted = rate(ref.load.accepted, ref.load.started, ref.load.finished);
  const hopAccepted = rate(hop.load.accepted, hop.load.started, hop.load.finished);
  const hopDelivered = rate(hop.check.delivered, hop.load.started, lastVisible);
  const deliveryLatency = latencies(hop.load.sentAt, hop.visibleAt);
  const hopAcceptLatency = latencies(hop.load.sentAt, hop.load.acceptedAt);
  const refAcceptLatency = latencies(ref.load.sentAt, ref.load.acceptedAt);
  const p99 = percentile(deliveryLatency, 99);
  const growth = hop.memory.rootRssSecondHalf / hop.memory.rootRssFirstHalf;
  const m = (metric: string, unit: Metric['unit'], hopthu: Metric['hopthu'], reference: Metric['reference'], extra: Partial<Metric> = {}): Metric => ({
    bench: 'smtp', metric, unit, hopthu, reference,
    ratio: typeof hopthu === 'number' && typeof reference === 'number' && reference > 0 ? hopthu / reference : null,
    ...extra,
  });
  const perMessage = (n: number) => n / Math.max(1, hop.check.delivered);
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const cpuMs = (secs: number, n: number) => (secs * 1000) / Math.max(1, n);
  const hopCpu = sum(hop.memory.cpuSeconds);
  const refCpu = sum(ref.memory.cpuSeconds);

  return [
    m('messages sent (each ~4 KB)', 'count', opts.messages, opts.messages, { ratio: null }),
    m('accepted/s (first send → last 250)', '/s', hopAccepted, refAccepted),
    m('delivered/s end to end (→ last in INBOX; sink: → last 250)', '/s', hopDelivered, refAccepted, { target: '≥ 320/s', met: hopDelivered >= 320 }),
    m('latency p50 send → in INBOX (sink: → 250)', 'ms', percentile(deliveryLatency, 50), percentile(refAcceptLatency, 50)),
    m('latency p99 send → in INBOX (sink: → 250)', 'ms', p99, percentile(refAcceptLatency, 99), { target: '< 2,000 ms', met: p99 < 2000 }),
    m('latency p50 / p99 send → 250', 'text',
      `${Math.round(percentile(hopAcceptLatency, 50))} / ${Math.round(percentile(hopAcceptLatency, 99))} ms`,
      `${Math.round(percentile(refAcceptLatency, 50))} / ${Math.round(percentile(refAcceptLatency, 99))} ms`, { ratio: null }),
    m('messages lost (not in INBOX / not received)', 'count', hop.check.lost, opts.messages - ref.received, { ratio: null, target: '0', met: hop.check.lost === 0 }),
    m('duplicates + misplaced copies', 'count', hop.check.duplicates + hop.check.misplaced, null, { target: '0', met: hop.check.duplicates + hop.check.misplaced === 0 }),
    m('temporary failures retried / refused (5xx)', 'text', `${hop.load.retries} / ${hop.load.refused}`, `${ref.load.retries} / ${ref.load.refused}`, { ratio: null }),
    m('peak memory, all processes (sum of PSS)', 'MB', MB(hop.memory.peakTotalPss), MB(ref.memory.peakTotalPss)),
    m('peak RSS, all processes (sum of VmRSS)', 'MB', MB(hop.memory.peakTotalRss), MB(ref.memory.peakTotalRss)),
    m('peak RSS, node process', 'MB', MB(hop.memory.peakRootRss), MB(ref.memory.peakRootRss)),
    m('node RSS average, 1st half → 2nd half of run', 'text',
      `${MB(hop.memory.rootRssFirstHalf).toFixed(0)} → ${MB(hop.memory.rootRssSecondHalf).toFixed(0)} MB`,
      `${MB(ref.memory.rootRssFirstHalf).toFixed(0)} → ${MB(ref.memory.rootRssSecondHalf).toFixed(0)} MB`,
      { ratio: growth, target: 'flat (≤ 1.10×)', met: growth <= 1.1 }),
    m('CPU per message, server processes', 'text', `${cpuMs(hopCpu, hop.check.delivered).toFixed(1)} ms`, `${cpuMs(refCpu, ref.received).toFixed(1)} ms`, {
      ratio: cpuMs(hopCpu, hop.check.delivered) / cpuMs(refCpu, ref.received),
    }),
    m('  of which node / postgres / redis-server', 'text',
      ['node', 'postgres', 'redis-server'].map((k) => cpuMs(hop.memory.cpuSeconds[k] ?? 0, hop.check.delivered).toFixed(1)).join(' / ') + ' ms', null, { ratio: null }),
    m('CPU per message, bench process (load generator, watcher)', 'text', `${cpuMs(hop.benchCpu, opts.messages).toFixed(1)} ms`, `${cpuMs(ref.benchCpu, opts.messages).toFixed(1)} ms`, { ratio: null }),
    m('PostgreSQL write transactions per delivered message', 'text', perMessage(hop.postgres.writeTransactions).toFixed(1), null, { ratio: null }),
    m('PostgreSQL WAL per delivered message', 'text', `${(perMessage(hop.postgres.walBytes) / 1024).toFixed(1)} KB`, null, { ratio: null }),
    m('message size', 'bytes', messages.averageBytes, messages.averageBytes, { ratio: null }),
  ];
}
