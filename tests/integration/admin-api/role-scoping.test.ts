import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES } from '../../../src/admin-api/routes/index.js';
import { ROLES, startApiEnv, type ApiEnv, type TestRole } from './api-env.js';
import { getAccount } from '../../../src/identity/accounts.js';
import { grantRole } from '../../../src/identity/roles.js';
import { decideInspection, requestInspection } from '../../../src/identity/inspections.js';

let api: ApiEnv;

/** inspection numbers per role for the end case (made in beforeAll: 1 to approve, 2 to deny, 3–7 to end) */
const endable: Record<TestRole, number> = { auditor: 3, user: 4, 'agency-admin': 5, 'domain-admin': 6, superadmin: 7 };

beforeAll(async () => {
  api = await startApiEnv({ 'provisioning.domain': 'yenbai.gov.vn' });
  const { db } = api.server.runtime;
  const auditor = await getAccount(db, 'doan@yenbai.gov.vn');
  await grantRole(db, { accountId: auditor.id, role: 'auditor', grantedBy: 'test' });
  const mailbox = await getAccount(db, 'can@yenbai.gov.vn');
  for (let i = 1; i <= 7; i++) await requestInspection(db, { mailbox, auditor, reason: `hồ sơ thanh tra số ${i}`, hours: 4 }, { actor: 'cli:test' });
  for (const id of Object.values(endable)) await decideInspection(db, id, true, { actor: 'cli:second' });
});

afterAll(async () => {
  await api?.env.stop();
});

type Expect = Record<TestRole, number>;
/** expected status by role, in the order superadmin, domain-admin (yenbai.gov.vn), agency-admin (SNV), auditor, user */
const by = (superadmin: number, domainAdmin: number, agencyAdmin: number, auditor: number, user: number): Expect => ({
  superadmin, 'domain-admin': domainAdmin, 'agency-admin': agencyAdmin, auditor, user,
});
const ADMINS_ONLY = (ok: number) => by(ok, ok, ok, 403, 403);

interface Case {
  operation: string;
  what: string;
  method: string;
  /** each role gets its own path and body, so one role's change does not decide another's answer */
  path: (role: TestRole) => string;
  body?: (role: TestRole) => unknown;
  expect: Expect;
}

const c = (operation: string, what: string, method: string, path: string | ((r: TestRole) => string), expect: Expect, body?: (r: TestRole) => unknown): Case => ({
  operation, what, method, path: typeof path === 'string' ? () => path : path, expect, ...(body ? { body } : {}),
});

// A1 = can@ in SNV-TCCB (below SNV, the agency admin's); B1 = binh@ in STC (outside SNV); C1 = cuong@other.gov.vn in SNV
const CASES: Case[] = [
  c('listDomains', 'all domains', 'GET', '/api/v1/domains', ADMINS_ONLY(200)),
  c('createDomain', 'a new domain', 'POST', '/api/v1/domains', by(201, 403, 403, 403, 403), (r) => ({ name: `moi-${r}.gov.vn` })),
  c('getDomain', 'the domain admin’s domain', 'GET', '/api/v1/domains/yenbai.gov.vn', ADMINS_ONLY(200)),
  c('getDomain', 'another domain', 'GET', '/api/v1/domains/other.gov.vn', by(200, 403, 200, 403, 403)),

  c('listAgencies', 'the tree in reach', 'GET', '/api/v1/agencies', ADMINS_ONLY(200)),
  c('getAgency', 'a sub-agency of SNV', 'GET', '/api/v1/agencies/SNV-TCCB', ADMINS_ONLY(200)),
  c('getAgency', 'an agency outside SNV', 'GET', '/api/v1/agencies/STC', by(200, 200, 403, 403, 403)),
  c('createAgency', 'under SNV', 'POST', '/api/v1/agencies', by(201, 403, 201, 403, 403), (r) => ({ code: `SNV-${r}`, name: 'Phòng mới', parent: 'SNV' })),
  c('createAgency', 'under STC', 'POST', '/api/v1/agencies', by(201, 403, 403, 403, 403), (r) => ({ code: `STC-${r}`, name: 'Phòng mới', parent: 'STC' })),
  c('createAgency', 'at the top', 'POST', '/api/v1/agencies', by(201, 403, 403, 403, 403), (r) => ({ code: `TOP-${r}`, name: 'Cơ quan mới' })),
  c('updateAgency', 'rename a sub-agency of SNV', 'PATCH', '/api/v1/agencies/SNV-TCCB', by(200, 403, 200, 403, 403), () => ({ name: 'Phòng Tổ chức cán bộ' })),
  c('updateAgency', 'rename the agency admin’s own root', 'PATCH', '/api/v1/agencies/SNV', by(200, 403, 403, 403, 403), () => ({ name: 'Sở Nội vụ tỉnh' })),
  c('updateAgency', 'rename an agency outside SNV', 'PATCH', '/api/v1/agencies/STC', by(200, 403, 403, 403, 403), () => ({ name: 'Sở Tài chính tỉnh' })),
  // SNV-agency-admin and SNV-superadmin were made by the createAgency case above
  c('updateAgency', 'move a sub-agency of SNV under STC', 'PATCH', (r) => `/api/v1/agencies/SNV-${r === 'superadmin' ? 'superadmin' : 'agency-admin'}`, by(200, 403, 403, 403, 403), () => ({ parent: 'STC' })),

  c('listAccounts', 'the accounts in reach', 'GET', '/api/v1/accounts', ADMINS_ONLY(200)),
  c('listAccounts', 'filtered to agency STC', 'GET', '/api/v1/accounts?agency=STC', by(200, 200, 403, 403, 403)),
  c('createAccount', 'in SNV-TCCB', 'POST', '/api/v1/accounts', by(201, 201, 201, 403, 403), (r) => ({ address: `moi-${r}@yenbai.gov.vn`, agency: 'SNV-TCCB' })),
  c('createAccount', 'in STC', 'POST', '/api/v1/accounts', by(201, 201, 403, 403, 403), (r) => ({ address: `moib-${r}@yenbai.gov.vn`, agency: 'STC' })),
  c('createAccount', 'in SNV on the other domain', 'POST', '/api/v1/accounts', by(201, 403, 201, 403, 403), (r) => ({ address: `moic-${r}@other.gov.vn`, agency: 'SNV' })),
  c('createAccount', 'without an agency', 'POST', '/api/v1/accounts', by(201, 201, 403, 403, 403), (r) => ({ address: `moid-${r}@yenbai.gov.vn` })),
  c('getAccount', 'A1 in a sub-agency of SNV', 'GET', '/api/v1/accounts/can@yenbai.gov.vn', ADMINS_ONLY(200)),
  c('getAccount', 'B1 outside SNV', 'GET', '/api/v1/accounts/binh@yenbai.gov.vn', by(200, 200, 403, 403, 403)),
  c('getAccount', 'C1 in SNV on the other domain', 'GET', '/api/v1/accounts/cuong@other.gov.vn', by(200, 403, 200, 403, 403)),
  c('updateAccount', 'A1 title', 'PATCH', '/api/v1/accounts/can@yenbai.gov.vn', ADMINS_ONLY(200), () => ({ title: 'Chuyên viên' })),
  c('updateAccount', 'B1 title', 'PATCH', '/api/v1/accounts/binh@yenbai.gov.vn', by(200, 200, 403, 403, 403), () => ({ title: 'Kế toán' })),
  // the agency admin (first to try) may not move an account out of their subtree; the others may
  c('updateAccount', 'move doan@ from SNV-TCCB to STC', 'PATCH', '/api/v1/accounts/doan@yenbai.gov.vn', by(200, 200, 403, 403, 403), () => ({ agency: 'STC' })),
  c('disableAccount', 'A1', 'POST', '/api/v1/accounts/can@yenbai.gov.vn/disable', ADMINS_ONLY(200)),
  c('disableAccount', 'B1', 'POST', '/api/v1/accounts/binh@yenbai.gov.vn/disable', by(200, 200, 403, 403, 403)),
  c('enableAccount', 'A1', 'POST', '/api/v1/accounts/can@yenbai.gov.vn/enable', ADMINS_ONLY(200)),
  c('enableAccount', 'B1', 'POST', '/api/v1/accounts/binh@yenbai.gov.vn/enable', by(200, 200, 403, 403, 403)),
  c('resetAccountPassword', 'A1', 'POST', '/api/v1/accounts/can@yenbai.gov.vn/reset-password', ADMINS_ONLY(200), (r) => ({ password: `Sông-Hồng-chảy-${r}-4821` })),
  c('resetAccountPassword', 'B1', 'POST', '/api/v1/accounts/binh@yenbai.gov.vn/reset-password', by(200, 200, 403, 403, 403), (r) => ({ password: `Sông-Hồng-chảy-${r}-4821` })),
  c('unlockAccount', 'A1', 'POST', '/api/v1/accounts/can@yenbai.gov.vn/unlock', ADMINS_ONLY(200)),
  c('unlockAccount', 'B1', 'POST', '/api/v1/accounts/binh@yenbai.gov.vn/unlock', by(200, 200, 403, 403, 403)),
  c('getAccountUsage', 'A1', 'GET', '/api/v1/accounts/can@yenbai.gov.vn/usage', ADMINS_ONLY(200)),
  c('getAccountUsage', 'B1', 'GET', '/api/v1/accounts/binh@yenbai.gov.vn/usage', by(200, 200, 403, 403, 403)),

  c('listAliases', 'all aliases', 'GET', '/api/v1/aliases', by(200, 200, 403, 403, 403)),
  c('listAliases', 'of the other domain', 'GET', '/api/v1/aliases?domain=other.gov.vn', by(200, 403, 403, 403, 403)),
  c('createAlias', 'on yenbai.gov.vn', 'POST', '/api/v1/aliases', by(201, 201, 403, 403, 403), (r) => ({ address: `bidanh-${r}@yenbai.gov.vn`, targets: ['can@yenbai.gov.vn'] })),
  c('createAlias', 'on other.gov.vn', 'POST', '/api/v1/aliases', by(201, 403, 403, 403, 403), (r) => ({ address: `bidanh-${r}@other.gov.vn`, targets: ['cuong@other.gov.vn'] })),
  c('deleteAlias', 'on yenbai.gov.vn', 'DELETE', (r) => `/api/v1/aliases/del-${r}@yenbai.gov.vn`, by(200, 200, 403, 403, 403)),
  c('deleteAlias', 'on other.gov.vn', 'DELETE', (r) => `/api/v1/aliases/del-${r}@other.gov.vn`, by(200, 403, 403, 403, 403)),

  c('listGroups', 'all groups', 'GET', '/api/v1/groups', by(200, 200, 403, 403, 403)),
  c('listGroups', 'of the other domain', 'GET', '/api/v1/groups?domain=other.gov.vn', by(200, 403, 403, 403, 403)),
  c('createGroup', 'on yenbai.gov.vn', 'POST', '/api/v1/groups', by(201, 201, 403, 403, 403), (r) => ({ address: `moi-nhom-${r}@yenbai.gov.vn`, kind: 'agency-staff', agency: 'SNV' })),
  c('createGroup', 'on other.gov.vn', 'POST', '/api/v1/groups', by(201, 403, 403, 403, 403), (r) => ({ address: `moi-nhom-${r}@other.gov.vn` })),
  c('getGroup', 'on yenbai.gov.vn', 'GET', '/api/v1/groups/toanbo@yenbai.gov.vn', by(200, 200, 403, 403, 403)),
  c('getGroup', 'on other.gov.vn', 'GET', '/api/v1/groups/nhom@other.gov.vn', by(200, 403, 403, 403, 403)),
  c('deleteGroup', 'on yenbai.gov.vn', 'DELETE', (r) => `/api/v1/groups/xoa-${r}@yenbai.gov.vn`, by(200, 200, 403, 403, 403)),
  c('deleteGroup', 'on other.gov.vn', 'DELETE', (r) => `/api/v1/groups/xoa-${r}@other.gov.vn`, by(200, 403, 403, 403, 403)),
  c('listGroupMembers', 'on yenbai.gov.vn', 'GET', '/api/v1/groups/toanbo@yenbai.gov.vn/members', by(200, 200, 403, 403, 403)),
  c('listGroupMembers', 'on other.gov.vn', 'GET', '/api/v1/groups/nhom@other.gov.vn/members', by(200, 403, 403, 403, 403)),
  c('addGroupMembers', 'on yenbai.gov.vn', 'POST', '/api/v1/groups/toanbo@yenbai.gov.vn/members', by(200, 200, 403, 403, 403), () => ({ addresses: ['can@yenbai.gov.vn'] })),
  c('addGroupMembers', 'on other.gov.vn', 'POST', '/api/v1/groups/nhom@other.gov.vn/members', by(200, 403, 403, 403, 403), () => ({ addresses: ['can@yenbai.gov.vn'] })),
  c('removeGroupMember', 'on yenbai.gov.vn', 'DELETE', (r) => `/api/v1/groups/toanbo@yenbai.gov.vn/members/p-${r}@yenbai.gov.vn`, by(200, 200, 403, 403, 403)),
  c('removeGroupMember', 'on other.gov.vn', 'DELETE', (r) => `/api/v1/groups/nhom@other.gov.vn/members/p-${r}@yenbai.gov.vn`, by(200, 403, 403, 403, 403)),

  c('listDelegations', 'the delegations in reach', 'GET', '/api/v1/delegations', ADMINS_ONLY(200)),
  c('listDelegations', 'of an account outside SNV', 'GET', '/api/v1/delegations?account=vanphong-stc@yenbai.gov.vn', by(200, 200, 403, 403, 403)),
  c('setDelegation', 'an SNV mailbox to an SNV person', 'POST', '/api/v1/delegations', ADMINS_ONLY(200), () => ({ mailbox: 'vanphong-snv@yenbai.gov.vn', delegate: 'can@yenbai.gov.vn', can_read: true, can_send: true })),
  c('setDelegation', 'an SNV mailbox to a person outside SNV', 'POST', '/api/v1/delegations', by(200, 200, 403, 403, 403), () => ({ mailbox: 'vanphong-snv@yenbai.gov.vn', delegate: 'binh@yenbai.gov.vn', can_read: true, can_send: false })),
  c('setDelegation', 'an STC mailbox', 'POST', '/api/v1/delegations', by(200, 200, 403, 403, 403), () => ({ mailbox: 'vanphong-stc@yenbai.gov.vn', delegate: 'binh@yenbai.gov.vn', can_read: true, can_send: false })),
  c('removeDelegation', 'of an SNV mailbox', 'DELETE', (r) => `/api/v1/delegations/vanphong-snv@yenbai.gov.vn/p-${r}@yenbai.gov.vn`, ADMINS_ONLY(200)),
  c('removeDelegation', 'of an STC mailbox', 'DELETE', (r) => `/api/v1/delegations/vanphong-stc@yenbai.gov.vn/p-stc-${r}@yenbai.gov.vn`, by(200, 200, 403, 403, 403)),

  c('listAppPasswords', 'of A1', 'GET', '/api/v1/accounts/can@yenbai.gov.vn/app-passwords', ADMINS_ONLY(200)),
  c('listAppPasswords', 'of B1', 'GET', '/api/v1/accounts/binh@yenbai.gov.vn/app-passwords', by(200, 200, 403, 403, 403)),
  c('revokeAppPassword', 'of A1', 'DELETE', (r) => `/api/v1/accounts/can@yenbai.gov.vn/app-passwords/tb-${r}`, ADMINS_ONLY(200)),
  c('revokeAppPassword', 'of B1', 'DELETE', (r) => `/api/v1/accounts/binh@yenbai.gov.vn/app-passwords/tb-${r}`, by(200, 200, 403, 403, 403)),

  c('listAuditEvents', 'the whole log', 'GET', '/api/v1/audit/events', by(200, 403, 403, 200, 403)),
  c('listLoginHistory', 'of A1', 'GET', '/api/v1/audit/logins?account=can@yenbai.gov.vn', by(200, 403, 403, 200, 403)),
  c('exportAuditEvents', 'as JSON lines', 'GET', '/api/v1/audit/export?format=jsonl', by(200, 403, 403, 200, 403)),

  c('getMe', 'the user token’s own account', 'GET', '/api/v1/me', by(403, 403, 403, 403, 200)),
  c('listSessions', 'of A1', 'GET', '/api/v1/accounts/can@yenbai.gov.vn/sessions', by(200, 200, 200, 200, 403)),
  c('listSessions', 'of B1', 'GET', '/api/v1/accounts/binh@yenbai.gov.vn/sessions', by(200, 200, 403, 200, 403)),
  c('revokeSessions', 'of A1', 'DELETE', '/api/v1/accounts/can@yenbai.gov.vn/sessions', ADMINS_ONLY(200)),
  c('revokeSessions', 'of B1', 'DELETE', '/api/v1/accounts/binh@yenbai.gov.vn/sessions', by(200, 200, 403, 403, 403)),
  c('listInspections', 'all', 'GET', '/api/v1/inspections', by(200, 403, 403, 200, 403)),
  c('requestInspection', 'of can@ by doan@', 'POST', '/api/v1/inspections', by(201, 403, 403, 201, 403), () => ({ mailbox: 'can@yenbai.gov.vn', auditor: 'doan@yenbai.gov.vn', reason: 'công văn số 12/TTr yêu cầu', hours: 2 })),
  c('approveInspection', 'a pending one asked by another', 'POST', '/api/v1/inspections/1/approve', by(200, 403, 403, 403, 403)),
  c('denyInspection', 'a pending one', 'POST', '/api/v1/inspections/2/deny', by(200, 403, 403, 403, 403)),
  c('endInspection', 'an active one', 'POST', (r) => `/api/v1/inspections/${endable[r]}/end`, by(200, 403, 403, 200, 403)),
  c('listProvisioningRuns', 'the runs in reach', 'GET', '/api/v1/provisioning/runs', by(200, 403, 200, 403, 403)),
  c('createProvisioningPlan', 'from a sheet of SNV-TCCB', 'POST', '/api/v1/provisioning/plans', by(201, 403, 201, 403, 403), (r) => ({
    source: 'csv', content: `Mã cán bộ,Họ và tên,Chức vụ,Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên\r\nRS-${r},Người Thử Nghiệm,Chuyên viên,SNV-TCCB,Phòng Tổ chức,SNV`,
  })),
  c('getProvisioningRun', 'one that does not exist', 'GET', '/api/v1/provisioning/runs/999999', by(404, 403, 404, 403, 403)),
  c('applyProvisioningRun', 'one that does not exist', 'POST', '/api/v1/provisioning/runs/999999/apply', by(404, 403, 404, 403, 403), () => ({})),
  c('listOwnSessions', 'the user’s own', 'GET', '/api/v1/me/sessions', by(403, 403, 403, 403, 200)),
  c('revokeOwnSession', 'one that is not theirs', 'DELETE', '/api/v1/me/sessions/999999', by(403, 403, 403, 403, 404)),
  c('listOwnAppPasswords', 'the user’s own', 'GET', '/api/v1/me/app-passwords', by(403, 403, 403, 403, 200)),
  c('createOwnAppPassword', 'for a mail client', 'POST', '/api/v1/me/app-passwords', by(403, 403, 403, 403, 201), (r) => ({ name: `may-${r}`, scopes: ['imap', 'smtp'] })),
  c('revokeOwnAppPassword', 'the user’s own', 'DELETE', (r) => `/api/v1/me/app-passwords/cu-${r}`, by(403, 403, 403, 403, 200)),
];

describe('role scoping: role × route × status', () => {
  it('the table covers every route of the API', () => {
    const covered = new Set(CASES.map((k) => k.operation));
    expect([...covered].sort()).toEqual(ADMIN_ROUTES.map((r) => r.operationId).sort());
  });

  for (const k of CASES) {
    it(`${k.operation}: ${k.what} — ${ROLES.map((r) => `${r} ${k.expect[r]}`).join(', ')}`, async () => {
      const got: Record<string, number> = {};
      // the least powerful first: a refused change must not have happened when the next role tries
      for (const role of ROLES) {
        const res = await api.call(role, k.method, k.path(role), k.body?.(role));
        got[role] = res.status;
        if (res.status >= 400) expect(res.body, `${role}: error body`).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      }
      expect(got).toEqual(k.expect);
    });
  }
});

describe('what a refusal says', () => {
  it('an agency admin reading an account of another agency gets 403 out-of-scope naming both', async () => {
    const res = await api.call('agency-admin', 'GET', '/api/v1/accounts/binh@yenbai.gov.vn');
    expect(res).toMatchObject({ status: 403, body: { error: { code: 'out-of-scope', message: 'binh@yenbai.gov.vn is outside agency SNV and its sub-agencies' } } });
  });

  it('an auditor trying a change gets 403 forbidden naming the role', async () => {
    const res = await api.call('auditor', 'POST', '/api/v1/accounts/can@yenbai.gov.vn/disable');
    expect(res).toMatchObject({ status: 403, body: { error: { code: 'forbidden', message: 'the auditor role may not disable an account (it can no longer log in or receive mail; its mail is kept)' } } });
  });

  it('an agency admin listing accounts sees only their subtree', async () => {
    const res = await api.call('agency-admin', 'GET', '/api/v1/accounts?limit=500');
    const addresses = (res.body as { items: Array<{ address: string; agency: string }> }).items.map((a) => a.address);
    expect(addresses).toContain('can@yenbai.gov.vn');
    expect(addresses).toContain('cuong@other.gov.vn');
    expect(addresses).not.toContain('binh@yenbai.gov.vn');
    expect(addresses).not.toContain('dung@yenbai.gov.vn');
  });

  it('an agency admin sees the agency tree from their own agency down', async () => {
    const res = await api.call('agency-admin', 'GET', '/api/v1/agencies');
    const items = (res.body as { items: Array<{ code: string; depth: number }> }).items;
    expect(items[0]).toMatchObject({ code: 'SNV', depth: 0 });
    expect(items.map((a) => a.code)).not.toContain('STC');
    expect(items.map((a) => a.code)).not.toContain('UBND');
  });
});
