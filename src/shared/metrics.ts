/**
 * The process's metrics, in the Prometheus text format (exposition format 0.0.4):
 * counters, gauges and histograms kept in memory, one registry per process. Every metric
 * hopthu exports is declared at the end of this file, so the names are in one place.
 */
type Labels = Record<string, string>;
const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (labels: Labels) => {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${escape(v)}"`).join(',')}}` : '';
};

interface Metric {
  render(): string[];
}
const registry: Metric[] = [];

abstract class Series implements Metric {
  protected readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string, readonly type: 'counter' | 'gauge') {
    registry.push(this);
  }
  protected add(labels: Labels, n: number) {
    const k = key(labels);
    const entry = this.values.get(k);
    if (entry) entry.value += n;
    else this.values.set(k, { labels, value: n });
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${labelText(labels)} ${value}`);
    return lines;
  }
}

export class Counter extends Series {
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }
  inc(labels: Labels = {}, n = 1) {
    this.add(labels, n);
  }
  /** a count kept elsewhere (the process's CPU time), copied at scrape time */
  set(labels: Labels, value: number) {
    this.values.set(key(labels), { labels, value });
  }
}

export class Gauge extends Series {
  constructor(name: string, help: string) {
    super(name, help, 'gauge');
  }
  inc(labels: Labels = {}, n = 1) {
    this.add(labels, n);
  }
  dec(labels: Labels = {}, n = 1) {
    this.add(labels, -n);
  }
  set(labels: Labels, value: number) {
    this.values.set(key(labels), { labels, value });
  }
}

export class Histogram implements Metric {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
    registry.push(this);
  }
  observe(value: number) {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) this.counts[i]!++;
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((le, i) => lines.push(`${this.name}_bucket{le="${le}"} ${this.counts[i]}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return lines;
  }
}

/** Every metric, as the text a Prometheus scrape reads. */
export function renderMetrics(): string {
  return registry.flatMap((m) => m.render()).join('\n') + '\n';
}

// ---- what hopthu exports ----

export const smtpSessions = new Counter('hopthu_smtp_sessions_total', 'SMTP connections accepted, by listener (mx, submission, submissions)');
export const smtpRefusals = new Counter('hopthu_smtp_refusals_total', 'SMTP refusals sent, by basic and enhanced status code');
export const smtpAccepted = new Counter('hopthu_smtp_messages_accepted_total', 'messages accepted (250 after DATA), by listener');
export const deliveryLatency = new Histogram(
  'hopthu_delivery_latency_seconds',
  'from acceptance to the message being in its mailbox (local recipients)',
  [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
);
export const imapConnections = new Gauge('hopthu_imap_connections', 'IMAP connections open in this process');
export const imapCommands = new Counter('hopthu_imap_commands_total', 'IMAP commands handled, by command');
export const logins = new Counter('hopthu_logins_total', 'login attempts, by service and result (success, failure, locked)');
export const lockouts = new Counter('hopthu_lockouts_total', 'lockouts after too many failures, by what was locked (account, ip)');
/** set at scrape time from PostgreSQL (health.ts) */
export const queueDepth = new Gauge('hopthu_queue_messages', 'accepted messages not yet delivered or bounced');
export const queueOldest = new Gauge('hopthu_queue_oldest_seconds', 'age of the oldest message still in the queue');
export const blobCount = new Gauge('hopthu_blobs', 'message bodies in the blob store');
export const blobBytes = new Gauge('hopthu_blob_bytes', 'bytes in the blob store');
export const processMemory = new Gauge('process_resident_memory_bytes', 'resident memory of this process');
export const processCpu = new Counter('process_cpu_seconds_total', 'CPU time this process has used (user and system)');
