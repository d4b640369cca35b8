import type { StatusObject } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imapClient, PASSWORD, RawImap, setupImap, type ImapTestSetup, rawLoggedIn } from './helpers.js';

let t: ImapTestSetup;

beforeAll(async () => {
  t = await setupImap();
});

afterAll(async () => {
  await t?.env.stop();
});

const loggedIn = (): Promise<RawImap> => rawLoggedIn(t.server.ports.imap!);

describe('folders (RFC 9051 §6.3)', () => {
  it('LIST shows the default folders with SPECIAL-USE attributes (RFC 6154 §2) and children', async () => {
    const client = imapClient(t.server);
    await client.connect();
    const boxes = await client.list();
    const byPath = new Map(boxes.map((b) => [b.path, b]));
    expect(byPath.has('INBOX')).toBe(true);
    const sent = boxes.find((b) => b.specialUse === '\\Sent');
    expect(sent, 'a \\Sent folder').toBeDefined();
    expect(boxes.find((b) => b.specialUse === '\\Trash')).toBeDefined();
    expect(boxes.every((b) => b.delimiter === '/')).toBe(true);
    await client.logout();
  });

  it('LIST "" "" answers the hierarchy delimiter', async () => {
    const c = await loggedIn();
    expect(await c.command('a1', 'LIST "" ""')).toEqual(['* LIST (\\Noselect) "/" ""', 'a1 OK LIST completed']);
    c.close();
  });

  it('CREATE, RENAME, SUBSCRIBE, LSUB, STATUS and DELETE work through imapflow', async () => {
    const client = imapClient(t.server);
    await client.connect();
    await client.mailboxCreate('Công văn/Đến');
    let boxes = await client.list();
    const parent = boxes.find((b) => b.path === 'Công văn');
    expect(parent?.flags.has('\\HasChildren')).toBe(true);
    expect(boxes.find((b) => b.path === 'Công văn/Đến')?.flags.has('\\HasNoChildren')).toBe(true);
    await client.mailboxRename('Công văn/Đến', 'Công văn/Đã nhận');
    boxes = await client.list();
    expect(boxes.map((b) => b.path)).toContain('Công văn/Đã nhận');
    expect(boxes.map((b) => b.path)).not.toContain('Công văn/Đến');
    await client.mailboxSubscribe('Công văn/Đã nhận');
    const subscribed = await client.listTree();
    expect(JSON.stringify(subscribed)).toContain('Đã nhận');
    const status = (await client.status('INBOX', { messages: true, uidNext: true, uidValidity: true, unseen: true })) as StatusObject;
    expect(status.messages).toBe(0);
    expect(status.uidNext).toBeGreaterThan(0);
    await client.mailboxDelete('Công văn/Đã nhận');
    boxes = await client.list();
    expect(boxes.map((b) => b.path)).not.toContain('Công văn/Đã nhận');
    await client.logout();
  });

  it('CREATE INBOX answers NO [ALREADYEXISTS]; SELECT of a missing folder NO [NONEXISTENT]', async () => {
    const c = await loggedIn();
    expect((await c.command('a1', 'CREATE INBOX')).at(-1)).toMatch(/^a1 NO \[ALREADYEXISTS\]/);
    expect((await c.command('a2', 'SELECT "Khong co"')).at(-1)).toMatch(/^a2 NO \[NONEXISTENT\]/);
    expect((await c.command('a3', 'DELETE INBOX')).at(-1)).toMatch(/^a3 NO \[CANNOT\]/);
    c.close();
  });

  it('NAMESPACE answers the personal namespace and "Shared/" for other users (RFC 2342 §5)', async () => {
    const c = await loggedIn();
    expect(await c.command('a1', 'NAMESPACE')).toEqual(['* NAMESPACE (("" "/")) (("Shared/" "/")) NIL', 'a1 OK NAMESPACE completed']);
    c.close();
  });

  it('SELECT answers FLAGS, EXISTS, UIDVALIDITY, UIDNEXT, PERMANENTFLAGS and [READ-WRITE]; EXAMINE [READ-ONLY]; UNSELECT and CLOSE', async () => {
    const c = await loggedIn();
    const r = await c.command('a1', 'SELECT INBOX');
    expect(r).toContain('* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)');
    expect(r).toContain('* 0 EXISTS');
    expect(r.some((l) => /^\* OK \[UIDVALIDITY \d+\]/.test(l))).toBe(true);
    expect(r.some((l) => /^\* OK \[UIDNEXT \d+\]/.test(l))).toBe(true);
    expect(r.some((l) => l.startsWith('* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)]'))).toBe(true);
    expect(r.at(-1)).toBe('a1 OK [READ-WRITE] SELECT completed');
    expect((await c.command('a2', 'UNSELECT')).at(-1)).toBe('a2 OK UNSELECT completed');
    expect((await c.command('a3', 'EXAMINE INBOX')).at(-1)).toBe('a3 OK [READ-ONLY] EXAMINE completed');
    expect((await c.command('a4', 'CLOSE')).at(-1)).toBe('a4 OK CLOSE completed');
    expect((await c.command('a5', 'CLOSE')).at(-1)).toMatch(/^a5 BAD /);
    c.close();
  });
});
