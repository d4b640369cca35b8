import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import os from 'node:os';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { runCli } from '../../support/cli.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { verifyAuditChain } from '../../../src/audit/audit-log.js';

let env: TestEnv;
let db: Db;
let cliEnv: Record<string, string>;
const hopthu = (args: string[]) => runCli(args, cliEnv);
const actor = `cli:${os.userInfo().username}`;

async function audited(action: string, target: string) {
  const { rows } = await db.query<{ actor: string; data: Record<string, unknown> }>(
    'SELECT actor, data FROM audit_events WHERE action = $1 AND target = $2 ORDER BY id DESC LIMIT 1',
    [action, target],
  );
  expect(rows[0], `an audit event ${action} on ${target}`).toBeDefined();
  expect(rows[0]!.actor).toBe(actor);
  return rows[0]!.data;
}

beforeAll(async () => {
  env = await createTestEnv();
  db = createPool(env.databaseUrl, 4);
  await migrate(db);
  cliEnv = {
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redis.url,
    HOPTHU_DATA_DIR: path.join(env.dir, 'data'),
    HOPTHU_HOSTNAME: 'mail.yenbai.gov.vn',
  };
  expect((await hopthu(['domain', 'add', 'yenbai.gov.vn'])).code).toBe(0);
});

afterAll(async () => {
  await db?.end();
  await env?.stop();
});

// each step starts the CLI as its own process, which takes seconds on a busy machine
describe('hopthu agency, group and delegation commands', { timeout: 300_000 }, () => {
  it('agency add, list as an indented tree, move and rename, all audited', async () => {
    expect((await hopthu(['agency', 'add', 'UBND', '--name', 'Ủy ban nhân dân tỉnh', '--external-id', 'ou-0001'])).stdout).toBe('added agency UBND (Ủy ban nhân dân tỉnh)\n');
    expect((await hopthu(['agency', 'add', 'SNV', '--name', 'Sở Nội vụ', '--parent', 'UBND'])).stdout).toBe('added agency SNV (Sở Nội vụ) under UBND\n');
    await hopthu(['agency', 'add', 'STC', '--name', 'Sở Tài chính']);
    await hopthu(['agency', 'add', 'SNV-VP', '--name', 'Văn phòng Sở', '--parent', 'SNV']);
    const missing = await hopthu(['agency', 'add', 'X', '--name', 'X', '--parent', 'KHONGCO']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('hopthu: there is no agency with code KHONGCO\n');

    expect((await hopthu(['agency', 'move', 'STC', '--parent', 'UBND'])).stdout).toBe('STC moved from the top to UBND\n');
    const cycle = await hopthu(['agency', 'move', 'UBND', '--parent', 'SNV-VP']);
    expect(cycle.code).toBe(2);
    expect(cycle.stderr).toBe('hopthu: agency UBND cannot move under itself or one of its own sub-agencies\n');
    expect((await hopthu(['agency', 'rename', 'SNV', '--name', 'Sở Nội vụ tỉnh Yên Bái'])).stdout).toBe('SNV is now named Sở Nội vụ tỉnh Yên Bái\n');

    const list = await hopthu(['agency', 'list']);
    expect(list.stdout).toBe(['UBND  Ủy ban nhân dân tỉnh', '  SNV  Sở Nội vụ tỉnh Yên Bái', '    SNV-VP  Văn phòng Sở', '  STC  Sở Tài chính', ''].join('\n'));
    expect(await audited('agency.add', 'UBND')).toMatchObject({ name: 'Ủy ban nhân dân tỉnh', parent: null, externalId: 'ou-0001' });
    expect(await audited('agency.move', 'STC')).toEqual({ before: { parent: null }, after: { parent: 'UBND' } });
    expect(await audited('agency.rename', 'SNV')).toEqual({ before: { name: 'Sở Nội vụ' }, after: { name: 'Sở Nội vụ tỉnh Yên Bái' } });
  });

  it('account add with --kind, --agency and --title; account show prints them', async () => {
    const add = await hopthu(['account', 'add', 'annv@yenbai.gov.vn', '--name', 'Nguyễn Văn An', '--agency', 'SNV-VP', '--title', 'Chuyên viên']);
    expect(add.stdout).toMatch(/^created annv@yenbai\.gov\.vn \(Nguyễn Văn An\), agency SNV-VP, quota/);
    await hopthu(['account', 'add', 'vanthu.snv@yenbai.gov.vn', '--name', 'Văn thư Sở Nội vụ', '--kind', 'agency', '--agency', 'SNV']);
    const bad = await hopthu(['account', 'add', 'x@yenbai.gov.vn', '--kind', 'robot']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('hopthu: --kind must be one of person, agency, system, not "robot"\n');
    const show = await hopthu(['account', 'show', 'annv@yenbai.gov.vn']);
    expect(show.stdout).toMatch(/^kind person, agency SNV-VP \(Văn phòng Sở\), title Chuyên viên$/m);
    const json = JSON.parse((await hopthu(['account', 'show', 'vanthu.snv@yenbai.gov.vn', '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ kind: 'agency', agency: { code: 'SNV', name: 'Sở Nội vụ tỉnh Yên Bái' }, title: '' });
    expect(await audited('account.add', 'annv@yenbai.gov.vn')).toMatchObject({ kind: 'person', agency: 'SNV-VP', title: 'Chuyên viên' });
  });

  it('group add, members, list and show (a dynamic group resolved)', async () => {
    const staff = await hopthu(['group', 'add', 'canbo.snv@yenbai.gov.vn', '--name', 'Cán bộ Sở Nội vụ', '--kind', 'agency-staff', '--agency', 'SNV', '--post', 'agency', '--post-agency', 'UBND']);
    expect(staff.stdout).toBe('created group canbo.snv@yenbai.gov.vn (Cán bộ Sở Nội vụ): reaches staff of SNV and its sub-agencies; who may post: staff of UBND\n');
    const show = await hopthu(['group', 'show', 'canbo.snv@yenbai.gov.vn']);
    expect(show.stdout).toMatch(/1 member now:\n/);
    expect(show.stdout).toMatch(/annv@yenbai\.gov\.vn\s+Nguyễn Văn An\s+person\s+active/);
    expect(show.stdout).not.toMatch(/vanthu\.snv/);

    await hopthu(['group', 'add', 'banbientap@yenbai.gov.vn', '--name', 'Ban biên tập']);
    const added = await hopthu(['group', 'members', 'add', 'banbientap@yenbai.gov.vn', 'annv@yenbai.gov.vn', 'vanthu.snv@yenbai.gov.vn']);
    expect(added.stdout).toBe('annv@yenbai.gov.vn, vanthu.snv@yenbai.gov.vn added to banbientap@yenbai.gov.vn\n');
    const removed = await hopthu(['group', 'members', 'remove', 'banbientap@yenbai.gov.vn', 'vanthu.snv@yenbai.gov.vn']);
    expect(removed.stdout).toBe('vanthu.snv@yenbai.gov.vn removed from banbientap@yenbai.gov.vn\n');
    const dynamic = await hopthu(['group', 'members', 'add', 'canbo.snv@yenbai.gov.vn', 'annv@yenbai.gov.vn']);
    expect(dynamic.code).toBe(2);
    expect(dynamic.stderr).toMatch(/the group canbo\.snv@yenbai\.gov\.vn is dynamic \(agency-staff\)/);
    const taken = await hopthu(['group', 'add', 'annv@yenbai.gov.vn']);
    expect(taken.stderr).toBe('hopthu: annv@yenbai.gov.vn is already an account\n');
    const badPost = await hopthu(['group', 'add', 'x@yenbai.gov.vn', '--post', 'everyone']);
    expect(badPost.stderr).toBe('hopthu: --post must be one of members, agency, domain, anyone, not "everyone"\n');

    const list = JSON.parse((await hopthu(['group', 'list', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(list.map((g) => [g.address, g.kind, g.postRule])).toEqual([
      ['banbientap@yenbai.gov.vn', 'static', 'members'],
      ['canbo.snv@yenbai.gov.vn', 'agency-staff', 'agency'],
    ]);
    expect(await audited('group.add', 'canbo.snv@yenbai.gov.vn')).toMatchObject({ kind: 'agency-staff', agency: 'SNV', postRule: 'agency', postAgency: 'UBND' });
    const set = await hopthu(['group', 'set', 'canbo.snv@yenbai.gov.vn', '--post', 'domain', '--no-subagencies']);
    expect(set.stdout).toBe('canbo.snv@yenbai.gov.vn (Cán bộ Sở Nội vụ): reaches staff of SNV; who may post: local senders\n');
    expect(await audited('group.update', 'canbo.snv@yenbai.gov.vn')).toEqual({
      before: { name: 'Cán bộ Sở Nội vụ', agency: 'SNV', includeSubagencies: true, postRule: 'agency', postAgency: 'UBND' },
      after: { name: 'Cán bộ Sở Nội vụ', agency: 'SNV', includeSubagencies: false, postRule: 'domain', postAgency: null },
    });
    expect((await hopthu(['group', 'remove', 'banbientap@yenbai.gov.vn'])).stdout).toBe('removed group banbientap@yenbai.gov.vn\n');
    expect(await audited('group.remove', 'banbientap@yenbai.gov.vn')).toMatchObject({ before: { kind: 'static', members: ['annv@yenbai.gov.vn'] } });
    const gone = await hopthu(['group', 'show', 'banbientap@yenbai.gov.vn']);
    expect(gone.stderr).toBe('hopthu: there is no group banbientap@yenbai.gov.vn\n');
    expect(await audited('group.members.remove', 'banbientap@yenbai.gov.vn')).toEqual({ members: ['vanthu.snv@yenbai.gov.vn'] });
  });

  it('delegation add, list and remove, audited; a person mailbox cannot be delegated', async () => {
    expect((await hopthu(['delegation', 'add', 'vanthu.snv@yenbai.gov.vn', 'annv@yenbai.gov.vn', '--read'])).stdout).toBe('annv@yenbai.gov.vn may read as vanthu.snv@yenbai.gov.vn\n');
    expect((await hopthu(['delegation', 'add', 'vanthu.snv@yenbai.gov.vn', 'annv@yenbai.gov.vn', '--read', '--send'])).stdout).toBe(
      'annv@yenbai.gov.vn may read and send as vanthu.snv@yenbai.gov.vn (was: read)\n',
    );
    const list = JSON.parse((await hopthu(['delegation', 'list', 'annv@yenbai.gov.vn', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(list).toEqual([{ mailbox: 'vanthu.snv@yenbai.gov.vn', delegate: 'annv@yenbai.gov.vn', read: true, send: true, createdBy: actor, createdAt: expect.any(String) }]);
    const person = await hopthu(['delegation', 'add', 'annv@yenbai.gov.vn', 'vanthu.snv@yenbai.gov.vn', '--read']);
    expect(person.code).toBe(2);
    expect(person.stderr).toBe('hopthu: annv@yenbai.gov.vn is a person account; only an agency mailbox can be delegated\n');
    const noRights = await hopthu(['delegation', 'add', 'vanthu.snv@yenbai.gov.vn', 'annv@yenbai.gov.vn']);
    expect(noRights.stderr).toBe('hopthu: say what the delegate may do: --read, --send, or both\n');
    expect((await hopthu(['delegation', 'remove', 'vanthu.snv@yenbai.gov.vn', 'annv@yenbai.gov.vn'])).stdout).toBe('annv@yenbai.gov.vn may no longer read or send as vanthu.snv@yenbai.gov.vn\n');
    expect((await hopthu(['delegation', 'list'])).stdout).toBe('MAILBOX  DELEGATE  READ  SEND  CREATEDBY  CREATEDAT\n');
    expect(await audited('delegation.add', 'vanthu.snv@yenbai.gov.vn')).toEqual({ delegate: 'annv@yenbai.gov.vn', before: { canRead: true, canSend: false }, after: { canRead: true, canSend: true } });
    expect(await audited('delegation.remove', 'vanthu.snv@yenbai.gov.vn')).toEqual({ delegate: 'annv@yenbai.gov.vn', before: { canRead: true, canSend: true } });
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});
