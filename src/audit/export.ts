import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { AUDIT_COLUMNS, toStoredEvent, type AuditRow, type StoredAuditEvent } from './events.js';
import { filterConditions, type AuditFilter } from './filter.js';
import { csvRecord, UTF8_BOM } from './csv.js';

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  /** CSV for Excel: a UTF-8 byte order mark first, and a leading ' on cells Excel would run as formulas */
  excel?: boolean;
}

const CSV_HEADER = ['id', 'at', 'actor', 'action', 'target', 'source', 'agency_id', 'data', 'prev_hash', 'hash'];
const BATCH = 2000;

function csvLine(e: StoredAuditEvent, excel: boolean): string {
  return csvRecord(
    [String(e.id), e.at.toISOString(), e.actor, e.action, e.target ?? '', e.source ?? '', e.agencyId === null ? '' : String(e.agencyId), JSON.stringify(e.data), e.prevHash, e.hash],
    excel,
  );
}

function jsonLine(e: StoredAuditEvent): string {
  return `${JSON.stringify({ ...e, at: e.at.toISOString() })}\n`;
}

/**
 * Writes the matching events, oldest first, as CSV (RFC 4180) or JSON lines, in batches
 * read by keyset and written with back-pressure: memory stays flat for any size of log.
 * Resolves with the number of events written; the writable is left open.
 */
export async function exportAudit(db: Queryable, filter: AuditFilter, format: ExportFormat, out: Writable, options: ExportOptions = {}): Promise<number> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UserError('bad-export-format', `"${format}" is not an export format; use csv or jsonl`);
  const params: unknown[] = [];
  const where = filterConditions(filter, params);
  params.push(0, BATCH);
  const text = `SELECT ${AUDIT_COLUMNS} FROM audit_events WHERE ${[...where, `id > $${params.length - 1}`].join(' AND ')} ORDER BY id LIMIT $${params.length}`;
  const page = (after: number) => db.query<AuditRow>(text, [...params.slice(0, -2), after, BATCH]);

  let failure: Error | undefined;
  const onError = (err: Error) => (failure ??= err);
  out.on('error', onError);
  const write = async (chunk: string) => {
    if (failure) throw failure;
    if (!out.write(chunk)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
    if (failure) throw failure;
  };
  try {
    if (format === 'csv') await write(`${options.excel ? UTF8_BOM : ''}${csvRecord(CSV_HEADER)}`);
    let count = 0;
    let next: Promise<{ rows: AuditRow[] }> | undefined = page(0);
    while (next) {
      const rows: AuditRow[] = (await next).rows;
      // the next batch is read while this one is written
      next = rows.length === BATCH ? page(rows[rows.length - 1]!.id) : undefined;
      next?.catch(() => {}); // awaited on the next turn; not an unhandled rejection if writing fails first
      let chunk = '';
      for (const row of rows) chunk += format === 'csv' ? csvLine(toStoredEvent(row), options.excel ?? false) : jsonLine(toStoredEvent(row));
      if (chunk) await write(chunk);
      count += rows.length;
    }
    return count;
  } finally {
    out.off('error', onError);
  }
}
