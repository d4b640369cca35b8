/**
 * The SMTP benchmark: the same load — `messages` messages of ~4 KB to `mailboxes` local
 * mailboxes over `connections` connections that each carry many messages — first
 * against a bare smtp-server that discards mail (the reference), then against hopthu's
 * MX, measured until the last message is in its INBOX.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { startDnsServer, type TestDnsServer } from '../tests/support/dns-server.js';
import { registerCleanup } from './lib/cleanup.js';
import { fromDist, ROOT } from './lib/dist.js';
import { startChild } from './lib/child.js';
import { startMemorySampler, summarizeMemory } from './lib/memory.js';
import type { BenchOptions } from './lib/options.js';
import type { Metric } from './lib/report.js';
import { checkDeliveries, watchDeliveries } from './smtp/deliveries.js';
import { metricsOf, type HopthuRun, type ReferenceRun } from './smtp/metrics.js';
import { buildDist, provision, startHopthu } from './smtp/hopthu.js';
import { startLoad, type LoadTarget } from './smtp/load.js';
import { MAIL_FROM, SENDER_DOMAIN, SENDER_HELO, makeMessages, recipientOf, type BenchMessages } from './smtp/messages.js';
import { postgresCounters } from './smtp/postgres-stats.js';
import { readStatements, resetStatements, type StatementCount } from './lib/statements.js';

const log = (text: string) => console.error(`smtp: ${text}`);
const seconds = (ms: number) => ms / 1000;
const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

export async function runSmtpBench(opts: BenchOptions): Promise<{ metrics: Metric[]; details: Record<string, unknown> }> {
  if (!opts.skipBuild) log(`built dist/ in ${buildDist().toFixed(1)} s`);
  const { generateDkimKeyPair } = await fromDist<typeof import('../src/identity/dkim-keys.js')>('identity/dkim-keys.js');
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
  const { createResolver } = await fromDist<typeof import('../src/shared/dns.js')>('shared/dns.js');
  const { verifyInbound } = await fromDist<typeof import('../src/smtp/mail-auth.js')>('smtp/mail-auth.js');
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
  let stopWatching = async () => {};
  try {
    await provision(server.databaseUrl, opts.mailboxes);
    const watch = await watchDeliveries(server.databaseUrl, messages.runId, opts.messages);
    stopWatching = () => watch.stop();
    const counting = await resetStatements(server.databaseUrl);
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
    if (counting) logStatements(await readStatements(server.databaseUrl), check.delivered);
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
    await stopWatching();
    await server.stop();
  }
}

function logStatements(statements: StatementCount[], delivered: number) {
  const total = statements.reduce((n, st) => n + st.calls, 0);
  log(`hopthu: ${total} PostgreSQL statements, ${(total / Math.max(1, delivered)).toFixed(2)} per delivered message; most called:`);
  for (const st of statements.slice(0, 20)) log(`  ${(st.calls / delivered).toFixed(3)}/msg ${(st.ms / delivered).toFixed(3)} ms/msg  ${st.query}`);
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

