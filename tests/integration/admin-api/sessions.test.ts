import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiEnv, type ApiEnv } from './api-env.js';
import { WebClient } from '../../support/web-client.js';
import { getAccount } from '../../../src/identity/accounts.js';
import { setAccountPassword } from '../../../src/identity/password-change.js';

let api: ApiEnv;
let base: string;
const PASSWORD = 'Đồi chè xanh ngát 2026';

beforeAll(async () => {
  api = await startApiEnv();
  base = `http://127.0.0.1:${api.port}`;
  const { db, config } = api.server.runtime;
  for (const address of ['can@yenbai.gov.vn', 'binh@yenbai.gov.vn', 'dung@yenbai.gov.vn']) {
    await setAccountPassword(db, config, await getAccount(db, address), PASSWORD, { by: 'self' });
  }
});
afterAll(async () => {
  await api?.env.stop();
});

/** logs in through the webmail's login form; the client then carries the session cookie */
async function loggedIn(address: string) {
  const web = new WebClient(base);
  const res = await web.login(address, PASSWORD);
  expect(res.status).toBe(303);
  return web;
}
/** whether the client's session still opens a page behind login */
const stillIn = async (web: WebClient) => (await web.get('/mail/login')).status === 303;

describe('webmail sessions through the admin API', () => {
  it('lists an account’s sessions with address and browser, and ends them all on request', async () => {
    const web = await loggedIn('can@yenbai.gov.vn');
    const listed = await api.call('agency-admin', 'GET', '/api/v1/accounts/can@yenbai.gov.vn/sessions');
    expect(listed.status).toBe(200);
    const items = (listed.body as { items: Array<{ stage: string; ip: string; user_agent: string }> }).items;
    expect(items.length).toBeGreaterThanOrEqual(1);
    expect(items[0]).toMatchObject({ stage: 'ready', ip: '127.0.0.1' });
    expect(await stillIn(web)).toBe(true);
    const ended = await api.call('agency-admin', 'DELETE', '/api/v1/accounts/can@yenbai.gov.vn/sessions');
    expect(ended.body).toMatchObject({ ended: expect.any(Number) });
    expect(await stillIn(web)).toBe(false);
    const events = await api.call('auditor', 'GET', '/api/v1/audit/events?action=account.sessions.revoke');
    expect(JSON.stringify(events.body)).toContain('can@yenbai.gov.vn');
  });

  it('ends the sessions of an account an administrator disables or whose password they reset', async () => {
    const first = await loggedIn('binh@yenbai.gov.vn');
    await api.call('superadmin', 'POST', '/api/v1/accounts/binh@yenbai.gov.vn/reset-password', { password: 'Đặt lại bởi quản trị 2026' });
    expect(await stillIn(first)).toBe(false);
    const second = new WebClient(base);
    expect((await second.login('binh@yenbai.gov.vn', 'Đặt lại bởi quản trị 2026')).location).toContain('/mail/password');
    expect((await second.get('/mail/password')).status).toBe(200);
    await api.call('superadmin', 'POST', '/api/v1/accounts/binh@yenbai.gov.vn/disable');
    expect((await second.get('/mail/password')).location).toContain('/mail/login');
    const listed = await api.call('superadmin', 'GET', '/api/v1/accounts/binh@yenbai.gov.vn/sessions');
    expect((listed.body as { items: unknown[] }).items).toEqual([]);
  });

  it('lets a user list their own sessions and end one of them', async () => {
    const laptop = await loggedIn('dung@yenbai.gov.vn');
    const phone = await loggedIn('dung@yenbai.gov.vn');
    const mine = await api.call('user', 'GET', '/api/v1/me/sessions');
    const items = (mine.body as { items: Array<{ id: number }> }).items;
    expect(items.length).toBeGreaterThanOrEqual(2);
    // the newest is the phone's
    const res = await api.call('user', 'DELETE', `/api/v1/me/sessions/${items[0]!.id}`);
    expect(res.status).toBe(200);
    expect(await stillIn(phone)).toBe(false);
    expect(await stillIn(laptop)).toBe(true);
    const again = await api.call('user', 'DELETE', `/api/v1/me/sessions/${items[0]!.id}`);
    expect(again).toMatchObject({ status: 404, body: { error: { code: 'no-such-session' } } });
  });
});
