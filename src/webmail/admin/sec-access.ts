import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoleScope } from '../../identity/roles.js';
import { appendAudit, type AuditEvent } from '../../audit/audit-log.js';
import type { Queryable } from '../../store/db.js';
import { accountOf, PageError } from '../context.js';
import type { SafeHtml } from '../html.js';
import { renderPage } from '../layout.js';
import { sendPage } from '../plugin.js';
import { consoleMenu, hasRole } from './menu.js';
import { SEC } from './sec-strings.js';

type Role = RoleScope['role'];

/**
 * The scopes of the logged-in account when one of them has a role the page is for;
 * otherwise a 403 that names who the page is for. Every console page calls it first.
 */
export async function requireRoles(req: FastifyRequest, roles: readonly Role[]): Promise<RoleScope[]> {
  const scopes = await req.web.scopes();
  if (!hasRole(scopes, roles)) {
    const t = req.web.strings(SEC);
    throw new PageError(403, t('forbidden.role', { roles: roles.map((r) => t(`role.${r}` as 'role.auditor')).join(', ') }));
  }
  return scopes;
}

/** A console page: the admin header, the menu by role with this page marked, and the content. */
export async function sendConsolePage(
  req: FastifyRequest,
  reply: FastifyReply,
  page: { title: string; menuPath: string; main: SafeHtml; notice?: string | undefined; error?: string | undefined; status?: number },
) {
  const ctx = req.web;
  const html = await renderPage(ctx, {
    title: page.title, section: 'admin', current: 'admin', sidebar: await consoleMenu(ctx, page.menuPath), main: page.main, notice: page.notice, error: page.error,
  });
  return sendPage(reply, html, page.status ?? 200);
}

/** Records a change (or a reading) made in the console: the officer as actor, from the browser's address. */
export async function auditConsole(db: Queryable, req: FastifyRequest, event: Omit<AuditEvent, 'actor' | 'source'>): Promise<void> {
  await appendAudit(db, { ...event, actor: accountOf(req).address, source: req.web.ip, data: { ...event.data, via: 'web' } });
}

/** A notice carried through a POST → 303 → GET, as ?done=key&… on the page's address. */
export const noticeUrl = (path: string, params: Record<string, string | number>) =>
  `${path}?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString()}`;

/** The query string value of a GET form field ('' when absent or repeated oddly). */
export function queryText(req: FastifyRequest, name: string): string {
  const v = (req.query as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.normalize('NFC').trim() : '';
}
