import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Attribute, Change, Client } from 'ldapts';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestDomain } from '../../support/fixtures.js';
import { startSlapd, type TestSlapd } from '../../support/slapd.js';
import { generateDirectory, type GeneratedDirectory } from '../../support/directory-generator.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import type { Config } from '../../../src/config/index.js';
import { addAccount } from '../../../src/identity/accounts.js';
import { verifyAuditChain } from '../../../src/audit/audit-log.js';
import { readLdap } from '../../../src/provisioning/ldap-source.js';
import { checkDirectoryPassword } from '../../../src/provisioning/ldap-bind.js';
import { getRun } from '../../../src/provisioning/runs.js';
import { accounts, apply, plan } from './helpers.js';

const PEOPLE = 240;
const replace = (type: string, value: string) => new Change({ operation: 'replace', modification: new Attribute({ type, values: [value] }) });
let env: TestEnv;
let slapd: TestSlapd;
let db: Db;
let dir: GeneratedDirectory;
let config: Readonly<Config>;
let admin: Client;

const ldapConfig = (extra: Record<string, unknown> = {}) => ({
  url: slapd.url,
  startTls: true,
  caFile: slapd.caFile,
  bindDn: slapd.readerDn,
  bindPassword: slapd.readerPassword,
  people: { baseDn: dir.unitsDn },
  agencies: { baseDn: dir.unitsDn },
  groups: { baseDn: dir.groupsDn },
  // groupOfNames has no mail attribute: the generated directory keeps a group's address in description
  attributes: { groupMail: 'description' },
  pageSize: 40,
  ...extra,
});

beforeAll(async () => {
  env = await createTestEnv();
  dir = generateDirectory({ seed: 11, people: PEOPLE });
  slapd = await startSlapd({ ldif: dir.ldif, sizeLimit: 100 });
  db = createPool(env.databaseUrl, 5);
  await migrate(db);
  await addTestDomain(db, 'tinh.gov.vn');
  config = env.config({ 'provisioning.domain': 'tinh.gov.vn', 'provisioning.ldap': ldapConfig(), 'provisioning.batchSize': 50 });
  admin = new Client({ url: slapd.url });
  await admin.bind(slapd.rootDn, slapd.rootPassword);
});

afterAll(async () => {
  await admin?.unbind().catch(() => {});
  await db?.end();
  await slapd?.stop();
  await env?.stop();
});

describe('reading the directory', () => {
  it('a plain search hits the size limit, the paged read returns every entry (RFC 2696)', async () => {
    const plain = new Client({ url: slapd.url });
    await plain.bind(slapd.readerDn, slapd.readerPassword);
    await expect(plain.search(dir.unitsDn, { filter: '(objectClass=inetOrgPerson)' })).rejects.toMatchObject({ code: 4 });
    await plain.unbind();
    const snap = await readLdap(config.provisioning.ldap!);
    expect(PEOPLE).toBeGreaterThan(slapd.sizeLimit);
    expect(snap.people).toHaveLength(PEOPLE);
    expect(snap.agencies).toHaveLength(dir.agencies.length);
    expect(snap.problems).toEqual([]);
  });

  it('names stored in NFD come back in NFC; each person sits in the agency above it', async () => {
    const snap = await readLdap(config.provisioning.ldap!);
    const nfd = dir.people.filter((p) => p.cn !== p.cn.normalize('NFC'));
    expect(nfd.length).toBeGreaterThan(5);
    const byId = new Map(snap.people.map((p) => [p.externalId, p]));
    const agencyByDn = new Map(dir.agencies.map((a) => [a.dn, a.uuid]));
    for (const p of nfd) expect(byId.get(p.uuid)!.fullName).toBe(p.cn.normalize('NFC'));
    for (const p of dir.people) expect(byId.get(p.uuid)!.agencyExternalId).toBe(agencyByDn.get(p.agencyDn));
  });

  it('ldaps:// with the directory CA works; without it the certificate is refused with advice', async () => {
    const snap = await readLdap({ ...config.provisioning.ldap!, url: slapd.ldapsUrl, startTls: false });
    expect(snap.people).toHaveLength(PEOPLE);
    const { caFile: _unused, ...noCa } = config.provisioning.ldap!;
    await expect(readLdap({ ...noCa, url: slapd.ldapsUrl, startTls: false })).rejects.toThrow(/not trusted .*caFile/);
  });

  it('a wrong password is refused by name', async () => {
    await expect(readLdap({ ...config.provisioning.ldap!, bindPassword: 'sai' })).rejects.toThrow(/invalid credentials for cn=hopthu-sync/);
  });
});

describe('sync', () => {
  it('first sync creates exactly the expected agencies, mailboxes and accounts', async () => {
    // an account made by hand before provisioning, whose address one entry carries
    const handMade = dir.people.find((p) => p.mail?.endsWith('@tinh.gov.vn'))!;
    await addAccount(db, { address: handMade.mail!, displayName: 'made by hand', quotaBytes: 1024 });

    const p = await plan(db, config);
    expect(p.counts['agency.create']).toBe(dir.agencies.length);
    expect(p.counts['account.adopt']).toBe(1);
    expect(p.counts['account.create']).toBe(PEOPLE - 1);
    expect(p.disable.count).toBe(0);
    expect(p.counts['group.create']).toBe(2);
    let lastProgress = 0;
    const summary = await apply(db, config, p, { onProgress: (done, total) => (lastProgress = done / total) });
    expect(summary.applied).toBe(p.items.length);
    expect(lastProgress).toBe(1);
    expect((await getRun(db, summary.runId)).percent).toBe(100);

    const people = await accounts(db);
    expect(people).toHaveLength(PEOPLE);
    const byExternal = new Map(people.map((a) => [a.external_id, a]));
    const agencyByDn = new Map(dir.agencies.map((a) => [a.dn, a.uuid]));
    for (const person of dir.people) {
      const a = byExternal.get(person.uuid)!;
      // the hand-made account too: adopted, then given the directory's name
      expect(a.display_name).toBe(person.cn.normalize('NFC'));
      expect(a.agency_external_id).toBe(agencyByDn.get(person.agencyDn));
      expect(a.status).toBe('active');
      // a mail attribute in the local domain is kept; any other gets a made address
      if (person.mail?.endsWith('@tinh.gov.vn')) expect(a.address).toBe(person.mail);
      else expect(a.address).toMatch(/^[a-z0-9]+@tinh\.gov\.vn$/);
    }
    expect(new Set(people.map((a) => a.address)).size).toBe(PEOPLE);
    const agencyMailboxes = await accounts(db, 'agency');
    expect(agencyMailboxes).toHaveLength(dir.agencies.length);
    const { rows: groups } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM distribution_groups WHERE kind = 'agency-staff'`);
    expect(groups[0]!.n).toBe(dir.agencies.length);
    const { rows: folders } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM mailboxes`);
    // the hand-made account was made without folders (delivery makes them when first needed)
    expect(folders[0]!.n).toBe((PEOPLE - 1 + dir.agencies.length) * 6);
    const { rows: codes } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM provisioning_credentials WHERE run_id = $1', [summary.runId]);
    expect(codes[0]!.n).toBe(PEOPLE - 1);
    const { rows: events } = await db.query<{ action: string; n: number }>(
      `SELECT action, count(*)::int AS n FROM audit_events WHERE data->>'runId' = $1 GROUP BY action ORDER BY action`,
      [String(summary.runId)],
    );
    expect(Object.fromEntries(events.map((e) => [e.action, e.n]))).toMatchObject({
      'agency.add': dir.agencies.length,
      'account.add': PEOPLE - 1 + dir.agencies.length,
      'account.link': 1,
      'group.add': dir.agencies.length + dir.groups.length,
      'group.members': dir.groups.length,
    });
    expect((await verifyAuditChain(db)).ok).toBe(true);

    // directory groups become static groups with the same people
    for (const g of dir.groups) {
      const { rows: members } = await db.query<{ external_id: string }>(
        `SELECT a.external_id FROM provisioning_groups pg JOIN group_members m ON m.group_id = pg.group_id JOIN accounts a ON a.id = m.account_id WHERE pg.external_id = $1 ORDER BY 1`,
        [g.uuid],
      );
      const expected = dir.people.filter((p) => g.memberDns.includes(p.dn)).map((p) => p.uuid).sort();
      expect(members.map((m) => m.external_id)).toEqual(expected);
    }
    const { rows: mirrored } = await db.query<{ address: string }>('SELECT g.address FROM provisioning_groups pg JOIN distribution_groups g ON g.id = pg.group_id ORDER BY 1');
    expect(mirrored.map((m) => m.address)).toEqual(['bcd.cds@tinh.gov.vn', 'to.cong.tac.896@tinh.gov.vn']);
  });

  it('second sync is a no-op: nothing planned, applying changes nothing', async () => {
    const p = await plan(db, config);
    expect(p.items).toEqual([]);
    const before = await accounts(db);
    const summary = await apply(db, config, p);
    expect(summary.applied).toBe(0);
    expect(await accounts(db)).toEqual(before);
  });

  it('applying the same plan twice changes nothing the second time', async () => {
    const person = dir.people[3]!;
    await admin.modify(person.dn, [replace('title', 'Chuyên viên cao cấp')]);
    const p = await plan(db, config);
    expect(p.items.map((i) => i.op)).toEqual(['account.update']);
    const first = await apply(db, config, p);
    expect(first.applied).toBe(1);
    const second = await apply(db, config, p);
    expect(second).toMatchObject({ applied: 0, alreadyDone: 1 });
  });

  it('a rename changes the display name and keeps the address', async () => {
    const person = dir.people[10]!;
    const [before] = (await accounts(db)).filter((a) => a.external_id === person.uuid);
    await admin.modify(person.dn, [replace('cn', 'Hoàng Thị Thu Trang')]);
    const p = await plan(db, config);
    expect(p.items).toEqual([
      { op: 'account.update', address: before!.address, externalId: person.uuid, displayName: { from: before!.display_name, to: 'Hoàng Thị Thu Trang' }, title: { from: before!.title, to: before!.title } },
    ]);
    await apply(db, config, p);
    const [after] = (await accounts(db)).filter((a) => a.external_id === person.uuid);
    expect(after).toMatchObject({ address: before!.address, display_name: 'Hoàng Thị Thu Trang', status: 'active' });
  });

  it('a move between agencies (a new DN) keeps the account and its address, in the new agency', async () => {
    const person = dir.people[20]!;
    const target = dir.agencies.find((a) => a.dn !== person.agencyDn && a.parentDn !== null)!;
    const [before] = (await accounts(db)).filter((a) => a.external_id === person.uuid);
    const newDn = `uid=${person.uid},${target.dn}`;
    await admin.modifyDN(person.dn, newDn);
    person.dn = newDn;
    person.agencyDn = target.dn;
    const p = await plan(db, config);
    expect(p.items.map((i) => i.op)).toEqual(['account.move']);
    await apply(db, config, p);
    const [after] = (await accounts(db)).filter((a) => a.external_id === person.uuid);
    expect(after).toMatchObject({ id: before!.id, address: before!.address, agency_external_id: target.uuid });
  });

  it('a departure disables the account (kept, not deleted); a return enables it again', async () => {
    const person = dir.people[30]!;
    const [before] = (await accounts(db)).filter((a) => a.external_id === person.uuid);
    const awayDn = `uid=${person.uid},${dir.departedDn}`;
    await admin.modifyDN(person.dn, awayDn);
    const gone = await plan(db, config);
    expect(gone.items).toEqual([{ op: 'account.disable', address: before!.address, externalId: person.uuid }]);
    await apply(db, config, gone);
    const [disabled] = (await accounts(db)).filter((a) => a.external_id === person.uuid);
    expect(disabled).toMatchObject({ id: before!.id, status: 'disabled' });
    expect(await plan(db, config).then((p) => p.items)).toEqual([]);

    await admin.modifyDN(awayDn, person.dn);
    const back = await plan(db, config);
    expect(back.items).toEqual([{ op: 'account.enable', address: before!.address, externalId: person.uuid }]);
    await apply(db, config, back);
    const [enabled] = (await accounts(db)).filter((a) => a.external_id === person.uuid);
    expect(enabled).toMatchObject({ id: before!.id, address: before!.address, status: 'active' });
  });

  it('a change of a directory group\'s members changes the mirrored group', async () => {
    const group = dir.groups[1]!;
    const leaving = group.memberDns[0]!;
    const joining = dir.people[7]!;
    await admin.modify(group.dn, [
      new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [leaving] }) }),
      new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [joining.dn] }) }),
    ]);
    const all = await accounts(db);
    const addressOf = (uuid: string) => all.find((a) => a.external_id === uuid)!.address;
    const p = await plan(db, config);
    expect(p.items).toEqual([
      { op: 'group.members', address: 'to.cong.tac.896@tinh.gov.vn', externalId: group.uuid, add: [addressOf(joining.uuid)], remove: [addressOf(dir.people.find((x) => x.dn === leaving)!.uuid)] },
    ]);
    await apply(db, config, p);
    expect((await plan(db, config)).items).toEqual([]);
  });

  it('an address whose account is gone is held for reuseAfterDays, then given again', async () => {
    // phuvs@ was given once; its account has since been removed
    await db.query(`INSERT INTO provisioning_addresses (address, external_id) VALUES ('phuvs@tinh.gov.vn', 'gone-1')`);
    const office = dir.agencies[1]!;
    const addPerson = (uid: string) =>
      admin.add(`uid=${uid},${office.dn}`, { objectClass: 'inetOrgPerson', uid, cn: 'Vàng Seo Phủ', sn: 'Vàng', givenName: 'Seo Phủ' });
    await addPerson('new001');
    const first = await plan(db, config);
    expect(first.items.map((i) => [i.op, 'address' in i ? i.address : ''])).toEqual([
      ['address.release', 'phuvs@tinh.gov.vn'],
      ['account.create', 'phuvs2@tinh.gov.vn'],
    ]);
    await apply(db, config, first);
    const { rows } = await db.query<{ freed_at: Date | null }>(`SELECT freed_at FROM provisioning_addresses WHERE address = 'phuvs@tinh.gov.vn'`);
    expect(rows[0]!.freed_at).toBeInstanceOf(Date);
    // still held a day later
    await addPerson('new002');
    const held = await plan(db, config);
    expect(held.items.map((i) => 'address' in i && i.address)).toEqual(['phuvs3@tinh.gov.vn']);
    // free again after reuseAfterDays (365)
    await db.query(`UPDATE provisioning_addresses SET freed_at = now() - interval '366 days' WHERE address = 'phuvs@tinh.gov.vn'`);
    const reused = await plan(db, config);
    expect(reused.items.map((i) => 'address' in i && i.address)).toEqual(['phuvs@tinh.gov.vn']);
    await apply(db, config, reused);
    const { rows: again } = await db.query<{ external_id: string; freed_at: Date | null }>(`SELECT external_id, freed_at FROM provisioning_addresses WHERE address = 'phuvs@tinh.gov.vn'`);
    expect(again[0]!.freed_at).toBeNull();
    expect(again[0]!.external_id).not.toBe('gone-1');
  });

  it('an account an administrator disabled is not enabled by a sync', async () => {
    const person = dir.people[40]!;
    const [a] = (await accounts(db)).filter((x) => x.external_id === person.uuid);
    await db.query(`UPDATE accounts SET status = 'disabled' WHERE id = $1`, [a!.id]);
    expect((await plan(db, config)).items).toEqual([]);
    await db.query(`UPDATE accounts SET status = 'active' WHERE id = $1`, [a!.id]);
  });

  it('the mass-disable guard stops a run that would disable more than maxDisableShare', async () => {
    // a filter that loses most people, as a wrong base DN or filter would
    const narrow = env.config({ 'provisioning.domain': 'tinh.gov.vn', 'provisioning.ldap': ldapConfig({ people: { baseDn: dir.unitsDn, filter: '(&(objectClass=inetOrgPerson)(uid=cb00000*))' } }) });
    const before = await accounts(db);
    const active = before.filter((a) => a.external_id && a.status === 'active').length;
    const p = await plan(db, narrow);
    // cb000001 … cb000009 stay
    expect(p.disable).toMatchObject({ count: active - 9, ofActive: active, exceeded: true, maxShare: 0.05 });
    await expect(apply(db, narrow, p)).rejects.toThrow(new RegExp(`disables ${active - 9} of ${active} provisioned accounts .* --allow-mass-disable`));
    expect(await accounts(db)).toEqual(before);
  });

  it('an interrupted apply resumes where it stopped and ends as a clean one would', async () => {
    const movers = dir.people.slice(50, 56);
    for (const person of movers) {
      await admin.modify(person.dn, [replace('title', 'Phó Giám đốc')]);
    }
    const small = env.config({ 'provisioning.domain': 'tinh.gov.vn', 'provisioning.ldap': ldapConfig(), 'provisioning.batchSize': 2 });
    const p = await plan(db, small);
    expect(p.items).toHaveLength(6);
    let batches = 0;
    await expect(
      apply(db, small, p, {
        onProgress: () => {
          if (++batches === 1) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const resumed = await apply(db, small, p);
    expect(resumed).toMatchObject({ alreadyDone: 2, applied: 4 });
    const titles = (await accounts(db)).filter((a) => movers.some((m) => m.uuid === a.external_id)).map((a) => a.title);
    expect(titles).toEqual(Array(6).fill('Phó Giám đốc'));
    expect((await getRun(db, resumed.runId)).status).toBe('done');
    expect((await plan(db, config)).items).toEqual([]);
  });
});

describe('password checks with the directory (a bind as the person)', () => {
  it('the right password binds; a wrong or empty one, or an unknown id, does not', async () => {
    const person = dir.people[60]!;
    await admin.modify(person.dn, [replace('userPassword', 'Mật-khẩu-đúng-2026')]);
    const cfg = config.provisioning.ldap!;
    expect(await checkDirectoryPassword(cfg, person.uuid, 'Mật-khẩu-đúng-2026')).toBe(true);
    expect(await checkDirectoryPassword(cfg, person.uuid, 'sai')).toBe(false);
    // RFC 4513 §5.1.2: an empty password would be an unauthenticated (anonymous) bind
    expect(await checkDirectoryPassword(cfg, person.uuid, '')).toBe(false);
    expect(await checkDirectoryPassword(cfg, '00000000-0000-4000-8000-000000000000', 'Mật-khẩu-đúng-2026')).toBe(false);
  });
});
