import type { Queryable } from '../store/db.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError } from '../shared/errors.js';
import { parseAddress } from './address.js';
import { addAccount, getAccount, setAccountStatus, updateAccount, type Account, type AccountKind } from './accounts.js';
import { createActivationCodes } from './activation.js';
import { agencySubtreeIds, getAgency, getAgencyById, listAgencies } from './agencies.js';
import { getDomain, listDomains } from './domains.js';
import { unlockAccount, type LoginGuard } from './lockout.js';
import { setAccountPassword, type CredentialSettings } from './password-change.js';
import type { AccountFilter } from './listing.js';
import { mayManageAccount, mayManageDomain, mayUseAgency, type RoleScope } from './roles.js';

/**
 * The account changes an administrator makes, with their scope checks and audit events,
 * for every front end that offers them: the admin API (a token) and the admin console
 * (a person logged in). Each front end says who acts and turns the refusals into its
 * own answers ('out-of-scope': the API's 403, the console's 404).
 */

/** Who makes the change: the audit event's actor, from where, in which role, through what. */
export interface AdminActor {
  /** an account address (console) or the token's actor (API) */
  actor: string;
  /** the client's IP address */
  source: string;
  scope: RoleScope;
  via: 'api' | 'console';
}

/** The scope does not reach the account, agency or domain. */
export class OutOfScopeError extends UserError {
  override name = 'OutOfScopeError';
  constructor(message: string) {
    super('out-of-scope', message);
  }
}

/** Where a scope reaches, in words, for refusals: "agency SNV and its sub-agencies". */
export async function describeScope(db: Queryable, scope: RoleScope): Promise<string> {
  switch (scope.role) {
    case 'domain-admin':
      return `the domain ${(await listDomains(db)).find((d) => d.id === scope.domainId)?.name ?? scope.domainId}`;
    case 'agency-admin':
      return `agency ${(await getAgencyById(db, scope.agencyId)).code} and its sub-agencies`;
    default:
      return `the ${scope.role} role`;
  }
}

export async function assertAccountInScope(db: Queryable, scope: RoleScope, account: Account): Promise<void> {
  if (!(await mayManageAccount(db, scope, account))) throw new OutOfScopeError(`${account.address} is outside ${await describeScope(db, scope)}`);
}

export async function assertAgencyInScope(db: Queryable, scope: RoleScope, agencyId: number | null, code: string | null): Promise<void> {
  if (!(await mayUseAgency(db, scope, agencyId))) {
    throw new OutOfScopeError(code ? `agency ${code} is outside ${await describeScope(db, scope)}` : `an account without an agency is outside ${await describeScope(db, scope)}`);
  }
}

export async function assertDomainInScope(db: Queryable, scope: RoleScope, domainId: number, name: string): Promise<void> {
  if (!mayManageDomain(scope, domainId)) throw new OutOfScopeError(`the domain ${name} is outside ${await describeScope(db, scope)}`);
}

/** The account at the address, if the scope reaches it ('no-such-account' before 'out-of-scope'). */
export async function accountInScope(db: Queryable, scope: RoleScope, address: string): Promise<Account> {
  const account = await getAccount(db, address);
  await assertAccountInScope(db, scope, account);
  return account;
}

/**
 * Which accounts a list may show: the scope's reach (a domain admin's domain, an agency
 * admin's subtree; nothing for a role that manages no accounts), narrowed to the domain
 * and agency asked for, which must be in scope themselves.
 */
export async function accountListFilter(db: Queryable, scope: RoleScope, asked: { domain?: string; agency?: string }): Promise<Pick<AccountFilter, 'domainId' | 'agencyIds'>> {
  if (scope.role !== 'superadmin' && scope.role !== 'domain-admin' && scope.role !== 'agency-admin') return { agencyIds: [] };
  let domainId: number | undefined;
  if (asked.domain) {
    const domain = await getDomain(db, asked.domain);
    if (scope.role === 'domain-admin') await assertDomainInScope(db, scope, domain.id, domain.name);
    domainId = domain.id;
  }
  if (scope.role === 'domain-admin') domainId = scope.domainId;
  let agencyIds: number[] | undefined;
  if (asked.agency) {
    const agency = await getAgency(db, asked.agency);
    await assertAgencyInScope(db, scope, agency.id, agency.code);
    agencyIds = await agencySubtreeIds(db, agency.id);
  } else if (scope.role === 'agency-admin') {
    agencyIds = await agencySubtreeIds(db, scope.agencyId);
  }
  return { ...(domainId !== undefined ? { domainId } : {}), ...(agencyIds ? { agencyIds } : {}) };
}

/**
 * Records an administrator's change: actor, target, where from, the agency it concerns
 * (so auditors can filter by agency) and the values before and after. Call it last in
 * the transaction that makes the change: the chain stays locked until that transaction ends.
 */
export async function auditAdminChange(db: Queryable, who: AdminActor, action: string, target: string, data: Record<string, unknown>, agencyId: number | null): Promise<void> {
  await appendAudit(db, {
    actor: who.actor,
    action,
    target,
    source: who.source,
    ...(agencyId !== null ? { agencyId } : {}),
    data: { ...data, via: who.via, role: who.scope.role },
  });
}

const agencyCodeOf = async (db: Queryable, agencyId: number | null) =>
  agencyId === null ? null : (await listAgencies(db)).find((a) => a.id === agencyId)?.code ?? null;

export interface ManagedAccountInput {
  address: string;
  displayName?: string;
  title?: string;
  kind?: AccountKind;
  /** the agency's code; an agency admin must name one inside their scope */
  agency?: string | null;
  quotaBytes: number;
  /** an initial password under the policy; the person must change it at first login */
  password?: string;
}

/**
 * Makes an account inside the actor's scope. `afterCreate` runs in the same transaction
 * before the audit event (the caller's default folders: the mail module's part).
 * Run it in a transaction.
 */
export async function createManagedAccount(
  db: Queryable,
  settings: CredentialSettings,
  who: AdminActor,
  input: ManagedAccountInput,
  afterCreate: (client: Queryable, account: Account) => Promise<void>,
): Promise<Account> {
  const { domain } = parseAddress(input.address);
  const dom = await getDomain(db, domain);
  if (who.scope.role === 'domain-admin') await assertDomainInScope(db, who.scope, dom.id, dom.name);
  const agency = input.agency ? await getAgency(db, input.agency) : null;
  await assertAgencyInScope(db, who.scope, agency?.id ?? null, agency?.code ?? null);
  const created = await addAccount(db, {
    address: input.address,
    displayName: input.displayName ?? '',
    title: input.title ?? '',
    kind: input.kind ?? 'person',
    agencyId: agency?.id ?? null,
    quotaBytes: input.quotaBytes,
  });
  await afterCreate(db, created);
  if (input.password) await setAccountPassword(db, settings, created, input.password, { by: 'creation' });
  await auditAdminChange(db, who, 'account.add', created.address, {
    after: { displayName: created.displayName, kind: created.kind, agency: agency?.code ?? null, title: created.title, quotaBytes: created.quotaBytes },
    password: input.password ? 'set' : 'none',
  }, created.agencyId);
  return created;
}

export interface ManagedAccountChange {
  displayName?: string;
  title?: string;
  /** the agency's code; null: no agency (not for an agency admin) */
  agency?: string | null;
  quotaBytes?: number;
}

/**
 * Changes name, title, agency or quota of an account in scope; a move only to an agency
 * `destination` reaches (the actor's scope unless a person holding several scopes moves
 * someone between two of them). Run it in a transaction.
 */
export async function updateManagedAccount(db: Queryable, who: AdminActor, address: string, change: ManagedAccountChange, destination: RoleScope = who.scope): Promise<Account> {
  const before = await accountInScope(db, who.scope, address);
  let agencyId: number | null | undefined;
  if (change.agency !== undefined) {
    const agency = change.agency === null ? null : await getAgency(db, change.agency);
    await assertAgencyInScope(db, destination, agency?.id ?? null, agency?.code ?? null);
    agencyId = agency?.id ?? null;
  }
  if (change.quotaBytes !== undefined && !(Number.isSafeInteger(change.quotaBytes) && change.quotaBytes >= 0)) {
    throw new UserError('bad-quota', `a quota is a whole number of bytes, 0 or more (0: no limit); got ${change.quotaBytes}`);
  }
  const after = await updateAccount(db, before.id, {
    ...(change.displayName !== undefined ? { displayName: change.displayName } : {}),
    ...(change.title !== undefined ? { title: change.title } : {}),
    ...(agencyId !== undefined ? { agencyId } : {}),
    ...(change.quotaBytes !== undefined ? { quotaBytes: change.quotaBytes } : {}),
  });
  const view = async (a: Account) => ({ displayName: a.displayName, title: a.title, agency: await agencyCodeOf(db, a.agencyId), quotaBytes: a.quotaBytes });
  await auditAdminChange(db, who, 'account.update', after.address, { before: await view(before), after: await view(after) }, after.agencyId);
  return after;
}

/** Disables (no login, no new mail; the mail is kept) or enables an account in scope. Run it in a transaction. */
export async function setManagedAccountStatus(db: Queryable, who: AdminActor, address: string, action: 'disable' | 'enable'): Promise<Account> {
  const before = await accountInScope(db, who.scope, address);
  const status = action === 'disable' ? 'disabled' : 'active';
  await setAccountStatus(db, before.id, status);
  await auditAdminChange(db, who, `account.${action}`, before.address, { before: { status: before.status }, after: { status } }, before.agencyId);
  return getAccount(db, before.address);
}

export type PasswordReset =
  | { method: 'password' }
  | { method: 'activation-code'; code: string; expiresAt: Date };

/**
 * Resets an account's password: to `password` (under the policy; the person must change
 * it at their next login), or, without one, by a new activation code with which the
 * person sets their own (earlier unused codes stop working). Run it in a transaction.
 */
export async function resetManagedPassword(
  db: Queryable,
  settings: CredentialSettings & { activationDays: number },
  who: AdminActor,
  address: string,
  password: string | undefined,
): Promise<PasswordReset> {
  const account = await accountInScope(db, who.scope, address);
  if (password === undefined) {
    const [code] = await createActivationCodes(db, [account.id], {
      days: settings.activationDays,
      by: { actor: who.actor, source: who.source },
      context: { via: who.via, role: who.scope.role },
    });
    return { method: 'activation-code', code: code!.code, expiresAt: code!.expiresAt };
  }
  await setAccountPassword(db, settings, account, password, { by: 'admin' });
  await auditAdminChange(db, who, 'account.password.reset', account.address, { mustChange: true }, account.agencyId);
  return { method: 'password' };
}

/** Lifts a lockout after too many failed logins; says whether there was one. */
export async function unlockManagedAccount(db: Queryable, guard: Pick<LoginGuard, 'redis' | 'prefix'>, who: AdminActor, address: string): Promise<boolean> {
  const account = await accountInScope(db, who.scope, address);
  const lifted = await unlockAccount(guard, account.address);
  await auditAdminChange(db, who, 'account.unlock', account.address, { wasLocked: lifted }, account.agencyId);
  return lifted;
}
