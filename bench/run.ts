/**
 * `npm run bench`: runs each benchmark against its reference in the same invocation and
 * prints one table (markdown), also written as JSON to bench/results/latest.json.
 * Knobs: BENCH_MESSAGES, BENCH_CONNECTIONS, BENCH_MAILBOXES, BENCH_MESSAGE_BYTES,
 * BENCH_DKIM, BENCH_TLS, BENCH_SKIP_BUILD, BENCH_TIMEOUT_SECONDS, BENCH_STALL_SECONDS
 * (see bench/lib/options.ts); BENCH_ONLY=smtp,... runs only the named parts.
 * Audit: BENCH_AUDIT_EVENTS, BENCH_AUDIT_CLIENTS, BENCH_AUDIT_CALLERS (bench/audit.ts).
 * Webmail: BENCH_WEBMAIL_MESSAGES, BENCH_WEBMAIL_USERS, BENCH_WEBMAIL_ROUNDS (bench/webmail.ts).
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { installGuards, runCleanups } from './lib/cleanup.js';
import { readOptions } from './lib/options.js';
import { markdownTable, writeJson, type Metric } from './lib/report.js';
import { runSmtpBench } from './smtp.js';
import { runAuthBench } from './auth.js';
import { runProvisioningBench } from './provisioning.js';
import { runImapBench } from './imap.js';
import { runAuditBench } from './audit.js';
import { runWebmailBench } from './webmail.js';
import { ROOT } from './lib/dist.js';

async function main() {
  const options = readOptions();
  installGuards(options.timeoutSeconds);
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
    node: process.version,
  };
  const started = new Date();
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    } catch {
      return '';
    }
  };
  // which code was measured: the commit, and how many files differed from it
  const code = { commit: git('rev-parse', '--short', 'HEAD') || 'unknown', changedFiles: git('status', '--porcelain').split('\n').filter(Boolean).length };
  const metrics: Metric[] = [];
  const details: Record<string, unknown> = {};

  /** each part measures hopthu and its reference; add a part here */
  const parts: Array<{ name: string; run: () => Promise<{ metrics: Metric[]; details: unknown }> }> = [
    { name: 'smtp', run: () => runSmtpBench(options) },
    { name: 'auth', run: () => runAuthBench() },
    { name: 'provisioning', run: () => runProvisioningBench() },
    { name: 'imap', run: () => runImapBench(options) },
    { name: 'audit', run: () => runAuditBench() },
    { name: 'webmail', run: () => runWebmailBench(options) },
  ];
  const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const part of parts) {
    if (only.length && !only.includes(part.name)) continue;
    const result = await part.run();
    metrics.push(...result.metrics);
    details[part.name] = result.details;
  }

  const table = markdownTable(metrics);
  const tree = code.changedFiles ? ` + ${code.changedFiles} changed files` : '';
  console.log(`\nhopthu bench — ${started.toISOString()} — commit ${code.commit}${tree} — ${machine.cpus} × ${machine.cpuModel}, load average at start ${machine.loadAverageAtStart.join(' ')}\n`);
  console.log(table);
  console.log('\nFor scale (from the issue, not measured here): Postfix → LMTP → Dovecot Maildir on a similar 2-core machine accepted ~300/s and delivered ~160/s.');
  const file = path.join(ROOT, 'bench/results/latest.json');
  writeJson(file, { started: started.toISOString(), seconds: (Date.now() - started.getTime()) / 1000, code, machine, options, metrics, details });
  console.log(`(also written to ${path.relative(process.cwd(), file)})`);
}

main()
  .then(async () => {
    await runCleanups();
    process.exit(0);
  })
  .catch(async (err: unknown) => {
    console.error(`bench failed: ${(err as Error).stack ?? String(err)}`);
    await runCleanups();
    process.exit(1);
  });
