import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestAlias, addTestDomain } from '../../support/fixtures.js';
import { addAgency, getAgency } from '../../../src/identity/agencies.js';
import { getAccount, updateAccount } from '../../../src/identity/accounts.js';
import { addGroup, addGroupMembers } from '../../../src/identity/groups.js';
import { setDelegation } from '../../../src/identity/delegations.js';
import { createAppPassword } from '../../../src/identity/app-passwords.js';
import { createApiToken } from '../../../src/identity/api-tokens.js';
import type { RoleScope } from '../../../src/identity/roles.js';
import type { RunningServer } from '../../../src/cli/server.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** A real HTTP request to a running server (Node's fetch, undici). */
export async function request(port: number, token: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: the test sees the text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export const ROLES = ['auditor', 'user', 'agency-admin', 'domain-admin', 'superadmin'] as const;
export type TestRole = (typeof ROLES)[number];

/**
 * The organisation the API tests work on:
 *   UBND (province) ─┬─ SNV (agency A) ── SNV-TCCB (A's sub-agency)
 *                    └─ STC (agency B)
 * domains yenbai.gov.vn (the domain admin's) and other.gov.vn;
 * accounts can@ (SNV-TCCB), doan@ (SNV-TCCB), binh@ (STC), cuong@other.gov.vn (SNV), dung@ (no agency: the user token's),
 * agency mailboxes vanphong-snv@ (SNV-TCCB) and vanphong-stc@ (STC); per role R: p-R@ (SNV-TCCB) and p-stc-R@ (STC),
 * delegated vanphong-snv@ → p-R@ and vanphong-stc@ → p-stc-R@, members p-R@ of the groups toanbo@ and nhom@other.gov.vn,
 * groups xoa-R@ on both domains, app passwords tb-R of can@ and binh@ and cu-R of dung@.
 */
export interface ApiEnv {
  env: TestEnv;
  server: RunningServer;
  port: number;
  tokens: Record<TestRole, string>;
  call(role: TestRole | undefined, method: string, path: string, body?: unknown): Promise<ApiResponse>;
}

export async function startApiEnv(overrides: Record<string, unknown> = {}): Promise<ApiEnv> {
  const env = await createTestEnv();
  const server = await env.start(overrides, ['web']);
  const { db, config } = server.runtime;
  const yenbai = (await addTestDomain(db, 'yenbai.gov.vn')).domain;
  await addTestDomain(db, 'other.gov.vn');
  const ubnd = await addAgency(db, { code: 'UBND', name: 'Ủy ban nhân dân tỉnh' });
  const snv = await addAgency(db, { code: 'SNV', name: 'Sở Nội vụ', parentId: ubnd.id });
  const tccb = await addAgency(db, { code: 'SNV-TCCB', name: 'Phòng Tổ chức', parentId: snv.id });
  const stc = await addAgency(db, { code: 'STC', name: 'Sở Tài chính', parentId: ubnd.id });
  const inAgency = async (address: string, agencyId: number) => {
    const a = await addTestAccount(db, config, address);
    await updateAccount(db, a.id, { agencyId });
  };
  await inAgency('can@yenbai.gov.vn', tccb.id);
  await inAgency('doan@yenbai.gov.vn', tccb.id);
  await inAgency('binh@yenbai.gov.vn', stc.id);
  await inAgency('cuong@other.gov.vn', snv.id);
  const dung = await addTestAccount(db, config, 'dung@yenbai.gov.vn');
  const mailboxA = await addTestAccount(db, config, 'vanphong-snv@yenbai.gov.vn');
  await updateAccount(db, mailboxA.id, { agencyId: tccb.id });
  await db.query("UPDATE accounts SET kind = 'agency' WHERE id = $1", [mailboxA.id]);
  const mailboxB = await addTestAccount(db, config, 'vanphong-stc@yenbai.gov.vn');
  await updateAccount(db, mailboxB.id, { agencyId: stc.id });
  await db.query("UPDATE accounts SET kind = 'agency' WHERE id = $1", [mailboxB.id]);
  const everyone = await addGroup(db, { address: 'toanbo@yenbai.gov.vn', name: 'Toàn bộ' });
  const otherGroup = await addGroup(db, { address: 'nhom@other.gov.vn' });
  const can = await getAccount(db, 'can@yenbai.gov.vn');
  const binh = await getAccount(db, 'binh@yenbai.gov.vn');
  // one of each thing per role, for the cases where each role removes its own
  for (const role of ROLES) {
    await addTestAlias(db, `del-${role}@yenbai.gov.vn`, ['can@yenbai.gov.vn']);
    await addTestAlias(db, `del-${role}@other.gov.vn`, ['cuong@other.gov.vn']);
    await addGroup(db, { address: `xoa-${role}@yenbai.gov.vn` });
    await addGroup(db, { address: `xoa-${role}@other.gov.vn` });
    const inA = await addTestAccount(db, config, `p-${role}@yenbai.gov.vn`);
    await updateAccount(db, inA.id, { agencyId: tccb.id });
    const inB = await addTestAccount(db, config, `p-stc-${role}@yenbai.gov.vn`);
    await updateAccount(db, inB.id, { agencyId: stc.id });
    await addGroupMembers(db, everyone, [inA]);
    await addGroupMembers(db, otherGroup, [inA]);
    await setDelegation(db, await getAccount(db, mailboxA.address), inA, { canRead: true, canSend: false }, 'test');
    await setDelegation(db, await getAccount(db, mailboxB.address), inB, { canRead: true, canSend: false }, 'test');
    await createAppPassword(db, can, { name: `tb-${role}`, scopes: ['imap'] }, { actor: 'test' });
    await createAppPassword(db, binh, { name: `tb-${role}`, scopes: ['imap'] }, { actor: 'test' });
    await createAppPassword(db, dung, { name: `cu-${role}`, scopes: ['smtp'] }, { actor: 'test' });
  }
  const scopes: Record<TestRole, RoleScope> = {
    superadmin: { role: 'superadmin' },
    'domain-admin': { role: 'domain-admin', domainId: yenbai.id },
    'agency-admin': { role: 'agency-admin', agencyId: (await getAgency(db, 'SNV')).id },
    auditor: { role: 'auditor' },
    user: { role: 'user', accountId: dung.id },
  };
  const tokens = {} as Record<TestRole, string>;
  for (const role of ROLES) {
    tokens[role] = (await createApiToken(db, { name: `test-${role}`, scope: scopes[role], expiresDays: 30, createdBy: 'test' })).secret;
  }
  const port = server.ports.http!;
  return {
    env,
    server,
    port,
    tokens,
    call: (role, method, path, body) => request(port, role ? tokens[role] : undefined, method, path, body),
  };
}
