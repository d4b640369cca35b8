import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestDomain, eventually } from '../../support/fixtures.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { addAgency } from '../../../src/identity/agencies.js';
import { createApiToken } from '../../../src/identity/api-tokens.js';
import { findAccount } from '../../../src/identity/accounts.js';
import { request, type ApiResponse } from './api-env.js';

/** Provisioning through the admin API, as a script or another console would drive it: plan, review, apply, follow. */
let env: TestEnv;
let server: RunningServer;
const tokens: Record<'superadmin' | 'snv' | 'stc' | 'auditor', string> = { superadmin: '', snv: '', stc: '', auditor: '' };

const SHEET = [
  'Mã cán bộ,Họ và tên,Chức vụ,Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên',
  'NV001,Nguyễn Văn An,Chuyên viên,SNV,Sở Nội vụ,',
  'NV002,Đặng Thị Thu Hà,Trưởng phòng,SNV,Sở Nội vụ,',
  'TC001,Trần Thị Bình,Kế toán,STC,Sở Tài chính,',
].join('\r\n');

const call = (who: keyof typeof tokens, method: string, path: string, body?: unknown): Promise<ApiResponse> => request(server.ports.http!, tokens[who], method, `/api/v1${path}`, body);

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({ 'provisioning.domain': 'yenbai.gov.vn' }, ['web', 'worker']);
  const { db } = server.runtime;
  await addTestDomain(db, 'yenbai.gov.vn');
  const snv = await addAgency(db, { code: 'SNV', name: 'Sở Nội vụ' });
  const stc = await addAgency(db, { code: 'STC', name: 'Sở Tài chính' });
  const token = async (name: string, scope: Parameters<typeof createApiToken>[1]['scope']) => (await createApiToken(db, { name, scope, expiresDays: 1, createdBy: 'test' })).secret;
  tokens.superadmin = await token('quantri', { role: 'superadmin' });
  tokens.snv = await token('tochuc-snv', { role: 'agency-admin', agencyId: snv.id });
  tokens.stc = await token('tochuc-stc', { role: 'agency-admin', agencyId: stc.id });
  tokens.auditor = await token('kiemtoan', { role: 'auditor' });
});
afterAll(async () => {
  await env?.stop();
});

describe('provisioning through the admin API', () => {
  it('plans an HR officer’s sheet within their agency; the other agency’s row is shown, not planned', async () => {
    expect((await call('auditor', 'POST', '/provisioning/plans', { source: 'csv', content: SHEET })).status).toBe(403);
    const planned = await call('snv', 'POST', '/provisioning/plans', { source: 'csv', content: SHEET });
    expect(planned.status).toBe(201);
    const body = planned.body as { id: number; status: string; percent: number; plan: { counts: Record<string, number>; problems: Array<{ reason: string }> } };
    expect(body).toMatchObject({ status: 'pending', percent: 0 });
    expect(body.plan.counts['account.create']).toBe(2);
    expect(body.plan.problems.map((p) => p.reason).join('\n')).toContain('agency STC is outside the agencies you manage');

    // another officer does not see this run; the superadmin does
    expect((await call('stc', 'GET', `/provisioning/runs/${body.id}`)).status).toBe(404);
    expect((await call('stc', 'GET', '/provisioning/runs')).body).toEqual({ items: [] });
    expect((await call('superadmin', 'GET', `/provisioning/runs/${body.id}`)).status).toBe(200);

    const applied = await call('snv', 'POST', `/provisioning/runs/${body.id}/apply`, {});
    expect(applied).toMatchObject({ status: 200, body: { id: body.id, queued: true } });
    const done = await eventually(async () => {
      const run = (await call('snv', 'GET', `/provisioning/runs/${body.id}`)).body as { status: string; percent: number };
      return run.status === 'done' || run.status === 'failed' ? run : undefined;
    }, 20_000, 'the apply to finish');
    expect(done).toMatchObject({ status: 'done', percent: 100 });
    expect(await findAccount(server.runtime.db, 'annv@yenbai.gov.vn')).toBeDefined();
    expect(await findAccount(server.runtime.db, 'binhtt@yenbai.gov.vn')).toBeUndefined();
    const again = await call('snv', 'POST', `/provisioning/runs/${body.id}/apply`, {});
    expect(again).toMatchObject({ status: 400, body: { error: { code: 'run-done' } } });
  });

  it('refuses a bad request with the field and a sentence', async () => {
    const res = await call('superadmin', 'POST', '/provisioning/plans', { source: 'csv' });
    expect(res.status).toBe(400);
    expect((res.body as { error: { message: string } }).error.message).toMatch(/content/);
    expect((await call('superadmin', 'GET', '/provisioning/runs/999999')).status).toBe(404);
  });
});
