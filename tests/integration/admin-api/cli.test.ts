import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import os from 'node:os';
import { runCli } from '../../support/cli.js';
import { request, startApiEnv, type ApiEnv } from './api-env.js';

let api: ApiEnv;
let cliEnv: Record<string, string>;
const hopthu = (args: string[]) => runCli(args, cliEnv);
const actor = `cli:${os.userInfo().username}`;

beforeAll(async () => {
  api = await startApiEnv();
  cliEnv = {
    DATABASE_URL: api.server.runtime.config.databaseUrl!,
    REDIS_URL: api.server.runtime.config.redisUrl!,
    HOPTHU_DATA_DIR: path.join(api.env.dir, 'cli-data'),
  };
});

afterAll(async () => {
  await api?.env.stop();
});

// each step starts the CLI as its own process, which takes seconds on a busy machine
describe('hopthu token and role', { timeout: 120_000 }, () => {
  it('token create prints a secret once that the API accepts with its role and scope', async () => {
    const made = await hopthu(['token', 'create', '--name', 'hr-snv', '--role', 'agency-admin', '--agency', 'SNV', '--expires-days', '30']);
    expect(made.code).toBe(0);
    const secret = made.stdout.trim();
    expect(secret).toMatch(/^hopthu_[A-Za-z0-9_-]{43}$/);
    expect(made.stderr).toMatch(/^token hr-snv \(agency-admin of SNV\) expires \d{4}-.*; it is shown only this once\n$/);
    expect((await request(api.port, secret, 'GET', '/api/v1/accounts/can@yenbai.gov.vn')).status).toBe(200);
    expect((await request(api.port, secret, 'GET', '/api/v1/accounts/binh@yenbai.gov.vn')).status).toBe(403);
    const { rows } = await api.server.runtime.db.query("SELECT actor, data FROM audit_events WHERE action = 'api-token.create' AND target = 'hr-snv'");
    expect(rows).toEqual([{ actor, data: { role: 'agency-admin of SNV', expiresAt: expect.any(String) } }]);
  });

  it('a user token acts for its account only', async () => {
    const made = await hopthu(['token', 'create', '--name', 'dung-script', '--role', 'user', '--account', 'dung@yenbai.gov.vn']);
    const secret = made.stdout.trim();
    expect((await request(api.port, secret, 'GET', '/api/v1/me')).body).toMatchObject({ address: 'dung@yenbai.gov.vn' });
    expect((await request(api.port, secret, 'GET', '/api/v1/accounts')).status).toBe(403);
  });

  it('token create refuses a missing scope, a scope the role does not take, and a taken name', async () => {
    const noAgency = await hopthu(['token', 'create', '--name', 'x', '--role', 'agency-admin']);
    expect(noAgency).toMatchObject({ code: 2, stderr: 'hopthu: the agency-admin role needs an agency (--agency CODE)\n' });
    const wrongFlag = await hopthu(['token', 'create', '--name', 'x', '--role', 'auditor', '--domain', 'yenbai.gov.vn']);
    expect(wrongFlag).toMatchObject({ code: 2, stderr: 'hopthu: --domain does not apply to the auditor role\n' });
    const taken = await hopthu(['token', 'create', '--name', 'hr-snv', '--role', 'auditor']);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/a token named hr-snv already exists/);
  });

  it('token list shows role, state and last use but never a secret; token revoke makes it 401 at once', async () => {
    const list = JSON.parse((await hopthu(['token', 'list', '--json'])).stdout) as Array<Record<string, string>>;
    const hr = list.find((t) => t.name === 'hr-snv')!;
    expect(hr).toMatchObject({ role: 'agency-admin of SNV', state: 'active', lastIp: '127.0.0.1', createdBy: actor });
    expect(JSON.stringify(list)).not.toMatch(/hopthu_/);
    const secretLine = await hopthu(['token', 'create', '--name', 'short-lived', '--role', 'superadmin', '--expires-days', '1']);
    const secret = secretLine.stdout.trim();
    expect((await request(api.port, secret, 'GET', '/api/v1/domains')).status).toBe(200);
    expect((await hopthu(['token', 'revoke', 'short-lived'])).stdout).toBe('token short-lived is revoked\n');
    expect(await request(api.port, secret, 'GET', '/api/v1/domains')).toMatchObject({ status: 401, body: { error: { code: 'token-revoked' } } });
    expect((await hopthu(['token', 'revoke', 'nope'])).stderr).toBe('hopthu: there is no token named nope (see: hopthu token list)\n');
  });

  it('role grant, list and revoke, audited as the CLI user', async () => {
    expect((await hopthu(['role', 'grant', 'can@yenbai.gov.vn', 'agency-admin', '--agency', 'SNV'])).stdout).toBe('can@yenbai.gov.vn is now agency-admin of SNV\n');
    expect((await hopthu(['role', 'grant', 'binh@yenbai.gov.vn', 'domain-admin', '--domain', 'yenbai.gov.vn'])).stdout).toBe('binh@yenbai.gov.vn is now domain-admin of yenbai.gov.vn\n');
    expect((await hopthu(['role', 'grant', 'dung@yenbai.gov.vn', 'auditor'])).stdout).toBe('dung@yenbai.gov.vn is now auditor\n');
    const again = await hopthu(['role', 'grant', 'dung@yenbai.gov.vn', 'auditor']);
    expect(again).toMatchObject({ code: 2, stderr: 'hopthu: the account already has this role with this scope\n' });
    const user = await hopthu(['role', 'grant', 'dung@yenbai.gov.vn', 'user']);
    expect(user.stderr).toMatch(/"user" is not a role to grant; the roles are: superadmin, domain-admin, agency-admin, auditor/);
    const list = JSON.parse((await hopthu(['role', 'list', '--json'])).stdout) as Array<Record<string, string>>;
    expect(list.map((g) => [g.address, g.role, g.scope, g.grantedBy])).toEqual([
      ['binh@yenbai.gov.vn', 'domain-admin', 'yenbai.gov.vn', actor],
      ['can@yenbai.gov.vn', 'agency-admin', 'SNV', actor],
      ['dung@yenbai.gov.vn', 'auditor', '', actor],
    ]);
    expect((await hopthu(['role', 'revoke', 'can@yenbai.gov.vn', 'agency-admin'])).stdout).toBe('can@yenbai.gov.vn is no longer agency-admin of SNV\n');
    expect((await hopthu(['role', 'list', 'can@yenbai.gov.vn'])).stdout).toBe('ADDRESS  ROLE  SCOPE  GRANTEDBY  GRANTED\n');
    const { rows } = await api.server.runtime.db.query("SELECT actor, action, data FROM audit_events WHERE action LIKE 'role.%' AND target = 'can@yenbai.gov.vn' ORDER BY id");
    expect(rows).toEqual([
      { actor, action: 'role.grant', data: { after: 'agency-admin of SNV' } },
      { actor, action: 'role.revoke', data: { before: 'agency-admin of SNV' } },
    ]);
  });
});
