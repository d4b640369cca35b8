import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAlias, addTestDomain, rawMessage } from '../../support/fixtures.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { transaction, type Db } from '../../../src/store/db.js';
import { setAccountStatus, addAccount, type Account } from '../../../src/identity/accounts.js';
import type { Agency } from '../../../src/identity/agencies.js';
import { addAlias } from '../../../src/identity/aliases.js';
import { addGroup, addGroupMembers, groupMembers, getGroup, removeGroupMembers, updateGroup } from '../../../src/identity/groups.js';
import { classifyRecipient, expandRecipient } from '../../../src/identity/recipients.js';
import { addAgencies, addOrgAccount, copies, mx, refusal, settled, submission } from './org-fixtures.js';

let env: TestEnv;
let server: RunningServer;
let db: Db;
let ag: Record<string, Agency>;
let an: Account; // person, SNV
let ha: Account; // person, SNV-VP (under SNV)
let binh: Account; // person, STC
let vanthuSnv: Account; // agency mailbox, SNV
let vanthuStc: Account; // agency mailbox, STC

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start();
  db = server.runtime.db;
  const config = server.runtime.config;
  await addTestDomain(db, 'yenbai.gov.vn');
  ag = await addAgencies(db, [
    ['UBND', 'Ủy ban nhân dân tỉnh', null],
    ['SNV', 'Sở Nội vụ', 'UBND'],
    ['SNV-VP', 'Văn phòng Sở Nội vụ', 'SNV'],
    ['STC', 'Sở Tài chính', 'UBND'],
  ]);
  an = await addOrgAccount(db, config, 'annv@yenbai.gov.vn', { agency: ag.SNV, password: true });
  ha = await addOrgAccount(db, config, 'hadtt@yenbai.gov.vn', { agency: ag['SNV-VP'], password: true });
  binh = await addOrgAccount(db, config, 'binhlv@yenbai.gov.vn', { agency: ag.STC, password: true });
  vanthuSnv = await addOrgAccount(db, config, 'vanthu.snv@yenbai.gov.vn', { kind: 'agency', agency: ag.SNV });
  vanthuStc = await addOrgAccount(db, config, 'vanthu.stc@yenbai.gov.vn', { kind: 'agency', agency: ag.STC });
  await addOrgAccount(db, config, 'postmaster@yenbai.gov.vn', { kind: 'system' });
});

afterAll(async () => {
  await env?.stop();
});

const fromOutside = (to: string[], subject: string) =>
  mx(server).sendMail({ envelope: { from: 'nguoidan@sender.test', to }, raw: rawMessage({ from: 'nguoidan@sender.test', to, subject }) });

describe('distribution groups at delivery', () => {
  it('delivers a static group once to each member, also to a member addressed directly', async () => {
    const g = await addGroup(db, { address: 'banbientap@yenbai.gov.vn', name: 'Ban biên tập', postRule: 'anyone' });
    await addGroupMembers(db, g, [an, ha]);
    const info = await fromOutside(['banbientap@yenbai.gov.vn', 'annv@yenbai.gov.vn'], 'Nhóm tĩnh');
    expect(info.accepted).toEqual(['banbientap@yenbai.gov.vn', 'annv@yenbai.gov.vn']);
    await settled(db, info.response);
    expect(await copies(db, an, 'Nhóm tĩnh')).toBe(1);
    expect(await copies(db, ha, 'Nhóm tĩnh')).toBe(1);
    expect(await copies(db, binh, 'Nhóm tĩnh')).toBe(0);
  });

  it('expands a group reached through nested aliases, loop-safe, each account once', async () => {
    // lanhdao -> [banbientap (group), vongtron] ; vongtron -> [lanhdao, binhlv]: a loop
    await addAlias(db, 'lanhdao@yenbai.gov.vn', ['banbientap@yenbai.gov.vn', 'vongtron@yenbai.gov.vn']);
    await addTestAlias(db, 'vongtron@yenbai.gov.vn', ['lanhdao@yenbai.gov.vn', 'binhlv@yenbai.gov.vn', 'annv@yenbai.gov.vn']);
    const expansion = await expandRecipient(db, 'lanhdao@yenbai.gov.vn');
    expect(expansion.accounts.map((a) => a.address).sort()).toEqual(['annv@yenbai.gov.vn', 'binhlv@yenbai.gov.vn', 'hadtt@yenbai.gov.vn']);
    expect(expansion.groups).toEqual(['banbientap@yenbai.gov.vn']);
    const info = await fromOutside(['lanhdao@yenbai.gov.vn', 'banbientap@yenbai.gov.vn'], 'Qua bí danh');
    await settled(db, info.response);
    for (const account of [an, ha, binh]) expect(await copies(db, account, 'Qua bí danh')).toBe(1);
  });

  it('a removed static member no longer receives the group\'s mail', async () => {
    const g = await getGroup(db, 'banbientap@yenbai.gov.vn');
    expect((await removeGroupMembers(db, g, [ha])).map((a) => a.address)).toEqual(['hadtt@yenbai.gov.vn']);
    const info = await fromOutside(['banbientap@yenbai.gov.vn'], 'Sau khi bớt');
    await settled(db, info.response);
    expect(await copies(db, an, 'Sau khi bớt')).toBe(1);
    expect(await copies(db, ha, 'Sau khi bớt')).toBe(0);
  });

  it('an agency-staff group reaches the active persons of the agency and its sub-agencies, and follows agency changes', async () => {
    const g = await addGroup(db, { address: 'canbo.snv@yenbai.gov.vn', kind: 'agency-staff', agencyId: ag.SNV!.id, postRule: 'anyone' });
    expect((await groupMembers(db, g)).map((a) => a.address)).toEqual(['annv@yenbai.gov.vn', 'hadtt@yenbai.gov.vn']);
    const first = await fromOutside(['canbo.snv@yenbai.gov.vn'], 'Toàn thể cán bộ 1');
    await settled(db, first.response);
    expect(await copies(db, an, 'Toàn thể cán bộ 1')).toBe(1);
    expect(await copies(db, ha, 'Toàn thể cán bộ 1')).toBe(1);
    expect(await copies(db, binh, 'Toàn thể cán bộ 1')).toBe(0);
    expect(await copies(db, vanthuSnv, 'Toàn thể cán bộ 1')).toBe(0);

    // a new colleague joins the sub-agency, binh moves to SNV, ha is disabled
    const moi = await addOrgAccount(db, server.runtime.config, 'moi@yenbai.gov.vn', { agency: ag['SNV-VP'] });
    await db.query('UPDATE accounts SET agency_id = $2 WHERE id = $1', [binh.id, ag.SNV!.id]);
    await setAccountStatus(db, ha.id, 'disabled');
    try {
      const second = await fromOutside(['canbo.snv@yenbai.gov.vn'], 'Toàn thể cán bộ 2');
      await settled(db, second.response);
      expect(await copies(db, moi, 'Toàn thể cán bộ 2')).toBe(1);
      expect(await copies(db, binh, 'Toàn thể cán bộ 2')).toBe(1);
      expect(await copies(db, ha, 'Toàn thể cán bộ 2')).toBe(0);
    } finally {
      await db.query('UPDATE accounts SET agency_id = $2 WHERE id = $1', [binh.id, ag.STC!.id]);
      await setAccountStatus(db, ha.id, 'active');
    }
  });

  it('without sub-agencies, an agency-staff group reaches only the agency itself', async () => {
    const g = await addGroup(db, { address: 'lanhdao.snv@yenbai.gov.vn', kind: 'agency-staff', agencyId: ag.SNV!.id, includeSubagencies: false, postRule: 'anyone' });
    expect((await groupMembers(db, g)).map((a) => a.address)).toEqual(['annv@yenbai.gov.vn']);
  });

  it('an agency-mailboxes group without an agency reaches every active agency mailbox of the province', async () => {
    const g = await addGroup(db, { address: 'tatca.coquan@yenbai.gov.vn', kind: 'agency-mailboxes', postRule: 'domain' });
    expect((await groupMembers(db, g)).map((a) => a.address)).toEqual(['vanthu.snv@yenbai.gov.vn', 'vanthu.stc@yenbai.gov.vn']);
    const info = await submission(server, 'binhlv@yenbai.gov.vn').sendMail({ from: 'binhlv@yenbai.gov.vn', to: 'tatca.coquan@yenbai.gov.vn', subject: 'Công văn toàn tỉnh', text: 'Kính gửi các cơ quan.' });
    await settled(db, info.response);
    expect(await copies(db, vanthuSnv, 'Công văn toàn tỉnh')).toBe(1);
    expect(await copies(db, vanthuStc, 'Công văn toàn tỉnh')).toBe(1);
    expect(await copies(db, an, 'Công văn toàn tỉnh')).toBe(0);
    const scoped = await addGroup(db, { address: 'coquan.snv@yenbai.gov.vn', kind: 'agency-mailboxes', agencyId: ag.UBND!.id });
    expect((await groupMembers(db, scoped)).map((a) => a.address)).toEqual(['vanthu.snv@yenbai.gov.vn', 'vanthu.stc@yenbai.gov.vn']);
    const stcOnly = await addGroup(db, { address: 'coquan.stc@yenbai.gov.vn', kind: 'agency-mailboxes', agencyId: ag.STC!.id });
    expect((await groupMembers(db, stcOnly)).map((a) => a.address)).toEqual(['vanthu.stc@yenbai.gov.vn']);
  });

  it('a group that reaches no one fails with 5.2.4 and the sender gets the report', async () => {
    await addGroup(db, { address: 'trong@yenbai.gov.vn', postRule: 'anyone' });
    const info = await submission(server, 'annv@yenbai.gov.vn').sendMail({ from: 'annv@yenbai.gov.vn', to: 'trong@yenbai.gov.vn', subject: 'Nhóm trống', text: 'x' });
    await settled(db, info.response);
    const { rows } = await db.query<{ status: string; last_code: string; last_error: string }>(
      "SELECT status, last_code, last_error FROM spool_recipients WHERE recipient = 'trong@yenbai.gov.vn'",
    );
    expect(rows).toEqual([{ status: 'failed', last_code: '5.2.4', last_error: 'the group trong@yenbai.gov.vn has no active members' }]);
  });
});

describe('posting rules at RCPT', () => {
  it('members: refuses an outsider and a non-member with 550 5.7.1, accepts a member', async () => {
    const g = await addGroup(db, { address: 'hoidong@yenbai.gov.vn', postRule: 'members' });
    await addGroupMembers(db, g, [an, vanthuSnv]);
    const outside = await refusal(fromOutside(['hoidong@yenbai.gov.vn'], 'x'));
    expect(outside.code).toBe(550);
    expect(outside.response).toBe('550 5.7.1 <nguoidan@sender.test> may not post to the group <hoidong@yenbai.gov.vn>: only its members may post');
    const nonMember = await refusal(submission(server, 'binhlv@yenbai.gov.vn').sendMail({ from: 'binhlv@yenbai.gov.vn', to: 'hoidong@yenbai.gov.vn', subject: 'x', text: 'x' }));
    expect(nonMember.response).toMatch(/^550 5\.7\.1 <binhlv@yenbai\.gov\.vn> may not post to the group <hoidong@yenbai\.gov\.vn>: only its members may post/);
    const info = await submission(server, 'annv@yenbai.gov.vn').sendMail({ from: 'annv@yenbai.gov.vn', to: 'hoidong@yenbai.gov.vn', subject: 'Họp hội đồng', text: 'x' });
    expect(info.accepted).toEqual(['hoidong@yenbai.gov.vn']);
    await settled(db, info.response);
    expect(await copies(db, vanthuSnv, 'Họp hội đồng')).toBe(1);
  });

  it('members of a dynamic group: staff of the agency may post, others may not', async () => {
    await addGroup(db, { address: 'noibo.snv@yenbai.gov.vn', kind: 'agency-staff', agencyId: ag.SNV!.id, postRule: 'members' });
    const ok = await submission(server, 'hadtt@yenbai.gov.vn').sendMail({ from: 'hadtt@yenbai.gov.vn', to: 'noibo.snv@yenbai.gov.vn', subject: 'Nội bộ', text: 'x' });
    expect(ok.accepted).toEqual(['noibo.snv@yenbai.gov.vn']);
    const refused = await refusal(submission(server, 'binhlv@yenbai.gov.vn').sendMail({ from: 'binhlv@yenbai.gov.vn', to: 'noibo.snv@yenbai.gov.vn', subject: 'x', text: 'x' }));
    expect(refused.response).toMatch(/^550 5\.7\.1 .*only its members may post/);
  });

  it('agency: the staff of the agency subtree may post, the staff of another agency may not', async () => {
    await addGroup(db, { address: 'tiepnhan.snv@yenbai.gov.vn', postRule: 'agency', postAgencyId: ag.SNV!.id });
    const ok = await submission(server, 'hadtt@yenbai.gov.vn').sendMail({ from: 'hadtt@yenbai.gov.vn', to: 'tiepnhan.snv@yenbai.gov.vn', subject: 'x', text: 'x' });
    expect(ok.accepted).toEqual(['tiepnhan.snv@yenbai.gov.vn']);
    const refused = await refusal(submission(server, 'binhlv@yenbai.gov.vn').sendMail({ from: 'binhlv@yenbai.gov.vn', to: 'tiepnhan.snv@yenbai.gov.vn', subject: 'x', text: 'x' }));
    expect(refused.code).toBe(550);
    expect(refused.response).toMatch(/^550 5\.7\.1 <binhlv@yenbai\.gov\.vn> may not post to the group <tiepnhan\.snv@yenbai\.gov\.vn>: only the staff of SNV and its sub-agencies may post$/);
  });

  it('domain: any logged-in user or local sender may post, an outside sender may not', async () => {
    await addGroup(db, { address: 'toanbo@yenbai.gov.vn', postRule: 'domain' });
    const ok = await submission(server, 'binhlv@yenbai.gov.vn').sendMail({ from: 'binhlv@yenbai.gov.vn', to: 'toanbo@yenbai.gov.vn', subject: 'x', text: 'x' });
    expect(ok.accepted).toEqual(['toanbo@yenbai.gov.vn']);
    const refused = await refusal(fromOutside(['toanbo@yenbai.gov.vn'], 'x'));
    expect(refused.response).toBe("550 5.7.1 <nguoidan@sender.test> may not post to the group <toanbo@yenbai.gov.vn>: only senders of this province's own domains may post");
    const bounce = await refusal(mx(server).sendMail({ envelope: { from: '', to: ['toanbo@yenbai.gov.vn'] }, raw: rawMessage({ from: 'mailer-daemon@sender.test', to: ['toanbo@yenbai.gov.vn'], subject: 'x' }) }));
    expect(bounce.response).toMatch(/^550 5\.7\.1 the null sender <> may not post/);
  });

  it('anyone: an outside sender is accepted', async () => {
    const info = await fromOutside(['canbo.snv@yenbai.gov.vn'], 'Từ người dân');
    expect(info.accepted).toEqual(['canbo.snv@yenbai.gov.vn']);
  });
});

describe('one address, one owner', () => {
  it('refuses a group on an account, alias or group address, and an account or alias on a group address', async () => {
    await expect(addGroup(db, { address: 'annv@yenbai.gov.vn' })).rejects.toThrow('annv@yenbai.gov.vn is already an account');
    await expect(addGroup(db, { address: 'lanhdao@yenbai.gov.vn' })).rejects.toThrow('lanhdao@yenbai.gov.vn is already an alias');
    await expect(addGroup(db, { address: 'Hoidong@YenBai.gov.vn' })).rejects.toThrow('the group hoidong@yenbai.gov.vn already exists');
    await expect(addAlias(db, 'hoidong@yenbai.gov.vn', ['annv@yenbai.gov.vn'])).rejects.toThrow('hoidong@yenbai.gov.vn is already a distribution group');
    await expect(addAccount(db, { address: 'hoidong@yenbai.gov.vn', quotaBytes: 0 })).rejects.toThrow('hoidong@yenbai.gov.vn is already a distribution group');
    expect((await classifyRecipient(db, 'hoidong@yenbai.gov.vn')).kind).toBe('group');
  });

  it('of two concurrent creations of one address in different tables, the later one is refused', async () => {
    const first = transaction(db, async (client) => {
      await addGroup(client, { address: 'dua@yenbai.gov.vn' });
      await new Promise((r) => setTimeout(r, 300)); // still uncommitted while the alias is tried
    });
    await new Promise((r) => setTimeout(r, 100));
    const second = transaction(db, (client) => addAlias(client, 'dua@yenbai.gov.vn', ['annv@yenbai.gov.vn']));
    // expected before waiting for the first: the refusal may come a moment before the first's promise resolves
    const refused = expect(second).rejects.toThrow('dua@yenbai.gov.vn is already a distribution group');
    await first;
    await refused;
  });

  it('updateGroup changes the posting rule and the agency, checked like a new group', async () => {
    const g = await addGroup(db, { address: 'doi@yenbai.gov.vn', kind: 'agency-staff', agencyId: ag.STC!.id, postRule: 'agency', postAgencyId: ag.STC!.id });
    const moved = await updateGroup(db, g, { agencyId: ag.SNV!.id, postRule: 'anyone', name: 'Đổi' });
    expect(moved).toMatchObject({ name: 'Đổi', agencyId: ag.SNV!.id, postRule: 'anyone', postAgencyId: null, kind: 'agency-staff' });
    expect((await groupMembers(db, moved)).map((a) => a.address)).toEqual(['annv@yenbai.gov.vn', 'hadtt@yenbai.gov.vn', 'moi@yenbai.gov.vn']);
    await expect(updateGroup(db, moved, { agencyId: null })).rejects.toThrow('an agency-staff group needs the agency whose staff it reaches');
    await expect(updateGroup(db, moved, { postRule: 'agency' })).rejects.toThrow('the posting rule "agency" needs the agency whose staff may post');
  });

  it('refuses groups that do not make sense, with the reason', async () => {
    await expect(addGroup(db, { address: 'x1@yenbai.gov.vn', kind: 'agency-staff' })).rejects.toThrow('an agency-staff group needs the agency whose staff it reaches');
    await expect(addGroup(db, { address: 'x2@yenbai.gov.vn', postRule: 'agency' })).rejects.toThrow('the posting rule "agency" needs the agency whose staff may post');
    await expect(addGroup(db, { address: 'x3@yenbai.gov.vn', agencyId: ag.SNV!.id })).rejects.toThrow(/only agency-staff and agency-mailboxes groups take an agency/);
    await expect(addGroup(db, { address: 'x4@other.test' })).rejects.toThrow(/other\.test is not a local domain/);
    await expect(addGroup(db, { address: 'x5@yenbai.gov.vn', kind: 'agency-mailboxes', includeSubagencies: false })).rejects.toThrow('leaving out sub-agencies needs the agency they are below');
    const dynamic = await getGroup(db, 'canbo.snv@yenbai.gov.vn');
    await expect(addGroupMembers(db, dynamic, [binh])).rejects.toThrow(/is dynamic \(agency-staff\): its members follow the agency tree/);
  });
});
