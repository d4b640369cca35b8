import type { FastifyInstance, FastifyRequest } from 'fastify';
import { failedLoginSummary } from '../../audit/failed-logins.js';
import { queryAudit } from '../../audit/query.js';
import { findAccount, type Account } from '../../identity/accounts.js';
import { tryNormalizeAddress } from '../../identity/address.js';
import { accountLockRemaining, listLocks, unlockAccount } from '../../identity/lockout.js';
import { mayManageAccount, type RoleScope } from '../../identity/roles.js';
import { UserError } from '../../shared/errors.js';
import type { WebmailDeps } from '../context.js';
import { PageError } from '../context.js';
import { readForm } from '../forms.js';
import { seeOther, userErrorText } from '../plugin.js';
import { AUDIT_READERS } from './audit.js';
import { historyPage, loginsPage, WINDOWS, type LoginsWindow } from './logins-view.js';
import { auditConsole, noticeUrl, queryText, requireRoles, sendConsolePage } from './sec-access.js';
import { SEC } from './sec-strings.js';

/** May any of these scopes lift this account's lock? (agency admins within their subtree, domain admins, superadmins) */
export async function mayUnlock(deps: WebmailDeps, scopes: readonly RoleScope[], account: Pick<Account, 'domainId' | 'agencyId'>): Promise<boolean> {
  for (const scope of scopes) if (await mayManageAccount(deps.db, scope, account)) return true;
  return false;
}

const guardOf = (deps: WebmailDeps) => ({ redis: deps.redis, prefix: deps.config.redisPrefix });

/** The address in a path or form, normalized; a 404 names what was not an address. */
function addressFrom(req: FastifyRequest, value: string): string {
  const address = tryNormalizeAddress(value);
  if (!address) throw new PageError(404, req.web.strings(SEC)('logins.bad-address', { value }));
  return address;
}

/** Notices the lockout view shows after an unlock (?done=…), never free text from the address bar. */
const DONE = { unlocked: 'logins.unlocked', 'not-locked': 'logins.not-locked' } as const;

/** Failed logins and lockouts (grouped by account and by IP), the locks in force, per-account login history. */
export function registerLoginPages(app: FastifyInstance, deps: WebmailDeps): void {
  app.get('/admin/logins', { config: { access: 'console' } }, async (req, reply) => {
    const scopes = await requireRoles(req, AUDIT_READERS);
    const t = req.web.strings(SEC);
    const hours = (WINDOWS as readonly number[]).includes(Number(queryText(req, 'hours'))) ? (Number(queryText(req, 'hours')) as LoginsWindow) : 24;
    const summary = await failedLoginSummary(deps.db, new Date(Date.now() - hours * 3_600_000));
    const locks = await listLocks(guardOf(deps));
    const unlockable = new Set<string>();
    for (const lock of locks) {
      if (lock.by !== 'account') continue;
      const account = await findAccount(deps.db, lock.subject);
      if (account && (await mayUnlock(deps, scopes, account))) unlockable.add(lock.subject);
    }
    const done = DONE[queryText(req, 'done') as keyof typeof DONE];
    const address = tryNormalizeAddress(queryText(req, 'address'));
    return sendConsolePage(req, reply, {
      title: t('logins.title'), menuPath: '/admin/logins', main: loginsPage(req.web, { hours, summary, locks, unlockable }),
      notice: done && address ? t(done, { address }) : undefined,
    });
  });

  app.get<{ Params: { address: string } }>('/admin/logins/:address', { config: { access: 'console' } }, async (req, reply) => {
    const scopes = await requireRoles(req, AUDIT_READERS);
    const t = req.web.strings(SEC);
    const address = addressFrom(req, req.params.address);
    const cursor = queryText(req, 'cursor');
    let page;
    try {
      page = await queryAudit(deps.db, { action: 'auth.', target: address }, { limit: 50, ...(cursor ? { cursor } : {}) });
    } catch (err) {
      if (err instanceof UserError) throw new PageError(400, userErrorText(req.web, err));
      throw err;
    }
    const account = await findAccount(deps.db, address);
    if (!cursor) await auditConsole(deps.db, req, { action: 'audit.view', target: address, data: { view: 'login-history' } });
    const lockedSeconds = await accountLockRemaining(guardOf(deps), address);
    const done = DONE[queryText(req, 'done') as keyof typeof DONE];
    return sendConsolePage(req, reply, {
      title: t('logins.history', { address }), menuPath: '/admin/logins',
      main: historyPage(req.web, { address, events: page.events, nextCursor: page.nextCursor, paged: Boolean(cursor), lockedSeconds, mayUnlock: Boolean(account && (await mayUnlock(deps, scopes, account))) }),
      notice: done ? t(done, { address }) : undefined,
    });
  });

  app.post('/admin/logins/unlock', { config: { access: 'console' } }, async (req, reply) => {
    const scopes = await req.web.scopes();
    const form = readForm(req);
    const address = addressFrom(req, form.text('address'));
    const account = await findAccount(deps.db, address);
    // auditors see locks but change nothing: only those who manage the account may lift its lock
    if (!account || !(await mayUnlock(deps, scopes, account))) throw new PageError(403, req.web.t('error.forbidden'));
    const lifted = await unlockAccount(guardOf(deps), account.address);
    await auditConsole(deps.db, req, { action: 'account.unlock', target: account.address, ...(account.agencyId !== null ? { agencyId: account.agencyId } : {}), data: { wasLocked: lifted } });
    const back = form.text('back') === 'history' ? `/admin/logins/${encodeURIComponent(account.address)}` : '/admin/logins';
    return seeOther(reply, noticeUrl(back, { done: lifted ? 'unlocked' : 'not-locked', address: account.address }));
  });
}
