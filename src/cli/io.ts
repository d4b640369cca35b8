import os from 'node:os';

/** The actor recorded in the audit log for CLI changes. */
export const cliActor = () => `cli:${os.userInfo().username}`;

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The first line of standard input: the password piped with --password-stdin. */
export async function readPasswordFromStdin(): Promise<string> {
  const line = (await readStdin()).split(/\r?\n/)[0] ?? '';
  if (!line) throw new CliUsageError('--password-stdin was given but standard input was empty');
  return line;
}

export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

export function printTable(rows: Array<Record<string, unknown>>, columns: string[]) {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(columns.map((c) => c.toUpperCase())));
  for (const r of rows) console.log(line(columns.map((c) => String(r[c] ?? ''))));
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4 };

/** "2G", "500MB", "1048576" → bytes */
export function parseSize(input: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new CliUsageError(`"${input}" is not a size; write for example 2G, 500M or 1048576`);
  return Math.round(Number(m[1]) * unit);
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
