/** The one table `npm run bench` prints, and the same figures as JSON. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Metric {
  /** which benchmark: 'smtp', later 'imap', 'provisioning', 'webmail' */
  bench: string;
  metric: string;
  unit: '/s' | 'ms' | 'MB' | 'bytes' | 'count' | 's' | 'text';
  hopthu: number | string | null;
  reference: number | string | null;
  /** hopthu / reference where that means something */
  ratio: number | null;
  target?: string;
  /** whether hopthu met the target; undefined when there is none */
  met?: boolean;
}

/** Nearest-rank percentile of the finite values; NaN for none. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const xs = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  return xs[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))]!;
}

export const MB = (bytes: number) => bytes / (1024 * 1024);

function show(value: number | string | null, unit: Metric['unit']): string {
  if (value === null) return '—';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return 'n/a';
  switch (unit) {
    case 'MB':
      return `${value.toFixed(1)} MB`;
    case 's':
      return `${value.toFixed(1)} s`;
    case 'ms':
      return `${Math.round(value).toLocaleString('en-US')} ms`;
    case '/s':
      return `${Math.round(value).toLocaleString('en-US')}/s`;
    default:
      return Math.round(value).toLocaleString('en-US');
  }
}

export function markdownTable(metrics: Metric[]): string {
  const rows = metrics.map((m) => [
    `${m.bench}: ${m.metric}`,
    show(m.hopthu, m.unit),
    show(m.reference, m.unit),
    m.ratio === null || !Number.isFinite(m.ratio) ? '—' : `${m.ratio.toFixed(2)}×`,
    m.target ? `${m.target} ${m.met === undefined ? '' : m.met ? '✓' : '✗ MISSED'}`.trim() : '',
  ]);
  const head = ['metric', 'hopthu', 'reference', 'ratio', 'target'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => [...r[c]!].length)));
  const line = (cells: string[]) => `| ${cells.map((x, c) => x + ' '.repeat(widths[c]! - [...x].length)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function writeJson(file: string, data: unknown) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}
