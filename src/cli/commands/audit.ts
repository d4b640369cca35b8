import { verifyAuditChain } from '../../audit/verify.js';
import { queryAudit, MAX_PAGE } from '../../audit/query.js';
import { exportAudit, EXPORT_FORMATS, type ExportFormat } from '../../audit/export.js';
import { filterConditions, type AuditFilter } from '../../audit/filter.js';
import { pruneAudit } from '../../audit/prune.js';
import { agencySubtreeIds, getAgency, listAgencies } from '../../identity/agencies.js';
import type { Queryable } from '../../store/db.js';
import { cliActor, CliUsageError, printTable } from '../io.js';
import type { CliCommand } from './command.js';

export const auditVerify: CliCommand = {
  needs: 'db',
  async run(rt) {
    const check = await verifyAuditChain(rt.db);
    if (check.ok) {
      const from = check.fromAnchor ? ` (from the retention anchor at event ${check.fromAnchor.lastId}: the months before ${check.fromAnchor.periodEnd.toISOString().slice(0, 7)} were pruned)` : '';
      console.log(`the audit log is intact: ${check.events} events verified${from}`);
      return 0;
    }
    console.log(`the audit log has been tampered with: the chain breaks at event ${check.brokenAt} (${check.problem!.kind}): ${check.problem!.message}`);
    return 1;
  },
};

const RELATIVE = /^(\d+)([mhd])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** ISO 8601 (a date alone is midnight UTC) or a span back from now: 30m, 24h, 7d */
export function parseTimeOption(value: string, flag: string): Date {
  const rel = RELATIVE.exec(value);
  if (rel) return new Date(Date.now() - Number(rel[1]) * UNIT_MS[rel[2] as keyof typeof UNIT_MS]);
  const d = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new CliUsageError(`${flag} "${value}" is not a time; write for example 2026-11-01, 2026-11-01T08:00:00+07:00, or 24h for 24 hours ago`);
  return d;
}

const filterOptions = {
  since: { type: 'string' }, until: { type: 'string' }, actor: { type: 'string' }, target: { type: 'string' },
  action: { type: 'string' }, agency: { type: 'string' }, ip: { type: 'string' },
} as const;
const FILTER_USAGE = '[--since T] [--until T] [--actor A] [--target T] [--action A] [--agency CODE] [--ip CIDR]';

async function filterFrom(db: Queryable, values: Record<string, string | boolean | undefined>): Promise<AuditFilter> {
  const s = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const filter: AuditFilter = {};
  if (s('since')) filter.since = parseTimeOption(s('since')!, '--since');
  if (s('until')) filter.until = parseTimeOption(s('until')!, '--until');
  if (s('actor') !== undefined) filter.actor = s('actor')!;
  if (s('target') !== undefined) filter.target = s('target')!;
  if (s('action') !== undefined) filter.action = s('action')!;
  if (s('ip') !== undefined) filter.ip = s('ip')!;
  // the agency and every agency below it, as the API does
  if (s('agency') !== undefined) filter.agencyId = await agencySubtreeIds(db, (await getAgency(db, s('agency')!)).id);
  filterConditions(filter, []); // a bad filter is refused before anything runs
  return filter;
}

export const auditQuery: CliCommand = {
  options: { ...filterOptions, limit: { type: 'string' }, cursor: { type: 'string' }, 'oldest-first': { type: 'boolean' }, json: { type: 'boolean' } },
  needs: 'db',
  async run(rt, positionals, values) {
    if (positionals.length) throw new CliUsageError(`unexpected argument "${positionals[0]}"; filters are options, e.g. --actor ${positionals[0]}`);
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new CliUsageError(`--limit must be a whole number from 1 to ${MAX_PAGE}, not "${String(values.limit)}"`);
    const filter = await filterFrom(rt.db, values);
    const page = await queryAudit(rt.db, filter, { limit, order: values['oldest-first'] ? 'asc' : 'desc', cursor: (values.cursor as string | undefined) ?? null });
    if (values.json) {
      console.log(JSON.stringify(page, null, 2));
      return;
    }
    const codes = new Map((await listAgencies(rt.db)).map((a) => [a.id, a.code]));
    const data = (d: Record<string, unknown>) => {
      const text = Object.keys(d).length ? JSON.stringify(d) : '';
      return text.length > 60 ? `${text.slice(0, 59)}…` : text;
    };
    printTable(
      page.events.map((e) => ({
        id: e.id, at: e.at.toISOString().replace('T', ' ').slice(0, 19), actor: e.actor, action: e.action, target: e.target ?? '',
        source: e.source ?? '', agency: e.agencyId === null ? '' : (codes.get(e.agencyId) ?? e.agencyId), data: data(e.data),
      })),
      ['id', 'at', 'actor', 'action', 'target', 'source', 'agency', 'data'],
    );
    if (page.nextCursor) console.log(`more: add --cursor ${page.nextCursor}`);
    else if (page.events.length === 0) console.log('no events match');
  },
};

export const auditExport: CliCommand = {
  options: { ...filterOptions, format: { type: 'string' }, excel: { type: 'boolean' } },
  needs: 'db',
  async run(rt, _positionals, values) {
    const format = values.format;
    if (typeof format !== 'string' || !(EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw new CliUsageError(`--format must be csv or jsonl${typeof format === 'string' ? `, not "${format}"` : ''}`);
    }
    if (values.excel && format !== 'csv') throw new CliUsageError('--excel applies to --format csv only');
    const filter = await filterFrom(rt.db, values);
    const count = await exportAudit(rt.db, filter, format as ExportFormat, process.stdout, { excel: values.excel === true });
    console.error(`exported ${count} events`);
  },
};

export const auditPrune: CliCommand = {
  options: { 'dry-run': { type: 'boolean' } },
  needs: 'db',
  async run(rt, _positionals, values) {
    const days = rt.config.audit.retentionDays;
    const dryRun = values['dry-run'] === true;
    const result = await pruneAudit(rt.db, { retentionDays: days, actor: cliActor(), source: 'cli', dryRun });
    const before = result.before.toISOString().slice(0, 10);
    if (!result.periods.length) {
      console.log(`nothing to prune: no events before ${before} (retention ${days} days, whole months only)`);
      return;
    }
    const months = result.periods.map((p) => `${p.month} (${p.events})`).join(', ');
    console.log(dryRun ? `would remove ${result.events} events from ${months}` : `removed ${result.events} events from ${months}; each month's last hash is kept as an anchor`);
  },
};
