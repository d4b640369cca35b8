/** The SMTP benchmark's figures: one table row per metric, hopthu beside the reference sink. */
import type { MemorySummary } from '../lib/memory.js';
import type { BenchOptions } from '../lib/options.js';
import { MB, percentile, type Metric } from '../lib/report.js';
import type { DeliveryCheck } from './deliveries.js';
import type { LoadResult } from './load.js';
import type { BenchMessages } from './messages.js';
import type { PostgresCounters } from './postgres-stats.js';

const seconds = (ms: number) => ms / 1000;

export interface ReferenceRun {
  load: LoadResult;
  /** CPU seconds of the bench process itself (load generator, DNS, delivery watcher) during the run */
  benchCpu: number;
  received: number;
  memory: MemorySummary;
}

export interface HopthuRun {
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

export function metricsOf(opts: BenchOptions, messages: BenchMessages, ref: ReferenceRun, hop: HopthuRun): Metric[] {
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
    m('node RSS by tenth of the run', 'text', hop.memory.rootRssByTenth.map((b) => MB(b).toFixed(0)).join(' '), ref.memory.rootRssByTenth.map((b) => MB(b).toFixed(0)).join(' '), { ratio: null }),
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
