import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transaction } from '../../../src/store/db.js';
import { addAccount, setAccountStatus, type Account } from '../../../src/identity/accounts.js';
import { addAgency } from '../../../src/identity/agencies.js';
import { addGroup, addGroupMembers } from '../../../src/identity/groups.js';
import { setDelegation } from '../../../src/identity/delegations.js';
import { createDefaultMailboxes } from '../../../src/mail/mailboxes.js';
import { messagesIn } from '../../support/fixtures.js';
import { fieldValue, folderId, openCompose, readOverImap, startComposeEnv, waitForMessage, type ComposeEnv } from './compose-fixtures.js';

let c: ComposeEnv;
let vanphong: Account;
const MAX_BYTES = 64 * 1024;

beforeAll(async () => {
  c = await startComposeEnv({ 'smtp.maxRecipients': 3, 'smtp.maxMessageBytes': MAX_BYTES, 'smtp.maxMessagesPerIpPerMinute': 12 });
  const { db } = c.server.runtime;
  const snv = await addAgency(db, { code: 'SNV', name: 'Sở Nội vụ' });
  vanphong = await transaction(db, async (client) => {
    const a = await addAccount(client, { address: 'vanphong.snv@yenbai.gov.vn', displayName: 'Văn phòng Sở Nội vụ', quotaBytes: 100 * 1024 * 1024, kind: 'agency', agencyId: snv.id });
    await createDefaultMailboxes(client, a.id);
    return a;
  });
  await setDelegation(db, vanphong, c.an, { canRead: true, canSend: true }, 'admin@yenbai.gov.vn');
  await setDelegation(db, vanphong, c.cuong, { canRead: true, canSend: false }, 'admin@yenbai.gov.vn');
  const group = await addGroup(db, { address: 'lanhdao@yenbai.gov.vn', name: 'Lãnh đạo tỉnh', postRule: 'members' });
  await addGroupMembers(db, group, [c.binh]);
});
afterAll(async () => {
  await c?.env.stop();
});

const send = (web: Awaited<ReturnType<ComposeEnv['login']>>, fields: Record<string, string>, files: Parameters<typeof web.postMultipart>[2] = []) =>
  web.postMultipart('/mail/compose', { from: 'annv@yenbai.gov.vn', cc: '', bcc: '', body: 'Nội dung.', intent: 'send', ...fields }, files);

describe('webmail compose: the submission rules', () => {
  it('refuses more recipients than smtp.maxRecipients (RFC 5321 §4.5.3.1.8), keeping the form', async () => {
    const web = await c.login('annv@yenbai.gov.vn');
    await openCompose(web);
    const res = await send(web, { to: 'binhtt@yenbai.gov.vn, cuongld@yenbai.gov.vn', cc: 'vanphong.snv@yenbai.gov.vn', bcc: 'lanhdao@yenbai.gov.vn', subject: 'Quá nhiều' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Quá nhiều người nhận: tối đa 3 địa chỉ trong một thư.');
    expect(fieldValue(res.text, 'bcc')).toBe('lanhdao@yenbai.gov.vn');
  });

  it('refuses a message over smtp.maxMessageBytes and asks for the chosen files again', async () => {
    const web = await c.login('annv@yenbai.gov.vn');
    await openCompose(web);
    const half = Buffer.alloc(40 * 1024, 7);
    const res = await send(web, { to: 'binhtt@yenbai.gov.vn', subject: 'Tệp lớn' }, [
      { field: 'attachments', filename: 'một.bin', type: 'application/octet-stream', content: half },
      { field: 'attachments', filename: 'hai.bin', type: 'application/octet-stream', content: half },
    ]);
    expect(res.status).toBe(413);
    expect(res.text).toMatch(/Thư quá lớn \([\d,]+ KB\); tối đa 64 KB\./);
    expect(res.text).toContain('hãy chọn lại trước khi gửi');
    expect(fieldValue(res.text, 'subject')).toBe('Tệp lớn');
  });

  it('refuses a group whose posting rule leaves the sender out (RFC 3463 X.7.1), and lets a member post', async () => {
    const an = await c.login('annv@yenbai.gov.vn');
    await openCompose(an);
    const refused = await send(an, { to: 'Lãnh đạo tỉnh <lanhdao@yenbai.gov.vn>', subject: 'Gửi lãnh đạo' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Bạn không được phép gửi thư đến nhóm «lanhdao@yenbai.gov.vn».');
    expect(fieldValue(refused.text, 'to')).toBe('Lãnh đạo tỉnh <lanhdao@yenbai.gov.vn>');
    const binh = await c.login('binhtt@yenbai.gov.vn');
    await openCompose(binh);
    const allowed = await send(binh, { from: 'binhtt@yenbai.gov.vn', to: 'lanhdao@yenbai.gov.vn', subject: 'Thành viên gửi nhóm' });
    expect(allowed.status).toBe(303);
    await waitForMessage(c.server, c.binh, 'Thành viên gửi nhóm');
  });

  it('refuses a disabled mailbox', async () => {
    const { db, config } = c.server.runtime;
    const gone = await addAccount(db, { address: 'nghihuu@yenbai.gov.vn', quotaBytes: config.smtp.maxMessageBytes });
    await setAccountStatus(db, gone.id, 'disabled');
    const web = await c.login('annv@yenbai.gov.vn');
    await openCompose(web);
    const res = await send(web, { to: 'nghihuu@yenbai.gov.vn', subject: 'Nghỉ hưu' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Hộp thư «nghihuu@yenbai.gov.vn» đã bị khóa, không nhận thư.');
  });
});

describe('webmail compose: sending as a delegated agency mailbox', () => {
  it('offers the agency mailbox in From to a delegate with send rights, sends as it, audits delegation.send and keeps the copy in its Sent', async () => {
    const web = await c.login('annv@yenbai.gov.vn');
    const page = await openCompose(web);
    expect(page.text).toContain('<option value="vanphong.snv@yenbai.gov.vn">Văn phòng Sở Nội vụ &lt;vanphong.snv@yenbai.gov.vn&gt; (hộp thư cơ quan)</option>');
    const res = await send(web, { from: 'vanphong.snv@yenbai.gov.vn', to: 'binhtt@yenbai.gov.vn', subject: 'Công văn của Văn phòng' });
    expect(res.status).toBe(303);
    const { rows } = await c.server.runtime.db.query<{ actor: string; target: string; data: { via: string; recipients: string[] } }>(
      "SELECT actor, target, data FROM audit_events WHERE action = 'delegation.send' ORDER BY id",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: 'annv@yenbai.gov.vn', target: 'vanphong.snv@yenbai.gov.vn', data: { via: 'webmail', recipients: ['binhtt@yenbai.gov.vn'] } });
    await waitForMessage(c.server, c.binh, 'Công văn của Văn phòng');
    const { mail } = await readOverImap(c.server, 'binhtt@yenbai.gov.vn', 'INBOX', 'Công văn của Văn phòng');
    expect(mail.from?.value[0]).toMatchObject({ name: 'Văn phòng Sở Nội vụ', address: 'vanphong.snv@yenbai.gov.vn' });
    expect((await messagesIn(c.server.runtime.db, vanphong.id, 'Sent')).map((m) => m.subject)).toContain('Công văn của Văn phòng');
  });

  it('a reply to a message in the agency mailbox goes out as the agency mailbox when the delegate may send as it; reading it is audited', async () => {
    const binh = await c.login('binhtt@yenbai.gov.vn');
    await openCompose(binh);
    expect((await send(binh, { from: 'binhtt@yenbai.gov.vn', to: 'vanphong.snv@yenbai.gov.vn', subject: 'Xin ý kiến Văn phòng' })).status).toBe(303);
    const stored = await waitForMessage(c.server, vanphong, 'Xin ý kiến Văn phòng');
    const ref = `${await folderId(c.server, vanphong, 'INBOX')}:${stored.uid}`;
    const an = await c.login('annv@yenbai.gov.vn');
    const page = await openCompose(an, `?reply=${ref}`);
    expect(fieldValue(page.text, 'from')).toBe('vanphong.snv@yenbai.gov.vn');
    expect(fieldValue(page.text, 'to')).toBe('Trần Thị Bình <binhtt@yenbai.gov.vn>');
    // a delegate who may only read answers as themself
    const cuong = await c.login('cuongld@yenbai.gov.vn');
    expect(fieldValue((await openCompose(cuong, `?reply=${ref}`)).text, 'from')).toBe('cuongld@yenbai.gov.vn');
    const { rows } = await c.server.runtime.db.query<{ actor: string }>("SELECT actor FROM audit_events WHERE action = 'delegation.read' AND target = 'vanphong.snv@yenbai.gov.vn' ORDER BY id");
    expect(rows.map((r) => r.actor)).toEqual(['annv@yenbai.gov.vn', 'cuongld@yenbai.gov.vn']);
  });

  it('refuses sending as the agency mailbox to a delegate who may only read it, and does not offer it', async () => {
    const web = await c.login('cuongld@yenbai.gov.vn');
    const page = await openCompose(web);
    expect(page.text).not.toContain('value="vanphong.snv@yenbai.gov.vn"');
    const res = await send(web, { from: 'vanphong.snv@yenbai.gov.vn', to: 'binhtt@yenbai.gov.vn', subject: 'Không có quyền gửi' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Bạn không được gửi thư với địa chỉ «vanphong.snv@yenbai.gov.vn».');
  });
});

describe('webmail compose: the message rate', () => {
  it('refuses with a sentence once smtp.maxMessagesPerIpPerMinute is reached, the form kept', async () => {
    const web = await c.login('annv@yenbai.gov.vn');
    await openCompose(web);
    let last;
    for (let i = 0; i < 14; i++) {
      last = await send(web, { to: 'cuongld@yenbai.gov.vn', subject: `Thư số ${i}` });
      if (last.status !== 303) break;
    }
    expect(last!.status).toBe(429);
    expect(last!.text).toContain('Bạn gửi quá nhiều thư trong một phút.');
    expect(fieldValue(last!.text, 'subject')).toMatch(/^Thư số \d+$/);
  });
});
