/**
 * `npm run bench`: runs each benchmark against its reference in the same invocation and
 * prints one table (markdown), also written as JSON to bench/results/latest.json.
 * Knobs: BENCH_MESSAGES, BENCH_CONNECTIONS, BENCH_MAILBOXES, BENCH_MESSAGE_BYTES,
 * BENCH_DKIM, BENCH_TLS, BENCH_SKIP_BUILD, BENCH_TIMEOUT_SECONDS, BENCH_STALL_SECONDS
 * (see bench/lib/options.ts).
 */
import os from 'node:os';
import path from 'node:path';
import { installGuards, runCleanups } from './lib/cleanup.js';
import { readOptions } from './lib/options.js';
import { markdownTable, writeJson, type Metric } from './lib/report.js';
import { runSmtpBench } from './smtp.js';
import { ROOT } from './smtp/hopthu.js';

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
  const metrics: Metric[] = [];
  const details: Record<string, unknown> = {};

  const smtp = await runSmtpBench(options);
  metrics.push(...smtp.metrics);
  details.smtp = smtp.details;

  const table = markdownTable(metrics);
  console.log(`\nhopthu bench — ${started.toISOString()} — ${machine.cpus} × ${machine.cpuModel}, load average at start ${machine.loadAverageAtStart.join(' ')}\n`);
  console.log(table);
  console.log('\nFor scale (from the issue, not measured here): Postfix → LMTP → Dovecot Maildir on a similar 2-core machine accepted ~300/s and delivered ~160/s.');
  const file = path.join(ROOT, 'bench/results/latest.json');
  writeJson(file, { started: started.toISOString(), seconds: (Date.now() - started.getTime()) / 1000, machine, options, metrics, details });
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
