import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestDomain, rawMessage } from '../../support/fixtures.js';
import type { RunningServer } from '../../../src/cli/server.js';
import type { Db } from '../../../src/store/db.js';
import { setAccountStatus, type Account } from '../../../src/identity/accounts.js';
import {
  delegatedMailboxesFor, listDelegations, mayReadMailboxOf, removeDelegation, setDelegation,
} from '../../../src/identity/delegations.js';
import { maySendAs, sendAsGrant } from '../../../src/identity/recipients.js';
import { addGroup, addGroupMembers } from '../../../src/identity/groups.js';
import { verifyAuditChain } from '../../../src/audit/audit-log.js';
import { addAgencies, addOrgAccount, copies, refusal, settled, submission } from './org-fixtures.js';

let env: TestEnv;
let server: RunningServer;
let db: Db;
let an: Account; // delegate who may send and read
let ha: Account; // delegate who may only read
let binh: Account; // no delegation
let vanthu: Account; // the agency mailbox of Sở Nội vụ

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start();
  db = server.runtime.db;
  const config = server.runtime.config;
  await addTestDomain(db, 'yenbai.gov.vn');
  const ag = await addAgencies(db, [['SNV', 'Sở Nội vụ', null]]);
  an = await addOrgAccount(db, config, 'annv@yenbai.gov.vn', { agency: ag.SNV, password: true });
  ha = await addOrgAccount(db, config, 'hadtt@yenbai.gov.vn', { agency: ag.SNV, password: true });
  binh = await addOrgAccount(db, config, 'binhlv@yenbai.gov.vn', { password: true });
  vanthu = await addOrgAccount(db, config, 'vanthu.snv@yenbai.gov.vn', { kind: 'agency', agency: ag.SNV });
  await setDelegation(db, vanthu, an, { canRead: true, canSend: true }, 'cli:test');
  await setDelegation(db, vanthu, ha, { canRead: true, canSend: false }, 'cli:test');
});

afterAll(async () => {
  await env?.stop();
});

async function delegationSends(delegate: string): Promise<Array<{ actor: string; target: string; source: string; data: { envelopeFrom: string; from: string[]; recipients: string[] } }>> {
  const { rows } = await db.query("SELECT actor, target, source, data FROM audit_events WHERE action = 'delegation.send' AND actor = $1 ORDER BY id", [delegate]);
  return rows as never;
}

describe('delegation of an agency mailbox', () => {
  it('a delegate with send uses the mailbox as envelope sender and From; the use is audited', async () => {
    const info = await submission(server, 'annv@yenbai.gov.vn').sendMail({
      from: '"Văn thư Sở Nội vụ" <vanthu.snv@yenbai.gov.vn>', to: 'binhlv@yenbai.gov.vn', subject: 'Công văn số 12', text: 'Kính gửi anh Bình.',
    });
    expect(info.envelope.from).toBe('vanthu.snv@yenbai.gov.vn');
    expect(info.accepted).toEqual(['binhlv@yenbai.gov.vn']);
    await settled(db, info.response);
    expect(await copies(db, binh, 'Công văn số 12')).toBe(1);
    const events = await delegationSends('annv@yenbai.gov.vn');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: 'annv@yenbai.gov.vn', target: 'vanthu.snv@yenbai.gov.vn', source: '127.0.0.1' });
    expect(events[0]!.data).toMatchObject({ envelopeFrom: 'vanthu.snv@yenbai.gov.vn', from: ['vanthu.snv@yenbai.gov.vn'], recipients: ['binhlv@yenbai.gov.vn'] });
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('the From header alone is a use too, audited once per message', async () => {
    const before = (await delegationSends('annv@yenbai.gov.vn')).length;
    const info = await submission(server, 'annv@yenbai.gov.vn').sendMail({
      envelope: { from: 'annv@yenbai.gov.vn', to: ['binhlv@yenbai.gov.vn'] },
      raw: rawMessage({ from: 'vanthu.snv@yenbai.gov.vn', to: ['binhlv@yenbai.gov.vn'], subject: 'Chỉ tiêu đề From' }),
    });
    expect(info.accepted).toEqual(['binhlv@yenbai.gov.vn']);
    const after = await delegationSends('annv@yenbai.gov.vn');
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)!.data).toMatchObject({ envelopeFrom: 'annv@yenbai.gov.vn', from: ['vanthu.snv@yenbai.gov.vn'] });
  });

  it('sending as oneself writes no delegation event', async () => {
    const before = (await delegationSends('annv@yenbai.gov.vn')).length;
    await submission(server, 'annv@yenbai.gov.vn').sendMail({ from: 'annv@yenbai.gov.vn', to: 'binhlv@yenbai.gov.vn', subject: 'Thư riêng', text: 'x' });
    expect(await delegationSends('annv@yenbai.gov.vn')).toHaveLength(before);
  });

  it('a delegate sending as the mailbox posts to a members-only group the mailbox belongs to', async () => {
    const g = await addGroup(db, { address: 'vanthu.toantinh@yenbai.gov.vn', postRule: 'members' });
    await addGroupMembers(db, g, [vanthu, binh]);
    const info = await submission(server, 'annv@yenbai.gov.vn').sendMail({ from: 'vanthu.snv@yenbai.gov.vn', to: 'vanthu.toantinh@yenbai.gov.vn', subject: 'Gửi các văn thư', text: 'x' });
    expect(info.accepted).toEqual(['vanthu.toantinh@yenbai.gov.vn']);
    await settled(db, info.response);
    expect(await copies(db, binh, 'Gửi các văn thư')).toBe(1);
    const asHimself = await refusal(submission(server, 'annv@yenbai.gov.vn').sendMail({ from: 'annv@yenbai.gov.vn', to: 'vanthu.toantinh@yenbai.gov.vn', subject: 'x', text: 'x' }));
    expect(asHimself.response).toMatch(/^550 5\.7\.1 <annv@yenbai\.gov\.vn> may not post to the group <vanthu\.toantinh@yenbai\.gov\.vn>: only its members may post/);
  });

  it('refuses a read-only delegate and a non-delegate as envelope sender with 553 5.7.1', async () => {
    for (const user of ['hadtt@yenbai.gov.vn', 'binhlv@yenbai.gov.vn']) {
      const r = await refusal(submission(server, user).sendMail({ from: 'vanthu.snv@yenbai.gov.vn', to: 'annv@yenbai.gov.vn', subject: 'x', text: 'x' }));
      expect(r.code).toBe(553);
      expect(r.response).toBe(`553 5.7.1 ${user} may not send as <vanthu.snv@yenbai.gov.vn>`);
    }
    expect(await delegationSends('hadtt@yenbai.gov.vn')).toEqual([]);
  });

  it('refuses a non-delegate\'s From header with 550 5.7.1', async () => {
    const r = await refusal(submission(server, 'binhlv@yenbai.gov.vn').sendMail({
      envelope: { from: 'binhlv@yenbai.gov.vn', to: ['annv@yenbai.gov.vn'] },
      raw: rawMessage({ from: 'vanthu.snv@yenbai.gov.vn', to: ['annv@yenbai.gov.vn'], subject: 'x' }),
    }));
    expect(r.code).toBe(550);
    expect(r.response).toBe('550 5.7.1 binhlv@yenbai.gov.vn may not send as vanthu.snv@yenbai.gov.vn (From header)');
  });

  it('a disabled agency mailbox can be neither sent as nor read by its delegates', async () => {
    await setAccountStatus(db, vanthu.id, 'disabled');
    try {
      expect(await maySendAs(db, an, 'vanthu.snv@yenbai.gov.vn')).toBe(false);
      expect(await mayReadMailboxOf(db, an.id, vanthu.id)).toBe(false);
      expect(await delegatedMailboxesFor(db, an.id)).toEqual([]);
    } finally {
      await setAccountStatus(db, vanthu.id, 'active');
    }
    expect(await sendAsGrant(db, an, 'Vanthu.SNV@yenbai.gov.vn')).toMatchObject({ via: 'delegation', mailbox: { address: 'vanthu.snv@yenbai.gov.vn' } });
  });

  it('tells the IMAP side which mailboxes a person may open', async () => {
    const forAn = await delegatedMailboxesFor(db, an.id);
    expect(forAn.map((d) => ({ address: d.account.address, kind: d.account.kind, canRead: d.canRead, canSend: d.canSend }))).toEqual([
      { address: 'vanthu.snv@yenbai.gov.vn', kind: 'agency', canRead: true, canSend: true },
    ]);
    expect((await delegatedMailboxesFor(db, ha.id)).map((d) => [d.canRead, d.canSend])).toEqual([[true, false]]);
    expect(await delegatedMailboxesFor(db, binh.id)).toEqual([]);
    expect(await mayReadMailboxOf(db, ha.id, vanthu.id)).toBe(true);
    expect(await mayReadMailboxOf(db, binh.id, vanthu.id)).toBe(false);
    expect(await mayReadMailboxOf(db, vanthu.id, an.id)).toBe(false);
    expect(await mayReadMailboxOf(db, an.id, an.id)).toBe(true);
  });

  it('changing and withdrawing a delegation takes effect at once', async () => {
    const change = await setDelegation(db, vanthu, ha, { canRead: true, canSend: true }, 'cli:test');
    expect(change).toEqual({ before: { canRead: true, canSend: false }, after: { canRead: true, canSend: true } });
    expect(await maySendAs(db, ha, 'vanthu.snv@yenbai.gov.vn')).toBe(true);
    expect(await removeDelegation(db, vanthu, ha)).toEqual({ canRead: true, canSend: true });
    expect(await maySendAs(db, ha, 'vanthu.snv@yenbai.gov.vn')).toBe(false);
    await expect(removeDelegation(db, vanthu, ha)).rejects.toThrow('hadtt@yenbai.gov.vn has no delegation of vanthu.snv@yenbai.gov.vn');
    const all = await listDelegations(db);
    expect(all.map((d) => [d.mailbox.address, d.delegate.address, d.createdBy])).toEqual([['vanthu.snv@yenbai.gov.vn', 'annv@yenbai.gov.vn', 'cli:test']]);
    expect(all[0]!.mailbox.createdAt).toBeInstanceOf(Date);
  });

  it('only an agency mailbox can be delegated, only to a person, and only with a right', async () => {
    await expect(setDelegation(db, binh, an, { canRead: true, canSend: false }, 'cli:test')).rejects.toThrow(
      'binhlv@yenbai.gov.vn is a person account; only an agency mailbox can be delegated',
    );
    await expect(setDelegation(db, vanthu, vanthu, { canRead: true, canSend: false }, 'cli:test')).rejects.toThrow(
      'vanthu.snv@yenbai.gov.vn is an agency mailbox; an agency mailbox is delegated to a person',
    );
    await expect(setDelegation(db, vanthu, binh, { canRead: false, canSend: false }, 'cli:test')).rejects.toThrow('say what the delegate may do');
  });
});
