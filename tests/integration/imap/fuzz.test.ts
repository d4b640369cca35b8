import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, RawImap, setupImap, type ImapTestSetup } from './helpers.js';
import { seededRandom } from '../../support/seeded-random.js';

let t: ImapTestSetup;

beforeAll(async () => {
  // mutated LOGINs are failed logins: keep the lockout (tested in identity/lockout) out of the way
  t = await setupImap({ 'lockout.maxFailuresPerIp': 1_000_000, 'lockout.maxFailuresPerAccount': 1_000_000 });
});

afterAll(async () => {
  await t?.env.stop();
});

const VALID = [
  'a CAPABILITY',
  `a LOGIN annv@yenbai.gov.vn "${PASSWORD}"`,
  'a SELECT INBOX',
  'a FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])',
  'a UID SEARCH OR SUBJECT "x" BODY {3+}\r\nabc',
  'a STORE 1 +FLAGS (\\Seen)',
  'a LIST "" "*"',
  'a STATUS INBOX (MESSAGES UIDNEXT)',
  'a APPEND INBOX {5}\r\nhello',
  'a IDLE\r\nDONE',
  'a UID EXPUNGE 1:*',
  'a AUTHENTICATE PLAIN',
  'a ENABLE X',
];

const rng = seededRandom;

function mutate(line: string, r: () => number): string {
  const chars = [...line];
  const ops = 1 + Math.floor(r() * 4);
  for (let i = 0; i < ops; i++) {
    const at = Math.floor(r() * (chars.length + 1));
    const choice = r();
    const junk = ['(', ')', '{', '}', '"', '\\', '*', '[', ']', '<', '>', '~{2}', '{99999999999}', '\0', ' ', '%', '\u1ec5', '{4+}'][Math.floor(r() * 18)] as string;
    if (choice < 0.4) chars.splice(at, 1);
    else if (choice < 0.8) chars.splice(at, 0, junk);
    else chars.splice(at, 0, randomBytes(3).toString('latin1'));
  }
  return chars.join('');
}

describe('malformed input', () => {
  it('survives ~2 s of random and mutated lines, and a fresh connection still works', async () => {
    const r = rng(20261125);
    const until = Date.now() + 2000;
    let connections = 0;
    while (Date.now() < until) {
      connections++;
      const socket = net.connect(t.server.ports.imap!, '127.0.0.1');
      socket.on('error', () => {});
      socket.on('data', () => {});
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      for (let i = 0; i < 40 && Date.now() < until; i++) {
        const base = VALID[Math.floor(r() * VALID.length)] as string;
        const line = r() < 0.2 ? randomBytes(Math.floor(r() * 200)).toString('latin1') : mutate(base, r);
        socket.write(Buffer.from(`${line}\r\n`, 'latin1'));
      }
      await new Promise((res) => setTimeout(res, 20));
      socket.destroy();
    }
    expect(connections).toBeGreaterThan(0);
    const c = await RawImap.connect(t.server.ports.imap!);
    expect(await c.line()).toMatch(/^\* OK \[CAPABILITY/);
    expect((await c.command('z1', `LOGIN annv@yenbai.gov.vn "${PASSWORD}"`)).at(-1)).toMatch(/^z1 OK/);
    expect((await c.command('z2', 'SELECT INBOX')).at(-1)).toMatch(/^z2 OK/);
    c.close();
  });

  it('answers a line it cannot read with BAD and keeps the connection', async () => {
    const c = await RawImap.connect(t.server.ports.imap!);
    await c.line();
    c.write('(((\r\n');
    expect(await c.line()).toMatch(/^\* BAD /);
    expect((await c.command('a1', 'FETCH')).at(-1)).toMatch(/^a1 BAD /);
    expect((await c.command('a2', 'BOGUS')).at(-1)).toMatch(/^a2 BAD /);
    expect((await c.command('a3', 'NOOP')).at(-1)).toBe('a3 OK NOOP completed');
    c.close();
  });
});
