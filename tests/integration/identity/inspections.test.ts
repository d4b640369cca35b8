import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { runCli } from '../../support/cli.js';
import type { Db } from '../../../src/store/db.js';
import type { RunningServer } from '../../../src/cli/server.js';
import path from 'node:path';
import type { Account } from '../../../src/identity/accounts.js';
import { grantRole } from '../../../src/identity/roles.js';
import { activeInspection, auditInspectionOpen, decideInspection, endInspection, listInspections, requestInspection } from '../../../src/identity/inspections.js';
import { queryAudit } from '../../../src/audit/query.js';

let env: TestEnv;
let db: Db;
let server: RunningServer;
let mailbox: Account;
let auditor: Account;
let plain: Account;

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({}, ['worker']);
  db = server.runtime.db;
  const { config } = server.runtime;
  await addTestDomain(db, 'yenbai.gov.vn');
  mailbox = await addTestAccount(db, config, 'ketoan@yenbai.gov.vn', { name: 'Kế toán' });
  auditor = await addTestAccount(db, config, 'thanhtra@yenbai.gov.vn', { name: 'Thanh tra' });
  plain = await addTestAccount(db, config, 'nhanvien@yenbai.gov.vn', { name: 'Nhân viên' });
  await grantRole(db, { accountId: auditor.id, role: 'auditor', grantedBy: 'test' });
});
afterAll(async () => {
  await env?.stop();
});

const REASON = 'Quyết định thanh tra số 45/QĐ-TTr ngày 20/11/2026';

describe('security inspections', () => {
  it('refuses a request without the auditor role, a reason, or sensible hours', async () => {
    await expect(requestInspection(db, { mailbox, auditor: plain, reason: REASON, hours: 4 }, { actor: 'admin@yenbai.gov.vn' })).rejects.toMatchObject({ code: 'inspection-needs-auditor' });
    await expect(requestInspection(db, { mailbox, auditor, reason: 'vì sao', hours: 4 }, { actor: 'admin@yenbai.gov.vn' })).rejects.toMatchObject({ code: 'inspection-needs-reason' });
    await expect(requestInspection(db, { mailbox, auditor, reason: REASON, hours: 500 }, { actor: 'admin@yenbai.gov.vn' })).rejects.toMatchObject({ code: 'bad-inspection-hours' });
    await expect(requestInspection(db, { mailbox: auditor, auditor, reason: REASON, hours: 4 }, { actor: 'admin@yenbai.gov.vn' })).rejects.toMatchObject({ code: 'inspection-of-self' });
  });

  it('gives no access until a second administrator approves, and then for the hours asked', async () => {
    const asked = await requestInspection(db, { mailbox, auditor, reason: REASON, hours: 4 }, { actor: 'admin1@yenbai.gov.vn', source: '10.0.0.1' });
    expect(asked.state).toBe('pending');
    expect(await activeInspection(db, auditor.id, mailbox.id)).toBeUndefined();
    await expect(decideInspection(db, asked.id, true, { actor: 'admin1@yenbai.gov.vn' })).rejects.toMatchObject({ code: 'inspection-needs-second-admin' });
    await expect(decideInspection(db, asked.id, true, { actor: auditor.address })).rejects.toMatchObject({ code: 'inspection-needs-second-admin' });
    const approved = await decideInspection(db, asked.id, true, { actor: 'admin2@yenbai.gov.vn' });
    expect(approved.state).toBe('active');
    expect(approved.expiresAt!.getTime() - approved.decidedAt!.getTime()).toBe(4 * 3600_000);
    await expect(decideInspection(db, asked.id, false, { actor: 'admin3@yenbai.gov.vn' })).rejects.toMatchObject({ code: 'inspection-decided' });
    const active = await activeInspection(db, auditor.id, mailbox.id);
    expect(active?.id).toBe(asked.id);
    // another mailbox stays closed
    expect(await activeInspection(db, auditor.id, plain.id)).toBeUndefined();
    await auditInspectionOpen(db, active!, { folder: 'INBOX', uid: 7, messageId: '<a@b>', subject: 'Báo cáo quyết toán' }, '10.0.0.9');
    const events = await queryAudit(db, { target: mailbox.address }, { limit: 50 });
    const actions = events.events.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['inspection.request', 'inspection.approve', 'inspection.open']));
    const open = events.events.find((e) => e.action === 'inspection.open')!;
    expect(open).toMatchObject({ actor: auditor.address, data: { inspection: asked.id, folder: 'INBOX', uid: 7, subject: 'Báo cáo quyết toán' } });
  });

  it('closes access when the time is up or an administrator ends it', async () => {
    const asked = await requestInspection(db, { mailbox: plain, auditor, reason: REASON, hours: 1 }, { actor: 'admin1@yenbai.gov.vn' });
    await decideInspection(db, asked.id, true, { actor: 'admin2@yenbai.gov.vn' });
    expect(await activeInspection(db, auditor.id, plain.id)).toBeDefined();
    await db.query("UPDATE inspections SET expires_at = now() - interval '1 second' WHERE id = $1", [asked.id]);
    expect(await activeInspection(db, auditor.id, plain.id)).toBeUndefined();
    expect((await listInspections(db)).find((i) => i.id === asked.id)?.state).toBe('expired');
    const current = (await activeInspection(db, auditor.id, mailbox.id))!;
    const ended = await endInspection(db, current.id, { actor: 'admin2@yenbai.gov.vn' });
    expect(ended.state).toBe('ended');
    expect(await activeInspection(db, auditor.id, mailbox.id)).toBeUndefined();
    await expect(endInspection(db, current.id, { actor: 'admin2@yenbai.gov.vn' })).rejects.toMatchObject({ code: 'inspection-not-running' });
  });

  it('works from the CLI: the operator who asks cannot also approve', async () => {
    const cli = (...args: string[]) => runCli(args, { DATABASE_URL: server.runtime.config.databaseUrl!, REDIS_URL: server.runtime.config.redisUrl!, HOPTHU_DATA_DIR: path.join(env.dir, 'cli-data') });
    const asked = await cli('inspection', 'request', mailbox.address, '--auditor', auditor.address, '--hours', '2', '--reason', REASON);
    expect(asked.stderr).toBe('');
    const id = /inspection (\d+)/.exec(asked.stdout)![1]!;
    const self = await cli('inspection', 'approve', id);
    expect(self.code).not.toBe(0);
    expect(self.stderr).toContain('a second administrator must decide it');
    await decideInspection(db, Number(id), false, { actor: 'admin2@yenbai.gov.vn' });
    const list = await cli('inspection', 'list');
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+ketoan@yenbai.gov.vn\\s+thanhtra@yenbai.gov.vn\\s+denied`));
  });
});
