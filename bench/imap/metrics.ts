/** The IMAP benchmark's figures: one table row per metric, hopthu beside the reference Dovecot. */
import type { MemorySummary } from '../lib/memory.js';
import { percentile, type Metric } from '../lib/report.js';
import type { BigMailboxResult } from './big-mailbox.js';
import type { IdleMemoryResult } from './idle-memory.js';
import type { ImapServer } from './server.js';
import type { WorkloadResult } from './workload.js';

export interface ImapRun {
  server: ImapServer['name'];
  populateSeconds: number;
  populated: number;
  big: BigMailboxResult;
  workload: WorkloadResult;
  /** the server's processes during the workload */
  workloadMemory: MemorySummary;
  idle: IdleMemoryResult;
}

export interface ImapSettings {
  messages: number;
  repetitions: number;
  clients: number;
  seconds: number;
  idleConnections: number;
  /** the workload's windows per server, taken in turns with the reference */
  windows: number;
  /** the workload run unmeasured first, per server */
  warmUpSeconds: number;
}

const FETCH_ALL_TARGET_MS = 500;
const IDLE_TARGET_BYTES = 50 * 1024;

const KB = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** growth per connection: hopthu's node process; Dovecot's processes summed (its connections live in their own) */
export const rssPerConnection = (run: ImapRun) =>
  (run.server !== 'dovecot' ? run.idle.after.rootRss - run.idle.before.rootRss : run.idle.after.totalRss - run.idle.before.totalRss) / Math.max(1, run.idle.opened);
export const pssPerConnection = (run: ImapRun) =>
  (run.server !== 'dovecot' ? run.idle.after.rootPss - run.idle.before.rootPss : run.idle.after.totalPss - run.idle.before.totalPss) / Math.max(1, run.idle.opened);

export function metricsOf(s: ImapSettings, hop: ImapRun, ref: ImapRun | undefined): Metric[] {
  const m = (metric: string, unit: Metric['unit'], hopthu: Metric['hopthu'], reference: Metric['reference'], extra: Partial<Metric> = {}): Metric => ({
    bench: 'imap', metric, unit, hopthu, reference,
    ratio: typeof hopthu === 'number' && typeof reference === 'number' && reference > 0 ? hopthu / reference : null,
    ...extra,
  });
  const median = (run: ImapRun | undefined, step: keyof BigMailboxResult['ms']) => (run ? percentile(run.big.ms[step], 50) : null);
  const opsPerSecond = (run: WorkloadResult) => run.operations / run.seconds;
  const latencyText = (w: WorkloadResult) => `${Math.round(w.p50)} / ${Math.round(w.p99)} ms`;
  const cpuMs = (run: ImapRun) => (sum(run.workloadMemory.cpuSeconds) * 1000) / Math.max(1, run.workload.operations);
  const fetchAll = median(hop, 'fetchAll')!;
  const hopOps = opsPerSecond(hop.workload);
  const refOps = ref ? opsPerSecond(ref.workload) : null;
  const hopRss = rssPerConnection(hop);
  const refRss = ref ? rssPerConnection(ref) : null;
  const hits = (step: 'searchSubject' | 'searchFrom' | 'searchBody') => {
    const h = hop.big.hits[step];
    const r = ref?.big.hits[step];
    return r === undefined || r === h ? `${h} hits` : `hopthu ${h} / Dovecot ${r} hits`;
  };
  const ratioOf = (a: number, b: number | null) => (b && b > 0 ? a / b : null);

  return [
    m(`mailbox populated by MULTIAPPEND (${s.messages.toLocaleString('en-US')} + workload mailboxes = ${hop.populated.toLocaleString('en-US')} messages)`, 's', hop.populateSeconds, ref?.populateSeconds ?? null),
    m(`SELECT of ${s.messages.toLocaleString('en-US')} messages (median of ${s.repetitions})`, 'ms', median(hop, 'select'), median(ref, 'select')),
    m('UID FETCH 1:* (FLAGS ENVELOPE), whole answer (median)', 'ms', fetchAll, median(ref, 'fetchAll'), { target: `< ${FETCH_ALL_TARGET_MS} ms`, met: fetchAll < FETCH_ALL_TARGET_MS }),
    m(`UID SEARCH CHARSET UTF-8 SUBJECT (${hits('searchSubject')}, median)`, 'ms', median(hop, 'searchSubject'), median(ref, 'searchSubject')),
    m(`UID SEARCH FROM (${hits('searchFrom')}, median)`, 'ms', median(hop, 'searchFrom'), median(ref, 'searchFrom')),
    m(`UID SEARCH CHARSET UTF-8 BODY (${hits('searchBody')}, median)`, 'ms', median(hop, 'searchBody'), median(ref, 'searchBody')),
    m(`mixed workload, ${s.clients} clients × ${s.seconds} s: operations/s`, '/s', hopOps, refOps, {
      // without a Dovecot run there is nothing to compare with: no verdict rather than a pass
      ...(refOps === null ? { target: '≥ Dovecot (not run)' } : { target: '≥ Dovecot, 0 errors', met: hop.workload.errors === 0 && hopOps >= refOps }),
    }),
    m('mixed workload: errors', 'count', hop.workload.errors, ref?.workload.errors ?? null, { ratio: null, target: '0', met: hop.workload.errors === 0 }),
    m('mixed workload: latency p50 / p99, all operations', 'text', latencyText(hop.workload), ref ? latencyText(ref.workload) : null, { ratio: null }),
    m('mixed workload: CPU per operation, server processes', 'text', `${cpuMs(hop).toFixed(2)} ms`, ref ? `${cpuMs(ref).toFixed(2)} ms` : null, { ratio: ref ? cpuMs(hop) / cpuMs(ref) : null }),
    m(`idle TLS connections logged in (of ${s.idleConnections.toLocaleString('en-US')})`, 'count', hop.idle.opened, ref?.idle.opened ?? null, {
      ratio: null, target: `${s.idleConnections.toLocaleString('en-US')}`, met: hop.idle.opened === s.idleConnections,
    }),
    m('memory per idle TLS connection: RSS growth (node process; Dovecot: all processes)', 'text', KB(hopRss), refRss === null ? null : KB(refRss), {
      ratio: ratioOf(hopRss, refRss), target: `< ${KB(IDLE_TARGET_BYTES)}`, met: hopRss < IDLE_TARGET_BYTES,
    }),
    m('memory per idle TLS connection: PSS growth (node process; Dovecot: all processes)', 'text', KB(pssPerConnection(hop)), ref ? KB(pssPerConnection(ref)) : null, {
      ratio: ref ? ratioOf(pssPerConnection(hop), pssPerConnection(ref)) : null,
    }),
  ];
}
