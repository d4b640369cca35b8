import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTestAccount, eventually, messagesIn } from '../../support/fixtures.js';
import { sendViaMx, setupImap, type ImapTestSetup } from './helpers.js';
import type { Account } from '../../../src/identity/accounts.js';

// imaplib sends LOGIN arguments as ASCII only
const ASCII_PASSWORD = 'Mat-khau-thu-2026';

const run = promisify(execFile);
let t: ImapTestSetup;
let lan: Account;

beforeAll(async () => {
  t = await setupImap();
  lan = await addTestAccount(t.server.runtime.db, t.server.runtime.config, 'lanpt@yenbai.gov.vn', { password: ASCII_PASSWORD });
  await sendViaMx(t.server, 'Kế hoạch năm 2027', 'Gửi đồng chí Nguyễn Văn An.', 'lanpt@yenbai.gov.vn');
  await sendViaMx(t.server, 'Thư thứ hai', undefined, 'lanpt@yenbai.gov.vn');
  await eventually(async () => ((await messagesIn(t.server.runtime.db, lan.id)).length === 2 ? true : undefined), 10_000, 'delivery');
});

afterAll(async () => {
  await t?.env.stop();
});

// what a person would script with Python's standard library
const SCRIPT = `
import imaplib, json, sys
port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
out = {}
m = imaplib.IMAP4('127.0.0.1', port)
out['login'] = m.login(user, password)[0]
typ, data = m.select('INBOX')
out['exists'] = int(data[0])
typ, data = m.search(None, 'SUBJECT', '"ke hoach"')
out['search'] = data[0].decode()
typ, data = m.fetch('1', '(RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
out['fetch'] = data[0][0].decode()
out['header'] = data[0][1].decode()
typ, data = m.store('2', '+FLAGS', '(\\\\Deleted)')
out['store'] = data[0].decode()
typ, data = m.expunge()
out['expunge'] = [d.decode() for d in data]
typ, data = m.uid('SEARCH', None, 'ALL')
out['uids'] = data[0].decode()
m.close()
out['logout'] = m.logout()[0]
print(json.dumps(out))
`;

describe('Python imaplib', () => {
  it('logs in, selects, searches, fetches, stores, expunges and logs out', async () => {
    const { stdout } = await run('python3', ['-c', SCRIPT, String(t.server.ports.imap), 'lanpt@yenbai.gov.vn', ASCII_PASSWORD], { timeout: 20_000 });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out.login).toBe('OK');
    expect(out.exists).toBe(2);
    expect(out.search).toBe('1');
    expect(out.fetch).toMatch(/^1 \(RFC822\.SIZE \d+ BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{\d+\}$/);
    expect(out.header).toContain('Subject:');
    expect(out.store).toBe('2 (FLAGS (\\Deleted))');
    expect(out.expunge).toEqual(['2']);
    expect(String(out.uids).split(' ')).toHaveLength(1);
    expect(out.logout).toBe('BYE');
  });
});
