import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attribute, Change, Client } from 'ldapts';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { startSlapd, type TestSlapd } from '../../support/slapd.js';
import { generateDirectory, type GeneratedDirectory } from '../../support/directory-generator.js';
import { setPasswordSource } from '../../../src/identity/domains.js';
import { setAccountPassword } from '../../../src/identity/password-change.js';
import type { Account } from '../../../src/identity/accounts.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { imapLogin, smtpLogin } from './clients.js';

const DIRECTORY_PASSWORD = 'Mật-khẩu-trong-danh-bạ-2026';
const LOCAL_PASSWORD = 'mat-khau-cuc-bo-rat-dai';
let env: TestEnv;
let slapd: TestSlapd;
let dir: GeneratedDirectory;
let server: RunningServer;
let an: Account;
let local: Account;

beforeAll(async () => {
  env = await createTestEnv();
  dir = generateDirectory({ seed: 5, people: 20 });
  slapd = await startSlapd({ ldif: dir.ldif, sizeLimit: 100 });
  server = await env.start({
    'provisioning.ldap': { url: slapd.url, startTls: true, caFile: slapd.caFile, bindDn: slapd.readerDn, bindPassword: slapd.readerPassword, people: { baseDn: dir.unitsDn } },
  }, ['smtp', 'imap']);
  const db = server.runtime.db;
  const { domain } = await addTestDomain(db, 'tinh.gov.vn');
  await addTestDomain(db, 'local.gov.vn');
  const person = dir.people[0]!;
  an = await addTestAccount(db, server.runtime.config, 'annv@tinh.gov.vn', { password: LOCAL_PASSWORD });
  await db.query('UPDATE accounts SET external_id = $2 WHERE id = $1', [an.id, person.uuid]);
  local = await addTestAccount(db, server.runtime.config, 'hadtt@local.gov.vn', { password: LOCAL_PASSWORD });
  await setPasswordSource(db, domain.id, 'directory');
  const admin = new Client({ url: slapd.url });
  await admin.bind(slapd.rootDn, slapd.rootPassword);
  await admin.modify(person.dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'userPassword', values: [DIRECTORY_PASSWORD] }) })]);
  await admin.unbind();
}, 120_000);

afterAll(async () => {
  await env?.stop();
  await slapd?.stop();
});

describe('passwords checked by the directory, per domain', () => {
  it('IMAP and SMTP take the directory password of a directory domain, and not the one kept here', async () => {
    expect(await imapLogin(server, 'annv@tinh.gov.vn', DIRECTORY_PASSWORD)).toBe('ok');
    expect(await smtpLogin(server, 'annv@tinh.gov.vn', DIRECTORY_PASSWORD)).toBe('ok');
    expect(await imapLogin(server, 'annv@tinh.gov.vn', LOCAL_PASSWORD)).toBe('AUTHENTICATIONFAILED');
    // another domain keeps its own passwords
    expect(await imapLogin(server, 'hadtt@local.gov.vn', LOCAL_PASSWORD)).toBe('ok');
    const { rows } = await server.runtime.db.query<{ action: string; data: { checkedBy?: string } }>(
      "SELECT action, data FROM audit_events WHERE target = 'annv@tinh.gov.vn' AND action LIKE 'auth.%' ORDER BY id",
    );
    expect(rows.map((r) => [r.action, r.data.checkedBy])).toEqual([
      ['auth.imap.success', 'directory'], ['auth.smtp.success', 'directory'], ['auth.imap.failure', 'directory'],
    ]);
  });

  it('a password cannot be set here for a directory domain', async () => {
    await expect(setAccountPassword(server.runtime.db, server.runtime.config, an, 'mot-mat-khau-moi-dai', { by: 'admin' }))
      .rejects.toMatchObject({ code: 'password-in-directory' });
    await expect(setAccountPassword(server.runtime.db, server.runtime.config, local, 'mot-mat-khau-moi-dai-2', { by: 'admin' })).resolves.toBeDefined();
  });

  it('an unreachable directory is a temporary refusal that does not count as a wrong password', async () => {
    await slapd.stop();
    expect(await imapLogin(server, 'annv@tinh.gov.vn', DIRECTORY_PASSWORD)).toBe('UNAVAILABLE');
    expect(await smtpLogin(server, 'annv@tinh.gov.vn', DIRECTORY_PASSWORD)).toMatch(/^454 4\.7\.0 the directory that checks passwords cannot be reached/);
    const { rows } = await server.runtime.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_events WHERE target = 'annv@tinh.gov.vn' AND data->>'reason' = 'unavailable'",
    );
    expect(rows[0]!.n).toBe(2);
  });
});
