import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'ldapts';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain, eventually, messagesIn } from '../../support/fixtures.js';
import { startSlapd, type TestSlapd } from '../../support/slapd.js';
import { dnValue, generateDirectory, type GeneratedDirectory } from '../../support/directory-generator.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import type { Account } from '../../../src/identity/accounts.js';
import { accounts } from './helpers.js';

const PEOPLE = 30;
let env: TestEnv;
let slapd: TestSlapd;
let db: Db;
let dir: GeneratedDirectory;
let admin: Account;

beforeAll(async () => {
  env = await createTestEnv();
  dir = generateDirectory({ seed: 5, people: PEOPLE });
  slapd = await startSlapd({ ldif: dir.ldif, sizeLimit: 10 });
  db = createPool(env.databaseUrl, 4);
  await migrate(db);
  await addTestDomain(db, 'tinh.gov.vn');
  admin = await addTestAccount(db, env.config(), 'quantri@tinh.gov.vn', { name: 'Quản trị' });
  await env.start(
    {
      'provisioning.domain': 'tinh.gov.vn',
      'provisioning.ldap': { url: slapd.url, bindDn: slapd.readerDn, bindPassword: slapd.readerPassword, people: { baseDn: dir.unitsDn }, agencies: { baseDn: dir.unitsDn }, pageSize: 10 },
      // every 1.5 s, so the test sees several syncs
      'provisioning.schedule': { intervalMinutes: 0.025, notify: ['quantri@tinh.gov.vn'] },
    },
    ['worker'],
  );
});

afterAll(async () => {
  await db?.end();
  await slapd?.stop();
  await env?.stop();
});

describe('scheduled sync (provisioning.schedule)', { timeout: 60_000 }, () => {
  it('the worker syncs on its own and mails the administrators a summary', async () => {
    await eventually(async () => ((await accounts(db)).filter((a) => a.external_id).length === PEOPLE ? true : undefined), 30_000, 'the scheduled sync to create the accounts');
    const mail = await eventually(async () => {
      const inbox = await messagesIn(db, admin.id);
      return inbox.length ? inbox : undefined;
    }, 20_000, 'the summary in the administrator\'s INBOX');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toMatch(/^Đồng bộ danh bạ: \d+ thay đổi$/);
    const { rows } = await db.query<{ actor: string; n: number }>(`SELECT actor, count(*)::int AS n FROM audit_events WHERE action = 'account.add' GROUP BY actor`);
    expect(rows).toContainEqual({ actor: 'system:provisioning', n: PEOPLE + dir.agencies.length });
  });

  it('a sync that finds nothing to change mails nothing', async () => {
    const { rows: before } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM provisioning_runs`);
    await new Promise((r) => setTimeout(r, 4000));
    expect(await messagesIn(db, admin.id)).toHaveLength(1);
    const { rows: after } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM provisioning_runs`);
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('a sync that would disable too many stops, applies nothing and says so', async () => {
    // one whole office leaves the tree in one operation (a subtree rename), so no sync sees half of it
    const office = dir.agencies.find((a) => a.parentDn !== null && !dir.agencies.some((c) => c.parentDn === a.dn) && dir.people.filter((p) => p.agencyDn === a.dn).length >= 2)!;
    const leaving = dir.people.filter((p) => p.agencyDn === office.dn).length;
    expect(leaving / PEOPLE).toBeGreaterThan(0.05);
    const client = new Client({ url: slapd.url });
    await client.bind(slapd.rootDn, slapd.rootPassword);
    await client.modifyDN(office.dn, `ou=${dnValue(office.name)},${dir.departedDn}`);
    await client.unbind();
    const mail = await eventually(async () => {
      const inbox = await messagesIn(db, admin.id);
      return inbox.length > 1 ? inbox : undefined;
    }, 20_000, 'the stop notice');
    expect(mail[1]!.subject).toBe(`Đồng bộ danh bạ bị dừng: ${leaving} tài khoản sẽ bị khóa`);
    expect((await accounts(db)).every((a) => a.status === 'active')).toBe(true);
  });
});
