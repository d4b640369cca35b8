/**
 * LIST-EXTENDED (RFC 5258), SPECIAL-USE selection (RFC 6154 §3) and LIST-STATUS (RFC 5819),
 * over a raw socket and through imapflow (which uses RETURN (STATUS ...) once announced).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImapFlow } from 'imapflow';
import { imapClient, PASSWORD, rawLoggedIn, setupImap, type ImapTestSetup, type RawImap } from './helpers.js';

let t: ImapTestSetup;
let raw: RawImap;
let client: ImapFlow;

beforeAll(async () => {
  t = await setupImap();
  client = imapClient(t.server, { auth: { user: 'hadtt@yenbai.gov.vn', pass: PASSWORD } });
  await client.connect();
  // Công văn/Đến (subscribed), Công văn (not), Lưu trữ (\Noselect after its own delete), Cũ (subscribed, then deleted)
  await client.mailboxCreate('Công văn/Đến');
  await client.mailboxCreate('Lưu trữ/2024');
  await client.mailboxCreate('Cũ');
  await client.mailboxSubscribe('Công văn/Đến');
  await client.mailboxSubscribe('Cũ');
  await client.mailboxUnsubscribe('Công văn').catch(() => {});
  await client.mailboxDelete('Lưu trữ');
  await client.mailboxDelete('Cũ');
  await client.append('INBOX', 'Subject: mot\r\n\r\nthu mot\r\n');
  await client.append('INBOX', 'Subject: hai\r\n\r\nthu hai\r\n', ['\\Seen']);
  raw = await rawLoggedIn(t.server.ports.imap!, 'hadtt@yenbai.gov.vn');
});

afterAll(async () => {
  raw?.close();
  await client?.logout().catch(() => {});
  await t?.env.stop();
});

/** the untagged LIST lines, as sent (names in modified UTF-7) */
const lists = (lines: string[]) => lines.filter((l) => l.startsWith('* LIST '));
const ok = (lines: string[]) => expect(lines.at(-1)).toMatch(/^\S+ OK /);
// modified UTF-7 (RFC 3501 §5.1.3) of the Vietnamese names
const CONG_VAN = 'C&APQ-ng v&AQM-n';
const DEN = `${CONG_VAN}/&ARAevw-n`;
const LUU_TRU = 'L&AbA-u tr&Hu8-';
const CU = 'C&AWk-';

describe('LIST-EXTENDED (RFC 5258)', () => {
  it('CAPABILITY announces LIST-EXTENDED and LIST-STATUS', async () => {
    const caps = (await raw.command('c', 'CAPABILITY'))[0]?.split(' ') ?? [];
    expect(caps).toEqual(expect.arrayContaining(['LIST-EXTENDED', 'LIST-STATUS']));
  });

  it('LIST (SUBSCRIBED) lists subscribed names only, a deleted one as \\NonExistent (§3.1)', async () => {
    const lines = await raw.command('a', 'LIST (SUBSCRIBED) "" "*"');
    ok(lines);
    const l = lists(lines);
    expect(l).toContain(`* LIST (\\HasNoChildren \\Subscribed) "/" "${DEN}"`);
    expect(l).toContain(`* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" "${CU}"`);
    expect(l.some((x) => x.endsWith(`"${CONG_VAN}"`))).toBe(false);
    expect(l.every((x) => x.includes('\\Subscribed'))).toBe(true);
  });

  it('LIST (SUBSCRIBED RECURSIVEMATCH) lists an unsubscribed parent with CHILDINFO ("SUBSCRIBED") (§4)', async () => {
    const lines = await raw.command('a', 'LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"');
    ok(lines);
    expect(lists(lines)).toContain(`* LIST (\\HasChildren) "/" "${CONG_VAN}" ("CHILDINFO" ("SUBSCRIBED"))`);
  });

  it('RECURSIVEMATCH alone is BAD (§3)', async () => {
    expect((await raw.command('a', 'LIST (RECURSIVEMATCH) "" "*"')).at(-1)).toMatch(/^a BAD /);
    expect((await raw.command('b', 'LIST (COLOR) "" "*"')).at(-1)).toMatch(/^b BAD /);
  });

  it('several patterns in one LIST (§3), REMOTE changes nothing here', async () => {
    const lines = await raw.command('a', `LIST (REMOTE) "" ("INBOX" "S%" "${CONG_VAN}/*")`);
    ok(lines);
    expect(lists(lines).map((l) => l.split(' "/" ')[1])).toEqual(['"INBOX"', `"${DEN}"`, '"Sent"']);
  });

  it('LIST (SPECIAL-USE) RETURN (SPECIAL-USE) lists only special-use folders (RFC 6154 §3)', async () => {
    const lines = await raw.command('a', 'LIST (SPECIAL-USE) "" "*" RETURN (SPECIAL-USE)');
    ok(lines);
    expect(lists(lines).map((l) => l.split(' "/" ')[1]).sort()).toEqual(['"Archive"', '"Drafts"', '"Junk"', '"Sent"', '"Trash"']);
    expect(lists(lines)).toContain('* LIST (\\HasNoChildren \\Sent) "/" "Sent"');
  });

  it('RETURN (SUBSCRIBED CHILDREN) marks subscribed names and children; a deleted parent is \\Noselect', async () => {
    const l = lists(await raw.command('a', 'LIST "" "%" RETURN (SUBSCRIBED CHILDREN)'));
    expect(l).toContain('* LIST (\\HasNoChildren \\Subscribed) "/" "INBOX"');
    expect(l).toContain(`* LIST (\\HasChildren) "/" "${CONG_VAN}"`);
    expect(l).toContain(`* LIST (\\Noselect \\HasChildren) "/" "${LUU_TRU}"`);
  });
});

describe('LIST-STATUS (RFC 5819)', () => {
  it('RETURN (STATUS (...)) answers STATUS after each selectable name, none for \\Noselect', async () => {
    const lines = await raw.command('a', 'LIST "" "%" RETURN (STATUS (MESSAGES UNSEEN SIZE))');
    ok(lines);
    const i = lines.findIndex((l) => l.endsWith('"/" "INBOX"'));
    expect(lines[i + 1]).toMatch(/^\* STATUS "INBOX" \(MESSAGES 2 UNSEEN 1 SIZE \d+\)$/);
    expect(lines.filter((l) => l.startsWith('* STATUS ')).length).toBe(lists(lines).length - 1);
    expect(lines.some((l) => l.startsWith(`* STATUS "${LUU_TRU}"`))).toBe(false);
  });

  it('imapflow lists with statusQuery in one round trip', async () => {
    const boxes = await client.list({ statusQuery: { messages: true, unseen: true } });
    const inbox = boxes.find((b) => b.path === 'INBOX');
    expect(inbox?.status).toMatchObject({ messages: 2, unseen: 1 });
    expect(boxes.find((b) => b.specialUse === '\\Trash')?.status?.messages).toBe(0);
  });
});
