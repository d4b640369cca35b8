import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { queryAudit } from '../../audit/query.js';
import { exportAudit } from '../../audit/export.js';
import { filterConditions, type AuditFilter } from '../../audit/filter.js';
import { agencyCodesById, resolveAuditFilter } from '../../audit/filter-input.js';
import { verifyAuditChain } from '../../audit/verify.js';
import { UserError } from '../../shared/errors.js';
import type { WebmailDeps } from '../context.js';
import { userErrorText } from '../plugin.js';
import { filterInput, readAuditForm, type AuditForm } from './audit-filter.js';
import { auditPage } from './audit-view.js';
import { auditConsole, queryText, requireRoles, sendConsolePage } from './sec-access.js';
import { SEC } from './sec-strings.js';

/** the security auditor reads the log; the superadmin may too (as in the API) */
export const AUDIT_READERS = ['superadmin', 'auditor'] as const;
const PAGE_SIZE = 50;

/** The form's filter, or the sentence that says what is wrong with it. */
async function formFilter(req: FastifyRequest, deps: WebmailDeps, form: AuditForm): Promise<{ filter: AuditFilter } | { error: string }> {
  const t = req.web.strings(SEC);
  const parsed = filterInput(form, deps.config.web.timeZone);
  if ('badDate' in parsed) return { error: t('audit.bad-date', { value: parsed.badDate }) };
  try {
    const filter = await resolveAuditFilter(deps.db, parsed.input);
    // a bad IP block or an empty time range is refused here, before any reading
    filterConditions(filter, []);
    return { filter };
  } catch (err) {
    if (err instanceof UserError) return { error: userErrorText(req.web, err) };
    throw err;
  }
}

/** What the form asked for, for the audit event that records the reading. */
const askedFor = (form: AuditForm) => Object.fromEntries(Object.entries(form).filter(([, v]) => v !== ''));

/** Checks the whole chain; the last event at the start is what "intact up to" names (later ones may arrive meanwhile). */
async function checkChain(deps: WebmailDeps) {
  const started = Date.now();
  const { rows } = await deps.db.query<{ id: number | null }>('SELECT max(id) AS id FROM audit_events');
  const check = await verifyAuditChain(deps.db);
  return { check, lastId: check.ok ? (rows[0]?.id ?? 0) : (check.brokenAt ?? 1) - 1, ms: Date.now() - started };
}

/** The audit log for security officers: filters, keyset pages newest first, CSV export, the chain's check. */
export function registerAuditPages(app: FastifyInstance, deps: WebmailDeps): void {
  app.get('/admin/audit', { config: { access: 'console' } }, async (req, reply) => {
    await requireRoles(req, AUDIT_READERS);
    const t = req.web.strings(SEC);
    const form = readAuditForm(req);
    const cursor = queryText(req, 'cursor');
    const chain = queryText(req, 'verify') === '1' ? await checkChain(deps) : undefined;
    const wanted = await formFilter(req, deps, form);
    let page = { events: [] as Awaited<ReturnType<typeof queryAudit>>['events'], nextCursor: null as string | null };
    let error = 'error' in wanted ? wanted.error : undefined;
    if ('filter' in wanted) {
      try {
        page = await queryAudit(deps.db, wanted.filter, { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        error = userErrorText(req.web, err);
      }
      // reading the log is itself recorded: once per search (its first page), after the reading so it does not show itself
      if (!cursor && !error) await auditConsole(deps.db, req, { action: 'audit.view', data: { filter: askedFor(form), ...(chain ? { verified: chain.check.ok } : {}) } });
    }
    const main = auditPage(req.web, { form, events: page.events, nextCursor: page.nextCursor, paged: Boolean(cursor), agencyCodes: await agencyCodesById(deps.db), chain });
    return sendConsolePage(req, reply, { title: t('audit.title'), menuPath: '/admin/audit', main, error, status: error ? 400 : 200 });
  });

  app.get('/admin/audit/export', { config: { access: 'console' } }, async (req, reply) => {
    await requireRoles(req, AUDIT_READERS);
    const t = req.web.strings(SEC);
    const form = readAuditForm(req);
    const wanted = await formFilter(req, deps, form);
    if ('error' in wanted) {
      return sendConsolePage(req, reply, { title: t('audit.title'), menuPath: '/admin/audit', main: auditPage(req.web, { form, events: [], nextCursor: null, paged: false, agencyCodes: new Map() }), error: wanted.error, status: 400 });
    }
    const excel = queryText(req, 'excel') === '1';
    // exporting the log is recorded before the first byte leaves, as the API does
    await auditConsole(deps.db, req, { action: 'audit.export', target: 'csv', data: { filter: askedFor(form), excel } });
    const out = new PassThrough();
    exportAudit(deps.db, wanted.filter, 'csv', out, { excel }).then(
      () => out.end(),
      (err: Error) => {
        deps.log.error({ err: err.message }, 'audit export failed');
        out.destroy(err);
      },
    );
    // the file is named by the day in the province's time zone
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: deps.config.web.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    return reply
      .header('Cache-Control', 'no-store')
      .header('Content-Disposition', `attachment; filename="audit-${day}.csv"`)
      .type('text/csv; charset=utf-8')
      .send(out);
  });
}
