import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../../src/identity/api-tokens.js';
import { verifyAuditChain } from '../../../src/audit/audit-log.js';
import { addAccount } from '../../../src/identity/accounts.js';
import { getAgency } from '../../../src/identity/agencies.js';
import { getDomain } from '../../../src/identity/domains.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { request, startApiEnv, type ApiEnv } from './api-env.js';

let api: ApiEnv;
/** a second server on the same database with a small rate limit and body limit, behind a trusted proxy */
let strict: RunningServer;

beforeAll(async () => {
  api = await startApiEnv();
  strict = await api.env.start({ 'api.rateLimitPerMinute': 5, 'api.bodyLimitBytes': 2048, 'web.trustedProxies': ['127.0.0.1'] }, ['web']);
});

afterAll(async () => {
  await api?.env.stop();
});

const errorShape = (code: string) => ({ error: { code, message: expect.any(String) } });

describe('bearer tokens', () => {
  it('answers 401 unauthenticated with WWW-Authenticate when there is no token', async () => {
    const res = await api.call(undefined, 'GET', '/api/v1/domains');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'unauthenticated', message: 'send an API token: Authorization: Bearer hopthu_…' } });
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="hopthu"');
  });

  it('answers 401 bad-token for a made-up or malformed token', async () => {
    for (const token of ['hopthu_' + 'A'.repeat(43), 'not-a-token']) {
      const res = await request(api.port, token, 'GET', '/api/v1/domains');
      expect(res).toMatchObject({ status: 401, body: { error: { code: 'bad-token', message: 'the API token is not valid' } } });
    }
    const basic = await request(api.port, undefined, 'GET', '/api/v1/domains', undefined, { authorization: 'Basic YWRtaW46YWRtaW4=' });
    expect(basic).toMatchObject({ status: 401, body: errorShape('unauthenticated') });
  });

  it('answers 401 token-expired for an expired token and token-revoked for a revoked one', async () => {
    const { db } = api.server.runtime;
    const expired = await createApiToken(db, { name: 'expired', scope: { role: 'superadmin' }, expiresDays: 1, createdBy: 'test' });
    await db.query("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE name = 'expired'");
    expect(await request(api.port, expired.secret, 'GET', '/api/v1/domains')).toMatchObject({ status: 401, body: errorShape('token-expired') });
    const revoked = await createApiToken(db, { name: 'revoked', scope: { role: 'superadmin' }, expiresDays: 1, createdBy: 'test' });
    expect((await request(api.port, revoked.secret, 'GET', '/api/v1/domains')).status).toBe(200);
    await db.query("UPDATE api_tokens SET revoked_at = now() WHERE name = 'revoked'");
    expect(await request(api.port, revoked.secret, 'GET', '/api/v1/domains')).toMatchObject({ status: 401, body: errorShape('token-revoked') });
  });

  it('answers 401 account-disabled for a user token whose account is disabled', async () => {
    const { db } = api.server.runtime;
    const account = await addAccount(db, { address: 'tamnghi@yenbai.gov.vn', quotaBytes: 0 });
    const { secret } = await createApiToken(db, { name: 'tamnghi', scope: { role: 'user', accountId: account.id }, expiresDays: 1, createdBy: 'test' });
    expect((await request(api.port, secret, 'GET', '/api/v1/me')).status).toBe(200);
    expect((await api.call('superadmin', 'POST', '/api/v1/accounts/tamnghi@yenbai.gov.vn/disable')).status).toBe(200);
    expect(await request(api.port, secret, 'GET', '/api/v1/me')).toMatchObject({ status: 401, body: errorShape('account-disabled') });
  });

  it('keeps only the SHA-256 of the secret, and records the last use time and address', async () => {
    await api.call('superadmin', 'GET', '/api/v1/domains');
    const { rows } = await api.server.runtime.db.query<{ secret_hash: string; last_used_at: Date | null; last_used_ip: string | null }>(
      "SELECT secret_hash, last_used_at, last_used_ip FROM api_tokens WHERE name = 'test-superadmin'",
    );
    const { createHash } = await import('node:crypto');
    expect(rows[0]!.secret_hash).toBe(createHash('sha256').update(api.tokens.superadmin).digest('hex'));
    expect(api.tokens.superadmin).toMatch(/^hopthu_[A-Za-z0-9_-]{43}$/);
    expect(rows[0]!.last_used_ip).toBe('127.0.0.1');
    expect(Date.now() - rows[0]!.last_used_at!.getTime()).toBeLessThan(60_000);
  });

  it('behind a trusted proxy records the client address from X-Forwarded-For', async () => {
    const { secret } = await createApiToken(api.server.runtime.db, { name: 'proxied', scope: { role: 'superadmin' }, expiresDays: 1, createdBy: 'test' });
    const res = await request(strict.ports.http!, secret, 'GET', '/api/v1/domains', undefined, { 'x-forwarded-for': '203.0.113.7' });
    expect(res.status).toBe(200);
    const { rows } = await api.server.runtime.db.query("SELECT last_used_ip FROM api_tokens WHERE name = 'proxied'");
    expect(rows).toEqual([{ last_used_ip: '203.0.113.7' }]);
  });
});

describe('errors', () => {
  it('400 names the field that is wrong', async () => {
    const badType = await api.call('superadmin', 'POST', '/api/v1/accounts', { address: 'x@yenbai.gov.vn', quota_bytes: 'nhiều' });
    expect(badType).toMatchObject({ status: 400, body: { error: { code: 'invalid-request', field: 'body.quota_bytes', message: expect.stringMatching(/^body\.quota_bytes: .*expected number/) } } });
    const unknown = await api.call('superadmin', 'POST', '/api/v1/accounts', { address: 'x@yenbai.gov.vn', nickname: 'x' });
    expect(unknown).toMatchObject({ status: 400, body: { error: { code: 'invalid-request', field: 'body.nickname', message: 'body.nickname: there is no such field here' } } });
    const badQuery = await api.call('superadmin', 'GET', '/api/v1/accounts?limit=0');
    expect(badQuery).toMatchObject({ status: 400, body: { error: { code: 'invalid-request', field: 'query.limit' } } });
    const badFilter = await api.call('superadmin', 'GET', '/api/v1/accounts?colour=blue');
    expect(badFilter).toMatchObject({ status: 400, body: { error: { field: 'query.colour' } } });
    const noBody = await api.call('superadmin', 'POST', '/api/v1/aliases');
    expect(noBody).toMatchObject({ status: 400, body: { error: { code: 'invalid-request', field: 'body' } } });
  });

  it('400 invalid-json for a body that is not JSON, 400 bad-cursor for a forged cursor', async () => {
    expect(await api.call('superadmin', 'POST', '/api/v1/domains', '{"name": ')).toMatchObject({ status: 400, body: errorShape('invalid-json') });
    expect(await api.call('superadmin', 'GET', '/api/v1/accounts?cursor=bm90LWEtY3Vyc29y')).toMatchObject({ status: 400, body: { error: { code: 'bad-cursor', field: 'query.cursor' } } });
  });

  it('400 with the policy’s reason for a weak password', async () => {
    const res = await api.call('superadmin', 'POST', '/api/v1/accounts/can@yenbai.gov.vn/reset-password', { password: 'matkhau123' });
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'password-too-short' } } });
  });

  it('404 for an unknown route and for an unknown account, with the documented shape', async () => {
    expect(await api.call('superadmin', 'GET', '/api/v1/mailboxes')).toMatchObject({ status: 404, body: errorShape('no-such-route') });
    const res = await api.call('superadmin', 'GET', '/api/v1/accounts/khongco@yenbai.gov.vn');
    expect(res).toEqual({ status: 404, headers: expect.anything(), body: { error: { code: 'no-such-account', message: 'there is no account khongco@yenbai.gov.vn' } } });
  });

  it('409 for an account or domain that exists', async () => {
    expect(await api.call('superadmin', 'POST', '/api/v1/accounts', { address: 'can@yenbai.gov.vn' })).toMatchObject({ status: 409, body: errorShape('account-exists') });
    expect(await api.call('superadmin', 'POST', '/api/v1/domains', { name: 'yenbai.gov.vn' })).toMatchObject({ status: 409, body: errorShape('domain-exists') });
    expect(await api.call('superadmin', 'POST', '/api/v1/aliases', { address: 'can@yenbai.gov.vn', targets: ['binh@yenbai.gov.vn'] })).toMatchObject({ status: 409, body: errorShape('address-taken') });
  });

  it('413 for a body over api.bodyLimitBytes', async () => {
    const { secret } = await createApiToken(api.server.runtime.db, { name: 'big-body', scope: { role: 'superadmin' }, expiresDays: 1, createdBy: 'test' });
    const res = await request(strict.ports.http!, secret, 'POST', '/api/v1/aliases', { address: 'lon@yenbai.gov.vn', targets: Array.from({ length: 200 }, (_, i) => `nguoi${i}@example.org`) });
    expect(res).toEqual({ status: 413, headers: expect.anything(), body: { error: { code: 'body-too-large', message: 'the request body is larger than 2048 bytes' } } });
  });

  it('429 with Retry-After after api.rateLimitPerMinute requests of one token in a minute', async () => {
    const { secret } = await createApiToken(api.server.runtime.db, { name: 'busy', scope: { role: 'superadmin' }, expiresDays: 1, createdBy: 'test' });
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 7; i++) {
      last = await request(strict.ports.http!, secret, 'GET', '/api/v1/domains');
      statuses.push(last.status);
    }
    // the window is a calendar minute: the limit may restart once in the middle
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(last!.status).toBe(429);
    expect(last!.body).toMatchObject(errorShape('rate-limited'));
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // another token is not affected
    const other = await createApiToken(api.server.runtime.db, { name: 'calm', scope: { role: 'superadmin' }, expiresDays: 1, createdBy: 'test' });
    expect((await request(strict.ports.http!, other.secret, 'GET', '/api/v1/domains')).status).toBe(200);
  });
});

describe('paging and filters', () => {
  beforeAll(async () => {
    const { db } = api.server.runtime;
    const domain = await getDomain(db, 'yenbai.gov.vn');
    const stc = await getAgency(db, 'STC');
    for (let i = 0; i < 23; i++) {
      await addAccount(db, { address: `nv${String(i).padStart(2, '0')}@yenbai.gov.vn`, displayName: `Nhân viên ${i}`, quotaBytes: 0, agencyId: stc.id, kind: i % 5 === 0 ? 'agency' : 'person' });
    }
    expect(domain.name).toBe('yenbai.gov.vn');
  });

  async function all(path: string, limit: number): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const sep = path.includes('?') ? '&' : '?';
      const res = await api.call('superadmin', 'GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      const body = res.body as { items: Array<{ address: string }>; next_cursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(limit);
      seen.push(...body.items.map((a) => a.address));
      cursor = body.next_cursor;
      if (!cursor) return seen;
    }
    throw new Error('paging did not end');
  }

  it('returns every account exactly once, in address order, whatever the page size', async () => {
    const { rows } = await api.server.runtime.db.query<{ address: string }>('SELECT address FROM accounts ORDER BY address');
    const expected = rows.map((r) => r.address);
    for (const limit of [1, 5, 7, 500]) expect(await all('/api/v1/accounts', limit)).toEqual(expected);
  });

  it('filters by agency subtree, kind, status and text, and pages the filtered list', async () => {
    const stc = await all('/api/v1/accounts?agency=STC', 4);
    expect(stc).toContain('binh@yenbai.gov.vn');
    expect(stc.filter((a) => a.startsWith('nv'))).toHaveLength(23);
    expect(stc).not.toContain('can@yenbai.gov.vn');
    expect(await all('/api/v1/accounts?agency=STC&kind=agency', 2)).toEqual(['nv00@yenbai.gov.vn', 'nv05@yenbai.gov.vn', 'nv10@yenbai.gov.vn', 'nv15@yenbai.gov.vn', 'nv20@yenbai.gov.vn', 'vanphong-stc@yenbai.gov.vn']);
    expect(await all('/api/v1/accounts?q=NV1', 3)).toEqual(Array.from({ length: 10 }, (_, i) => `nv1${i}@yenbai.gov.vn`));
    expect(await all('/api/v1/accounts?q=Nhân viên 2', 3)).toEqual(['nv02@yenbai.gov.vn', 'nv20@yenbai.gov.vn', 'nv21@yenbai.gov.vn', 'nv22@yenbai.gov.vn']);
    expect(await all('/api/v1/accounts?domain=other.gov.vn', 10)).toEqual(expect.arrayContaining(['cuong@other.gov.vn']));
    await api.call('superadmin', 'POST', '/api/v1/accounts/nv03@yenbai.gov.vn/disable');
    expect(await all('/api/v1/accounts?status=disabled&agency=STC', 10)).toEqual(['nv03@yenbai.gov.vn']);
  });

  it('pages aliases and domains too', async () => {
    for (let i = 0; i < 6; i++) await api.call('superadmin', 'POST', '/api/v1/aliases', { address: `trang${i}@yenbai.gov.vn`, targets: ['can@yenbai.gov.vn'] });
    const { rows } = await api.server.runtime.db.query<{ address: string }>('SELECT address FROM aliases ORDER BY address');
    expect(await all('/api/v1/aliases', 4)).toEqual(rows.map((r) => r.address));
    const domains = await api.call('superadmin', 'GET', '/api/v1/domains?limit=1');
    const first = domains.body as { items: Array<{ name: string }>; next_cursor: string };
    const second = await api.call('superadmin', 'GET', `/api/v1/domains?limit=1&cursor=${first.next_cursor}`);
    expect([first.items[0]!.name, (second.body as { items: Array<{ name: string }> }).items[0]!.name]).toEqual(['other.gov.vn', 'yenbai.gov.vn']);
  });
});

describe('resources', () => {
  it('a domain shows the DNS records to publish', async () => {
    const res = await api.call('superadmin', 'GET', '/api/v1/domains/yenbai.gov.vn');
    const body = res.body as { dns_records: Array<{ purpose: string; name: string; value: string }>; zone_file: string };
    expect(body.dns_records.map((r) => r.purpose).slice(0, 4)).toEqual(['mx', 'spf', 'dkim', 'dmarc']);
    expect(body.dns_records.filter((r) => r.purpose === 'client-setup').map((r) => r.name)).toContain('_imaps._tcp.yenbai.gov.vn');
    expect(body.dns_records[0]).toMatchObject({ name: 'yenbai.gov.vn', value: 'mx.hopthu.test' });
    expect(body.zone_file).toMatch(/^yenbai\.gov\.vn\. 3600 IN MX 10 mx\.hopthu\.test\.$/m);
  });

  it('an agency can be created, renamed and moved; a move under its own subtree is 400', async () => {
    expect((await api.call('superadmin', 'POST', '/api/v1/agencies', { code: 'XA-AN-BINH', name: 'UBND xã An Bình', parent: 'STC' })).status).toBe(201);
    const moved = await api.call('superadmin', 'PATCH', '/api/v1/agencies/XA-AN-BINH', { parent: 'SNV', name: 'Ủy ban nhân dân xã An Bình' });
    expect(moved.body).toMatchObject({ code: 'XA-AN-BINH', name: 'Ủy ban nhân dân xã An Bình', parent: 'SNV', depth: 2 });
    const cycle = await api.call('superadmin', 'PATCH', '/api/v1/agencies/SNV', { parent: 'XA-AN-BINH' });
    expect(cycle).toMatchObject({ status: 400, body: errorShape('agency-cycle') });
  });

  it('an account is created in an agency, updated, shown with its usage, and its password reset forces a change', async () => {
    const made = await api.call('agency-admin', 'POST', '/api/v1/accounts', {
      address: 'Hoa.NT@YenBai.gov.vn', display_name: 'Nguyễn Thị Hoa', title: 'Chuyên viên', agency: 'SNV-TCCB', quota_bytes: 1048576, password: 'Đồi-chè-xanh-mướt-2026',
    });
    expect(made).toMatchObject({ status: 201, body: { address: 'hoa.nt@yenbai.gov.vn', display_name: 'Nguyễn Thị Hoa', agency: 'SNV-TCCB', kind: 'person', status: 'active', quota_bytes: 1048576 } });
    const updated = await api.call('agency-admin', 'PATCH', '/api/v1/accounts/hoa.nt@yenbai.gov.vn', { title: 'Trưởng phòng', quota_bytes: 2097152 });
    expect(updated.body).toMatchObject({ title: 'Trưởng phòng', quota_bytes: 2097152, display_name: 'Nguyễn Thị Hoa' });
    expect((await api.call('agency-admin', 'GET', '/api/v1/accounts/hoa.nt@yenbai.gov.vn/usage')).body).toEqual({ quota_bytes: 2097152, used_bytes: 0, messages: 0 });
    const { rows: folders } = await api.server.runtime.db.query("SELECT m.name FROM mailboxes m JOIN accounts a ON a.id = m.account_id WHERE a.address = 'hoa.nt@yenbai.gov.vn'");
    expect(folders.length).toBeGreaterThanOrEqual(6);
    expect((await api.call('agency-admin', 'POST', '/api/v1/accounts/hoa.nt@yenbai.gov.vn/reset-password', { password: 'Ruộng-bậc-thang-Mù-Cang-Chải-9' })).body)
      .toEqual({ method: 'password', activation_code: null, expires_at: null });
    const { rows } = await api.server.runtime.db.query("SELECT must_change_password FROM accounts WHERE address = 'hoa.nt@yenbai.gov.vn'");
    expect(rows).toEqual([{ must_change_password: true }]);
  });

  it('a reset without a password makes a one-time activation code with which the person sets their own', async () => {
    const res = await api.call('agency-admin', 'POST', '/api/v1/accounts/hoa.nt@yenbai.gov.vn/reset-password', {});
    const body = res.body as { method: string; activation_code: string; expires_at: string };
    expect(body.method).toBe('activation-code');
    expect(body.activation_code).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
    expect(new Date(body.expires_at).getTime()).toBeGreaterThan(Date.now() + 13 * 86_400_000);
    const { redeemActivationCode } = await import('../../../src/identity/activation.js');
    const { config, db } = api.server.runtime;
    await redeemActivationCode(db, { argon2: config.argon2, passwordPolicy: config.passwordPolicy }, body.activation_code, 'Mây-trắng-trên-đỉnh-núi-73');
    const { authenticatePassword } = await import('../../../src/identity/authenticate.js');
    const login = await authenticatePassword(db, { argon2: config.argon2, passwordPolicy: config.passwordPolicy }, { username: 'hoa.nt@yenbai.gov.vn', password: 'Mây-trắng-trên-đỉnh-núi-73', service: 'web' });
    expect(login.ok).toBe(true);
  });

  it('unlock lifts a lockout', async () => {
    const { redis } = api.server.context;
    await redis.set('hopthu:auth:lock:acct:can@yenbai.gov.vn', '1', 'PX', 60_000);
    expect((await api.call('domain-admin', 'POST', '/api/v1/accounts/can@yenbai.gov.vn/unlock')).body).toEqual({ was_locked: true });
    expect(await redis.exists('hopthu:auth:lock:acct:can@yenbai.gov.vn')).toBe(0);
    expect((await api.call('domain-admin', 'POST', '/api/v1/accounts/can@yenbai.gov.vn/unlock')).body).toEqual({ was_locked: false });
  });

  it('a user token reads its own account', async () => {
    expect((await api.call('user', 'GET', '/api/v1/me')).body).toMatchObject({ address: 'dung@yenbai.gov.vn', status: 'active' });
  });
});

describe('groups, delegations, app passwords', () => {
  it('a dynamic group lists the agency’s staff as members; a static one takes members', async () => {
    expect((await api.call('superadmin', 'POST', '/api/v1/groups', { address: 'nhanvien-stc@yenbai.gov.vn', name: 'Nhân viên STC', kind: 'agency-staff', agency: 'STC', post_rule: 'domain' })).body)
      .toMatchObject({ address: 'nhanvien-stc@yenbai.gov.vn', kind: 'agency-staff', agency: 'STC', include_subagencies: true, post_rule: 'domain', post_agency: null });
    const members = (await api.call('superadmin', 'GET', '/api/v1/groups/nhanvien-stc@yenbai.gov.vn/members?limit=500')).body as { items: Array<{ address: string }> };
    expect(members.items.map((m) => m.address)).toContain('binh@yenbai.gov.vn');
    expect(members.items.map((m) => m.address)).not.toContain('vanphong-stc@yenbai.gov.vn');
    const toDynamic = await api.call('superadmin', 'POST', '/api/v1/groups/nhanvien-stc@yenbai.gov.vn/members', { addresses: ['can@yenbai.gov.vn'] });
    expect(toDynamic).toMatchObject({ status: 400, body: errorShape('dynamic-group') });
    expect((await api.call('superadmin', 'POST', '/api/v1/groups', { address: 'banbientap@yenbai.gov.vn' })).status).toBe(201);
    expect((await api.call('domain-admin', 'POST', '/api/v1/groups/banbientap@yenbai.gov.vn/members', { addresses: ['can@yenbai.gov.vn', 'binh@yenbai.gov.vn'] })).body).toEqual({ added: ['can@yenbai.gov.vn', 'binh@yenbai.gov.vn'] });
    expect((await api.call('domain-admin', 'POST', '/api/v1/groups/banbientap@yenbai.gov.vn/members', { addresses: ['can@yenbai.gov.vn'] })).body).toEqual({ added: [] });
    const outside = await api.call('domain-admin', 'POST', '/api/v1/groups/banbientap@yenbai.gov.vn/members', { addresses: ['cuong@other.gov.vn'] });
    expect(outside).toMatchObject({ status: 403, body: errorShape('out-of-scope') });
    expect(await api.call('domain-admin', 'DELETE', '/api/v1/groups/banbientap@yenbai.gov.vn/members/dung@yenbai.gov.vn')).toMatchObject({ status: 404, body: errorShape('no-such-member') });
    expect(await api.call('superadmin', 'POST', '/api/v1/groups', { address: 'can@yenbai.gov.vn' })).toMatchObject({ status: 409, body: errorShape('address-taken') });
  });

  it('a delegation is set, changed, listed and withdrawn; only agency mailboxes can be delegated', async () => {
    const set = await api.call('agency-admin', 'POST', '/api/v1/delegations', { mailbox: 'vanphong-snv@yenbai.gov.vn', delegate: 'doan@yenbai.gov.vn', can_read: true, can_send: false });
    expect(set).toMatchObject({ status: 200, body: { mailbox: 'vanphong-snv@yenbai.gov.vn', delegate: 'doan@yenbai.gov.vn', can_read: true, can_send: false, created_by: 'api:test-agency-admin' } });
    await api.call('agency-admin', 'POST', '/api/v1/delegations', { mailbox: 'vanphong-snv@yenbai.gov.vn', delegate: 'doan@yenbai.gov.vn', can_read: true, can_send: true });
    const list = (await api.call('agency-admin', 'GET', '/api/v1/delegations?account=doan@yenbai.gov.vn')).body as { items: unknown[] };
    expect(list.items).toEqual([expect.objectContaining({ mailbox: 'vanphong-snv@yenbai.gov.vn', delegate: 'doan@yenbai.gov.vn', can_send: true })]);
    const { rows } = await api.server.runtime.db.query("SELECT data FROM audit_events WHERE action = 'delegation.set' AND data->>'delegate' = 'doan@yenbai.gov.vn' ORDER BY id");
    expect(rows.map((r) => [r.data.before, r.data.after])).toEqual([
      [null, { canRead: true, canSend: false }],
      [{ canRead: true, canSend: false }, { canRead: true, canSend: true }],
    ]);
    expect((await api.call('agency-admin', 'DELETE', '/api/v1/delegations/vanphong-snv@yenbai.gov.vn/doan@yenbai.gov.vn')).body).toEqual({ mailbox: 'vanphong-snv@yenbai.gov.vn', delegate: 'doan@yenbai.gov.vn', can_read: true, can_send: true });
    expect(await api.call('agency-admin', 'DELETE', '/api/v1/delegations/vanphong-snv@yenbai.gov.vn/doan@yenbai.gov.vn')).toMatchObject({ status: 404, body: errorShape('no-such-delegation') });
    expect(await api.call('superadmin', 'POST', '/api/v1/delegations', { mailbox: 'can@yenbai.gov.vn', delegate: 'doan@yenbai.gov.vn', can_read: true, can_send: false }))
      .toMatchObject({ status: 400, body: errorShape('not-an-agency-mailbox') });
  });

  it('a user makes an app password (secret shown once), lists it without the secret, and revokes it', async () => {
    const made = await api.call('user', 'POST', '/api/v1/me/app-passwords', { name: 'Thunderbird ở cơ quan', scopes: ['imap'] });
    expect(made).toMatchObject({ status: 201, body: { name: 'Thunderbird ở cơ quan', scopes: ['imap'], secret: expect.stringMatching(/^[a-z]{4}(-[a-z]{4}){4}$/) } });
    const list = await api.call('user', 'GET', '/api/v1/me/app-passwords');
    expect(JSON.stringify(list.body)).not.toContain((made.body as { secret: string }).secret);
    expect((list.body as { items: Array<{ name: string }> }).items.map((p) => p.name)).toContain('Thunderbird ở cơ quan');
    const again = await api.call('user', 'POST', '/api/v1/me/app-passwords', { name: 'thunderbird ở cơ quan', scopes: ['smtp'] });
    expect(again).toMatchObject({ status: 409, body: errorShape('app-password-exists') });
    const revoked = await api.call('superadmin', 'DELETE', `/api/v1/accounts/dung@yenbai.gov.vn/app-passwords/${encodeURIComponent('Thunderbird ở cơ quan')}`);
    expect(revoked.body).toMatchObject({ name: 'Thunderbird ở cơ quan', revoked_at: expect.any(String) });
    const { rows } = await api.server.runtime.db.query("SELECT actor, source FROM audit_events WHERE action = 'account.app-password.revoke' AND data->>'name' = 'Thunderbird ở cơ quan'");
    expect(rows).toEqual([{ actor: 'api:test-superadmin', source: '127.0.0.1' }]);
  });
});

describe('audit log reads', () => {
  it('an auditor searches events by actor and action prefix, in pages', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await api.call('auditor', 'GET', `/api/v1/audit/events?actor=api:test-superadmin&action=group.&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const body = res.body as { items: Array<{ id: number; actor: string; action: string }>; next_cursor: string | null };
      for (const e of body.items) expect([e.actor, e.action.startsWith('group.')]).toEqual(['api:test-superadmin', true]);
      seen.push(...body.items.map((e) => e.id));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
  });

  it('events about an agency subtree carry its code', async () => {
    const res = await api.call('auditor', 'GET', '/api/v1/audit/events?agency=SNV&action=account.update');
    const items = (res.body as { items: Array<{ target: string; agency: string }> }).items;
    expect(items.length).toBeGreaterThan(0);
    for (const e of items) expect(['SNV', 'SNV-TCCB']).toContain(e.agency);
    expect(await api.call('auditor', 'GET', '/api/v1/audit/events?ip=not-an-ip')).toMatchObject({ status: 400, body: errorShape('bad-ip-filter') });
  });

  it('the login history shows authentication successes and failures of an account', async () => {
    const { authenticatePassword } = await import('../../../src/identity/authenticate.js');
    const { config, db } = api.server.runtime;
    const settings = { argon2: config.argon2, passwordPolicy: config.passwordPolicy };
    await authenticatePassword(db, settings, { username: 'binh@yenbai.gov.vn', password: 'sai-mat-khau', service: 'imap', remoteAddress: '198.51.100.4' });
    const res = await api.call('auditor', 'GET', '/api/v1/audit/logins?account=binh@yenbai.gov.vn');
    const items = (res.body as { items: Array<{ action: string; target: string; source: string }> }).items;
    expect(items[0]).toMatchObject({ action: 'auth.imap.failure', target: 'binh@yenbai.gov.vn', source: '198.51.100.4' });
    for (const e of items) expect(e.action.startsWith('auth.')).toBe(true);
  });

  it('exports CSV and JSON lines, and records the export', async () => {
    const csv = await fetch(`http://127.0.0.1:${api.port}/api/v1/audit/export?format=csv&action=alias.`, { headers: { authorization: `Bearer ${api.tokens.auditor}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('id,at,actor,action,target,source,agency_id,data,prev_hash,hash');
    expect(lines.length).toBeGreaterThan(2);
    const jsonl = await fetch(`http://127.0.0.1:${api.port}/api/v1/audit/export?format=jsonl&actor=api:test-domain-admin`, { headers: { authorization: `Bearer ${api.tokens.auditor}` } });
    const events = (await jsonl.text()).trim().split('\n').map((l) => JSON.parse(l) as { actor: string });
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e.actor).toBe('api:test-domain-admin');
    const { rows } = await api.server.runtime.db.query("SELECT actor, target FROM audit_events WHERE action = 'audit.export' ORDER BY id");
    expect(rows).toEqual([{ actor: 'api:test-auditor', target: 'csv' }, { actor: 'api:test-auditor', target: 'jsonl' }]);
  });
});

describe('audit', () => {
  it('records every change with the token as actor, its role, the target and before/after', async () => {
    await api.call('domain-admin', 'PATCH', '/api/v1/accounts/binh@yenbai.gov.vn', { display_name: 'Lê Văn Bình', quota_bytes: 5000 });
    const { rows } = await api.server.runtime.db.query(
      "SELECT actor, action, target, source, data FROM audit_events WHERE action = 'account.update' AND target = 'binh@yenbai.gov.vn' ORDER BY id DESC LIMIT 1",
    );
    expect(rows[0]).toMatchObject({
      actor: 'api:test-domain-admin',
      action: 'account.update',
      target: 'binh@yenbai.gov.vn',
      source: '127.0.0.1',
      data: { via: 'api', role: 'domain-admin', before: { displayName: '' }, after: { displayName: 'Lê Văn Bình', quotaBytes: 5000 } },
    });
    await api.call('superadmin', 'DELETE', '/api/v1/aliases/trang0@yenbai.gov.vn');
    const removed = await api.server.runtime.db.query("SELECT actor, data FROM audit_events WHERE action = 'alias.remove' AND target = 'trang0@yenbai.gov.vn'");
    expect(removed.rows).toEqual([{ actor: 'api:test-superadmin', data: { via: 'api', role: 'superadmin', before: { targets: ['can@yenbai.gov.vn'] } } }]);
  });

  it('a refused change leaves no trace but the refusal, and the chain verifies', async () => {
    const before = await api.server.runtime.db.query("SELECT count(*)::int AS n FROM audit_events WHERE action LIKE 'account.%' AND target = 'binh@yenbai.gov.vn'");
    expect((await api.call('agency-admin', 'POST', '/api/v1/accounts/binh@yenbai.gov.vn/disable')).status).toBe(403);
    const after = await api.server.runtime.db.query("SELECT count(*)::int AS n FROM audit_events WHERE action LIKE 'account.%' AND target = 'binh@yenbai.gov.vn'");
    expect(after.rows[0].n).toBe(before.rows[0].n);
    expect((await verifyAuditChain(api.server.runtime.db)).ok).toBe(true);
  });
});
