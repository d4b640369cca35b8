import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAccount, type Account } from '../../../src/identity/accounts.js';
import { removeDelegation, setDelegation } from '../../../src/identity/delegations.js';
import { hashPassword } from '../../../src/identity/passwords.js';
import { createDefaultMailboxes } from '../../../src/mail/mailboxes.js';
import { transaction } from '../../../src/store/db.js';
import { addTestAccount, addTestDomain, eventually, messagesIn } from '../../support/fixtures.js';
import { imapClient, PASSWORD, rawLoggedIn, sendViaMx, setupImap, type ImapTestSetup, type RawImap } from './helpers.js';

const OFFICE = 'vanphong@yenbai.gov.vn';
const SHARED_INBOX = `Shared/${OFFICE}/INBOX`;

let t: ImapTestSetup;
let office: Account;

const db = () => t.server.runtime.db;
const loggedIn = (user?: string): Promise<RawImap> => rawLoggedIn(t.server.ports.imap!, user);
const tagged = (lines: string[]) => lines.at(-1)!;
const auditCount = async (action: string, actor: string): Promise<number> =>
  (await db().query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE action = $1 AND actor = $2', [action, actor])).rows[0]!.n;

beforeAll(async () => {
  t = await setupImap();
  const passwordHash = await hashPassword(PASSWORD, t.server.runtime.config.argon2);
  office = await transaction(db(), async (client) => {
    const a = await addAccount(client, { address: OFFICE, displayName: 'Văn phòng UBND tỉnh', passwordHash, quotaBytes: 100 * 1024 * 1024, kind: 'agency' });
    await createDefaultMailboxes(client, a.id);
    return a;
  });
  await setDelegation(db(), office, t.an, { canRead: true, canSend: false }, 'cli:test');
  await sendViaMx(t.server, 'Công văn số 12 về lịch họp', 'Kính gửi Văn phòng.', OFFICE);
  await sendViaMx(t.server, 'Báo cáo tháng 11', undefined, OFFICE);
  await eventually(async () => ((await messagesIn(db(), office.id)).length === 2 ? true : undefined), 10_000, 'delivery to the agency mailbox');
});

afterAll(async () => {
  await t?.env.stop();
});

describe('shared namespace for delegated agency mailboxes (RFC 2342)', () => {
  it('CAPABILITY announces ACL and RIGHTS=texk; NAMESPACE gives "Shared/" as the other users\' namespace', async () => {
    const client = imapClient(t.server);
    await client.connect();
    expect(client.capabilities.has('ACL')).toBe(true);
    expect(client.capabilities.has('RIGHTS=TEXK')).toBe(true);
    expect(client.namespaces?.personal).toEqual([{ prefix: '', delimiter: '/' }]);
    expect(client.namespaces?.other).toEqual([{ prefix: 'Shared/', delimiter: '/' }]);
    await client.logout();
  });

  it('LIST shows the agency mailbox\'s folders under Shared/<address>/, with the levels above them \\Noselect', async () => {
    const client = imapClient(t.server);
    await client.connect();
    const paths = new Map((await client.list()).map((b) => [b.path, b]));
    expect(paths.has(SHARED_INBOX)).toBe(true);
    expect(paths.has(`Shared/${OFFICE}/Sent`)).toBe(true);
    expect(paths.get('Shared')?.flags.has('\\Noselect')).toBe(true);
    expect(paths.has('INBOX')).toBe(true);
    await client.logout();
    const c = await loggedIn();
    expect(await c.command('a1', 'LIST "" "Shared/%"')).toEqual([`* LIST (\\Noselect \\HasChildren) "/" "Shared/${OFFICE}"`, 'a1 OK LIST completed']);
    const status = await c.command('a2', `LIST "" "Shared/${OFFICE}/INBOX" RETURN (STATUS (MESSAGES UNSEEN))`);
    expect(status).toContain(`* STATUS "${SHARED_INBOX}" (MESSAGES 2 UNSEEN 2)`);
    expect(tagged(await c.command('a3', `STATUS "${SHARED_INBOX}" (MESSAGES)`))).toBe('a3 OK STATUS completed');
    // clients that show subscribed folders only (Thunderbird's default) subscribe to the shared ones
    expect(tagged(await c.command('a4', `SUBSCRIBE "${SHARED_INBOX}"`))).toBe('a4 OK SUBSCRIBE completed');
    expect(await c.command('a5', 'LSUB "" "Shared/*"')).toEqual([`* LSUB (\\HasNoChildren) "/" "${SHARED_INBOX}"`, 'a5 OK LSUB completed']);
    expect(await c.command('a6', 'LIST (SUBSCRIBED) "" "Shared/*"')).toEqual([`* LIST (\\HasNoChildren \\Subscribed) "/" "${SHARED_INBOX}"`, 'a6 OK LIST completed']);
    expect(tagged(await c.command('a7', `RENAME Archive "Shared/${OFFICE}/Archive2"`))).toMatch(/^a7 NO \[NOPERM\] You may not rename folders under "Shared\/"/);
    c.close();
  });

  it('SELECT of the delegated INBOX reads the agency\'s mail read-only and writes one audit event per SELECT', async () => {
    const before = await auditCount('delegation.read', t.an.address);
    const client = imapClient(t.server);
    await client.connect();
    const box = await client.mailboxOpen(SHARED_INBOX);
    expect(box.readOnly).toBe(true);
    expect(box.exists).toBe(2);
    const subjects: string[] = [];
    for await (const m of client.fetch('1:*', { envelope: true })) subjects.push(m.envelope!.subject!);
    expect(subjects).toEqual(['Công văn số 12 về lịch họp', 'Báo cáo tháng 11']);
    for await (const m of client.fetch('1', { source: true })) expect(m.source!.toString()).toContain('Văn phòng');
    expect(await client.search({ subject: 'báo cáo' }, { uid: false })).toEqual([2]);
    // reading with BODY[] did not mark the agency's mail seen: the folder is read-only for this delegate
    expect(await client.status(SHARED_INBOX, { unseen: true })).toMatchObject({ unseen: 2 });
    await client.logout();
    expect(await auditCount('delegation.read', t.an.address)).toBe(before + 1);
    const { rows } = await db().query<{ target: string; data: { folder: string; readOnly: boolean } }>(
      "SELECT target, data FROM audit_events WHERE action = 'delegation.read' AND actor = $1 ORDER BY id DESC LIMIT 1",
      [t.an.address],
    );
    expect(rows[0]).toEqual({ target: OFFICE, data: { protocol: 'imap', folder: 'INBOX', readOnly: true } });
  });

  it('a read-only delegate gets NO [NOPERM] for STORE, EXPUNGE, MOVE out, COPY into and APPEND; SEARCH, SORT and THREAD work', async () => {
    const c = await loggedIn();
    expect(tagged(await c.command('a1', `SELECT "${SHARED_INBOX}"`))).toMatch(/^a1 OK \[READ-ONLY\] SELECT completed; your access to this folder is read-only/);
    expect(tagged(await c.command('a2', 'STORE 1 +FLAGS (\\Seen)'))).toMatch(/^a2 NO \[NOPERM\] You may not mark messages seen or unseen in "Shared\/vanphong@yenbai\.gov\.vn\/INBOX"/);
    expect(tagged(await c.command('a3', 'UID STORE 1:* +FLAGS (\\Flagged)'))).toMatch(/^a3 NO \[NOPERM\]/);
    expect(tagged(await c.command('a4', 'EXPUNGE'))).toMatch(/^a4 NO \[NOPERM\]/);
    expect(tagged(await c.command('a5', 'MOVE 1 INBOX'))).toMatch(/^a5 NO \[NOPERM\]/);
    expect(await c.command('a6', 'UID SEARCH ALL')).toEqual(['* SEARCH 1 2', 'a6 OK UID SEARCH completed']);
    expect((await c.command('a7', 'SORT (SUBJECT) UTF-8 ALL'))[0]).toBe('* SORT 2 1');
    expect((await c.command('a8', 'THREAD REFERENCES UTF-8 ALL'))[0]).toBe('* THREAD (1)(2)');
    // copying the agency's mail into one's own folder is reading it
    expect(tagged(await c.command('a9', 'COPY 1 Archive'))).toMatch(/^a9 OK \[COPYUID /);
    expect(tagged(await c.command('b1', 'SELECT Archive'))).toMatch(/^b1 OK \[READ-WRITE\]/);
    expect(tagged(await c.command('b2', `COPY 1 "${SHARED_INBOX}"`))).toMatch(/^b2 NO \[NOPERM\] You may not add messages/);
    expect(tagged(await c.command('b3', `APPEND "${SHARED_INBOX}" {12+}\r\nSubject: x\r\n`))).toMatch(/^b3 NO \[NOPERM\]/);
    expect(await c.command('b4', `MYRIGHTS "${SHARED_INBOX}"`)).toEqual([`* MYRIGHTS "${SHARED_INBOX}" lr`, 'b4 OK MYRIGHTS completed']);
    expect(tagged(await c.command('b5', `GETACL "${SHARED_INBOX}"`))).toMatch(/^b5 NO \[NOPERM\]/);
    expect(tagged(await c.command('b6', `SETACL "${SHARED_INBOX}" hadtt@yenbai.gov.vn lr`))).toMatch(/^b6 NO \[NOPERM\]/);
    expect(tagged(await c.command('b7', `CREATE "Shared/${OFFICE}/INBOX/Moi"`))).toMatch(/^b7 NO \[NOPERM\] You may not create folders under "Shared\/"/);
    expect(tagged(await c.command('b8', `DELETE "${SHARED_INBOX}"`))).toMatch(/^b8 NO \[NOPERM\]/);
    // the agency's quota is not the delegate's to see (RFC 9208 §4.1.2 allows no quota root)
    expect(await c.command('b9', `GETQUOTAROOT "${SHARED_INBOX}"`)).toEqual([`* QUOTAROOT "${SHARED_INBOX}"`, 'b9 OK GETQUOTAROOT completed']);
    expect((await messagesIn(db(), office.id)).length).toBe(2);
    c.close();
  });

  it('a delegate who also sends as the mailbox selects it read-write; lowering the delegation takes effect at the next command', async () => {
    await setDelegation(db(), office, t.an, { canRead: true, canSend: true }, 'cli:test');
    const c = await loggedIn();
    expect(tagged(await c.command('a1', `SELECT "${SHARED_INBOX}"`))).toMatch(/^a1 OK \[READ-WRITE\]/);
    expect(tagged(await c.command('a2', 'STORE 1 +FLAGS.SILENT (\\Flagged)'))).toBe('a2 OK STORE completed');
    expect(await c.command('a3', `MYRIGHTS "${SHARED_INBOX}"`)).toEqual([`* MYRIGHTS "${SHARED_INBOX}" lrswited`, 'a3 OK MYRIGHTS completed']);
    await setDelegation(db(), office, t.an, { canRead: true, canSend: false }, 'cli:test');
    expect(tagged(await c.command('a4', 'STORE 1 -FLAGS.SILENT (\\Flagged)'))).toMatch(/^a4 NO \[NOPERM\]/);
    c.close();
    const flagged = (await messagesIn(db(), office.id)).filter((m) => m.flags.includes('\\Flagged'));
    expect(flagged).toHaveLength(1);
  });

  it('IDLE in the delegated INBOX announces mail delivered to the agency address', async () => {
    const client = imapClient(t.server);
    await client.connect();
    await client.mailboxOpen(SHARED_INBOX);
    const counts: number[] = [];
    client.on('exists', (e: { count: number }) => counts.push(e.count));
    const idling = client.idle();
    await sendViaMx(t.server, 'Giấy mời họp', undefined, OFFICE);
    await eventually(async () => (counts.includes(3) ? true : undefined), 10_000, 'EXISTS 3 during IDLE');
    await client.logout();
    await idling.catch(() => undefined);
  });

  it('withdrawing the delegation: a session with it selected gets BYE, the next SELECT answers NO [NONEXISTENT] and LIST no longer shows it', async () => {
    const open = await loggedIn();
    expect(tagged(await open.command('a1', `EXAMINE "${SHARED_INBOX}"`))).toMatch(/^a1 OK \[READ-ONLY\]/);
    await removeDelegation(db(), office, t.an);
    open.write('a2 NOOP\r\n');
    expect(await open.line()).toBe(`* BYE Your access to "${SHARED_INBOX}" was withdrawn`);
    await expect(open.line()).rejects.toThrow('connection closed');
    const c = await loggedIn();
    expect(tagged(await c.command('b1', `SELECT "${SHARED_INBOX}"`))).toMatch(/^b1 NO \[NONEXISTENT\]/);
    expect(await c.command('b2', 'LIST "" "Shared/*"')).toEqual(['b2 OK LIST completed']);
    c.close();
    await setDelegation(db(), office, t.an, { canRead: true, canSend: false }, 'cli:test');
  });
});

describe('ACL (RFC 4314)', () => {
  it('MYRIGHTS, GETACL and LISTRIGHTS on an own folder: the owner holds every right', async () => {
    const c = await loggedIn();
    expect((await c.command('a0', 'CAPABILITY'))[0]).toMatch(/^\* CAPABILITY .* ACL RIGHTS=texk /);
    expect(await c.command('a1', 'MYRIGHTS INBOX')).toEqual(['* MYRIGHTS "INBOX" lrswipkxteacd', 'a1 OK MYRIGHTS completed']);
    expect(await c.command('a2', 'GETACL INBOX')).toEqual(['* ACL "INBOX" "annv@yenbai.gov.vn" lrswipkxteacd', 'a2 OK GETACL completed']);
    expect(await c.command('a3', 'LISTRIGHTS INBOX hadtt@yenbai.gov.vn')).toEqual(['* LISTRIGHTS "INBOX" "hadtt@yenbai.gov.vn" "" l r s w i t e d', 'a3 OK LISTRIGHTS completed']);
    expect(await c.command('a4', 'LISTRIGHTS INBOX annv@yenbai.gov.vn')).toEqual(['* LISTRIGHTS "INBOX" "annv@yenbai.gov.vn" lrswipkxteacd', 'a4 OK LISTRIGHTS completed']);
    c.close();
  });

  it('SETACL shares a folder with a colleague, who finds it under Shared/ with those rights; DELETEACL withdraws it; both are audited', async () => {
    const an = await loggedIn();
    expect(tagged(await an.command('a1', 'CREATE "Du an"'))).toBe('a1 OK CREATE completed');
    expect(tagged(await an.command('a2', 'SETACL "Du an" hadtt@yenbai.gov.vn lr'))).toBe('a2 OK SETACL completed');
    expect(await an.command('a3', 'GETACL "Du an"')).toEqual(['* ACL "Du an" "annv@yenbai.gov.vn" lrswipkxteacd "hadtt@yenbai.gov.vn" lr', 'a3 OK GETACL completed']);

    const ha = imapClient(t.server, { auth: { user: 'hadtt@yenbai.gov.vn', pass: PASSWORD } });
    await ha.connect();
    const shared = 'Shared/annv@yenbai.gov.vn/Du an';
    expect((await ha.list()).map((b) => b.path)).toContain(shared);
    expect((await ha.mailboxOpen(shared)).readOnly).toBe(true);
    await ha.mailboxClose();
    await expect(ha.append(shared, 'Subject: ghi chú\r\n\r\nNội dung\r\n')).rejects.toThrow();

    expect(tagged(await an.command('a4', 'SETACL "Du an" hadtt@yenbai.gov.vn +ise'))).toBe('a4 OK SETACL completed');
    expect(await an.command('a5', 'GETACL "Du an"')).toContain('* ACL "Du an" "annv@yenbai.gov.vn" lrswipkxteacd "hadtt@yenbai.gov.vn" lrsied');
    const appended = await ha.append(shared, 'Subject: ghi chu\r\n\r\nNoi dung\r\n', ['\\Seen', '\\Flagged']);
    expect(appended && appended.uid).toBe(1);
    // RFC 4314 §4: without "w" the \Flagged asked for is dropped, the message still added
    expect((await messagesIn(db(), t.an.id, 'Du an')).map((m) => m.flags)).toEqual([['\\Seen']]);
    const box = await ha.mailboxOpen(shared);
    expect(box.readOnly).toBe(false);
    expect(tagged(await an.command('a6', 'SETACL "Du an" hadtt@yenbai.gov.vn -e'))).toBe('a6 OK SETACL completed');
    // the right to expunge went away while the folder was open
    await expect(ha.messageDelete('1')).resolves.toBe(false);
    await ha.logout();

    const h = await loggedIn('hadtt@yenbai.gov.vn');
    expect(await h.command('h1', `MYRIGHTS "${shared}"`)).toEqual([`* MYRIGHTS "${shared}" lrsi`, 'h1 OK MYRIGHTS completed']);
    expect(tagged(await an.command('a7', 'DELETEACL "Du an" hadtt@yenbai.gov.vn'))).toBe('a7 OK DELETEACL completed');
    expect(await an.command('a8', 'GETACL "Du an"')).toEqual(['* ACL "Du an" "annv@yenbai.gov.vn" lrswipkxteacd', 'a8 OK GETACL completed']);
    expect(tagged(await h.command('h2', `SELECT "${shared}"`))).toMatch(/^h2 NO \[NONEXISTENT\]/);
    expect(await h.command('h3', 'LIST "" "Shared/*"')).toEqual(['h3 OK LIST completed']);
    h.close();
    an.close();

    const { rows } = await db().query<{ action: string; data: Record<string, unknown> }>(
      "SELECT action, data FROM audit_events WHERE action LIKE 'mailbox.acl.%' AND actor = 'annv@yenbai.gov.vn' ORDER BY id",
    );
    expect(rows.map((r) => [r.action, r.data.before, r.data.after])).toEqual([
      ['mailbox.acl.set', '', 'lr'],
      ['mailbox.acl.set', 'lr', 'lrsie'],
      ['mailbox.acl.set', 'lrsie', 'lrsi'],
      ['mailbox.acl.delete', 'lrsi', ''],
    ]);
    expect(rows[0]!.data).toMatchObject({ folder: 'Du an', grantee: 'hadtt@yenbai.gov.vn' });
  });

  it('SETACL errors: an unknown right is BAD; rights a colleague cannot hold, "anyone", the owner, another domain NO; an unknown account NO', async () => {
    await addTestDomain(db(), 'laocai.gov.vn');
    await addTestAccount(db(), t.server.runtime.config, 'binhlt@laocai.gov.vn', { password: PASSWORD });
    const c = await loggedIn();
    // RFC 4314 §3.1: an unrecognized right MUST cause BAD
    expect(tagged(await c.command('a1', 'SETACL INBOX hadtt@yenbai.gov.vn lrz'))).toMatch(/^a1 BAD "z" is not a right this server knows/);
    expect(tagged(await c.command('a2', 'SETACL INBOX hadtt@yenbai.gov.vn LR'))).toMatch(/^a2 BAD /);
    expect(tagged(await c.command('a3', 'SETACL INBOX hadtt@yenbai.gov.vn lra'))).toMatch(/^a3 NO \[CANNOT\] A colleague can be given only "lrswite"/);
    // "c" stands for k and x (RFC 4314 §2.1.1), which stay the owner's
    expect(tagged(await c.command('a4', 'SETACL INBOX hadtt@yenbai.gov.vn +c'))).toMatch(/^a4 NO \[CANNOT\]/);
    expect(tagged(await c.command('a5', 'SETACL INBOX khongco@yenbai.gov.vn lr'))).toBe('a5 NO There is no account "khongco@yenbai.gov.vn"; name a colleague by the address they log in with');
    expect(tagged(await c.command('a6', 'SETACL INBOX anyone lr'))).toMatch(/^a6 NO \[CANNOT\] Folders are shared with named colleagues only/);
    expect(tagged(await c.command('a7', 'SETACL INBOX annv@yenbai.gov.vn lr'))).toMatch(/^a7 NO \[CANNOT\] annv@yenbai\.gov\.vn owns this folder/);
    expect(tagged(await c.command('a8', 'SETACL INBOX binhlt@laocai.gov.vn lr'))).toMatch(/^a8 NO \[CANNOT\] Folders can be shared only with colleagues of yenbai\.gov\.vn/);
    expect(tagged(await c.command('a9', 'SETACL INBOX "" lr'))).toMatch(/^a9 BAD An ACL identifier cannot be empty/);
    expect(tagged(await c.command('b1', 'GETACL "Khong co"'))).toMatch(/^b1 NO \[NONEXISTENT\]/);
    expect(tagged(await c.command('b2', `SETACL INBOX ${OFFICE} lr`))).toMatch(/^b2 NO \[CANNOT\] vanphong@yenbai\.gov\.vn is not a person's account/);
    expect(tagged(await c.command('b3', 'DELETEACL INBOX khongco@yenbai.gov.vn'))).toMatch(/^b3 NO There is no account/);
    expect(await c.command('b4', 'GETACL INBOX')).toEqual(['* ACL "INBOX" "annv@yenbai.gov.vn" lrswipkxteacd', 'b4 OK GETACL completed']);
    c.close();
  });

  it('an agency mailbox\'s GETACL lists its delegates as derived entries; SETACL and DELETEACL on them answer NO [NOPERM] (HR manages delegations)', async () => {
    const c = await loggedIn(OFFICE);
    expect(await c.command('a1', 'GETACL INBOX')).toEqual([`* ACL "INBOX" "${OFFICE}" lrswipkxteacd "annv@yenbai.gov.vn" lr`, 'a1 OK GETACL completed']);
    expect(await c.command('a2', 'LISTRIGHTS INBOX annv@yenbai.gov.vn')).toEqual(['* LISTRIGHTS "INBOX" "annv@yenbai.gov.vn" lr', 'a2 OK LISTRIGHTS completed']);
    expect(tagged(await c.command('a3', 'SETACL INBOX annv@yenbai.gov.vn lrs'))).toMatch(/^a3 NO \[NOPERM\] annv@yenbai\.gov\.vn reads vanphong@yenbai\.gov\.vn by a delegation, which HR manages/);
    expect(tagged(await c.command('a4', 'DELETEACL INBOX annv@yenbai.gov.vn'))).toMatch(/^a4 NO \[NOPERM\]/);
    c.close();
  });
});

// what a person would script with Python's standard library (imaplib sends LOGIN in ASCII only)
const ASCII_PASSWORD = 'Mat-khau-thu-2026';
const IMAPLIB = `
import imaplib, json, sys
port, user, password, shared = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
out = {}
m = imaplib.IMAP4('127.0.0.1', port)
m.login(user, password)
out['caps'] = sorted(c for c in m.capabilities if c in ('ACL', 'RIGHTS=TEXK'))
out['namespace'] = m.namespace()[1][0].decode()
out['list'] = [d.decode() for d in m.list('Shared/', '*')[1]]
try:
    m.select(shared)
    out['select'] = 'writable'
except imaplib.IMAP4.readonly as e:
    out['select'] = 'readonly'
typ, data = m.select(shared, readonly=True)
out['examine'] = [typ, int(data[0])]
typ, data = m.fetch('1', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
out['subject'] = data[0][1].decode()
typ, data = m.store('1', '+FLAGS', '(\\\\Seen)')
out['store'] = [typ, data[0].decode()]
out['myrights'] = m.myrights(shared)[1][0].decode()
m.close()
m.create('HoSo')
out['setacl'] = m.setacl('HoSo', 'hadtt@yenbai.gov.vn', 'lrs')[0]
out['getacl'] = m.getacl('HoSo')[1][0].decode()
out['deleteacl'] = m.deleteacl('HoSo', 'hadtt@yenbai.gov.vn')[0]
out['after'] = m.getacl('HoSo')[1][0].decode()
try:
    m.setacl('HoSo', 'hadtt@yenbai.gov.vn', 'lrq')
    out['bad'] = 'accepted'
except imaplib.IMAP4.error as e:
    out['bad'] = str(e)
m.logout()
print(json.dumps(out))
`;

describe('Python imaplib', () => {
  it('sees the delegated mailbox in NAMESPACE and LIST, opens it read-only, and drives GETACL, MYRIGHTS, SETACL and DELETEACL', async () => {
    const binh = await addTestAccount(db(), t.server.runtime.config, 'binhlt@yenbai.gov.vn', { password: ASCII_PASSWORD });
    await setDelegation(db(), office, binh, { canRead: true, canSend: false }, 'cli:test');
    const before = await auditCount('delegation.read', binh.address);
    const { stdout } = await promisify(execFile)('python3', ['-c', IMAPLIB, String(t.server.ports.imap), binh.address, ASCII_PASSWORD, SHARED_INBOX], { timeout: 20_000 });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out.caps).toEqual(['ACL', 'RIGHTS=TEXK']);
    expect(out.namespace).toBe('(("" "/")) (("Shared/" "/")) NIL');
    expect(out.list).toEqual([
      `(\\Noselect \\HasChildren) "/" "Shared/${OFFICE}"`,
      ...['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash'].map((f) => `(\\HasNoChildren) "/" "Shared/${OFFICE}/${f}"`),
    ]);
    // imaplib refuses a SELECT the server answers [READ-ONLY] unless read-only was asked for
    expect(out.select).toBe('readonly');
    expect(out.examine).toEqual(['OK', (await messagesIn(db(), office.id)).length]);
    expect(out.subject).toContain('Subject: Công văn số 12 về lịch họp');
    expect(out.store).toEqual(['NO', `[NOPERM] You may not mark messages seen or unseen in "${SHARED_INBOX}": your access to it does not include that`]);
    expect(out.myrights).toBe(`"${SHARED_INBOX}" lr`);
    expect(out.setacl).toBe('OK');
    expect(out.getacl).toBe('"HoSo" "binhlt@yenbai.gov.vn" lrswipkxteacd "hadtt@yenbai.gov.vn" lrs');
    expect(out.deleteacl).toBe('OK');
    expect(out.after).toBe('"HoSo" "binhlt@yenbai.gov.vn" lrswipkxteacd');
    expect(out.bad).toMatch(/BAD.*"q" is not a right this server knows/);
    // two openings (the refused SELECT still opened the folder, then EXAMINE): two audit events
    expect(await auditCount('delegation.read', binh.address)).toBe(before + 2);
  });
});
