/**
 * A real client's two-way sync: mbsync (isync) mirrors a large INBOX into a local Maildir
 * over loopback plaintext (LOGIN is allowed on loopback), then a change on each side — a
 * flag set in the Maildir, a message expunged and one appended on the server — must reach
 * the other side on the next run, and a third run must find nothing to do.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import { ImapWire } from '../../support/imap-wire.js';
import { imapClient } from './helpers.js';
import type { RunningServer } from '../../../src/cli/server.js';

const run = promisify(execFile);
const USER = 'dongbo@yenbai.gov.vn';
const PASS = 'mbsync-pass-2026';
/** messages in the INBOX before the first sync */
const COUNT = 1000;

let env: TestEnv;
let server: RunningServer;
let maildir: string;
let configFile: string;

/** message number n: every 3rd is \Seen, every 7th \Flagged */
function flagsFor(n: number): string[] {
  return [...(n % 3 === 0 ? ['\\Seen'] : []), ...(n % 7 === 0 ? ['\\Flagged'] : [])];
}

function message(n: number | string): Buffer {
  return Buffer.from(
    [
      'From: =?UTF-8?Q?Nguy=E1=BB=85n_V=C4=83n_An?= <annv@yenbai.gov.vn>',
      `To: ${USER}`,
      `Subject: Dong bo ${n}`,
      'Date: Mon, 04 Mar 2024 08:14:55 +0700',
      `Message-ID: <dongbo.${n}@yenbai.gov.vn>`,
      `X-Seq: ${n}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      `Thư số ${n} để thử đồng bộ hai chiều.`,
      '',
    ].join('\r\n'),
  );
}

interface LocalMessage {
  seq: string;
  file: string;
  flags: string;
}

/** every message file of the Maildir INBOX, by its X-Seq header, with its Maildir flags */
function localMessages(): Map<string, LocalMessage> {
  const out = new Map<string, LocalMessage>();
  for (const sub of ['cur', 'new']) {
    const d = path.join(maildir, 'INBOX', sub);
    for (const f of readdirSync(d)) {
      const file = path.join(d, f);
      const seq = /^X-Seq: (\S+)\r?$/m.exec(readFileSync(file, 'utf8'))?.[1];
      if (!seq) throw new Error(`no X-Seq in ${file}`);
      if (out.has(seq)) throw new Error(`message ${seq} twice in the Maildir`);
      out.set(seq, { seq, file, flags: /:2,([A-Za-z]*)$/.exec(f)?.[1] ?? '' });
    }
  }
  return out;
}

/** every server message by X-Seq, with its flags as Maildir letters (S, F) */
async function serverMessages(): Promise<Map<string, string>> {
  const client = imapClient(server, { auth: { user: USER, pass: PASS } });
  await client.connect();
  await client.mailboxOpen('INBOX', { readOnly: true });
  const out = new Map<string, string>();
  for await (const m of client.fetch('1:*', { flags: true, headers: ['x-seq'] })) {
    const seq = /X-Seq: (\S+)/i.exec(m.headers?.toString('utf8') ?? '')?.[1];
    if (!seq) throw new Error(`no X-Seq in UID ${m.uid}`);
    out.set(seq, maildirFlags(m.flags ?? new Set()));
  }
  await client.logout();
  return out;
}

function maildirFlags(flags: Set<string>): string {
  return [...(flags.has('\\Flagged') ? ['F'] : []), ...(flags.has('\\Seen') ? ['S'] : [])].join('');
}

async function mbsync(): Promise<{ ms: number; output: string }> {
  const t0 = Date.now();
  const { stdout, stderr } = await run('mbsync', ['-c', configFile, '-a'], { timeout: 60_000 });
  return { ms: Date.now() - t0, output: stdout + stderr };
}

const timings: Record<string, number> = {};

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({}, ['imap']);
  const db = server.runtime.db;
  await addTestDomain(db, 'yenbai.gov.vn');
  await addTestAccount(db, server.runtime.config, USER, { password: PASS });

  // COUNT APPENDs pipelined with non-synchronizing literals (LITERAL+)
  const t0 = Date.now();
  const wire = await ImapWire.connect(server.ports.imap!);
  const greeting = (await wire.response()).toString('latin1');
  expect(greeting).toMatch(/^\* OK/);
  expect((await wire.command('l', `LOGIN ${USER} ${PASS}`)).tagged).toMatch(/^l OK/);
  const chunks: Buffer[] = [];
  for (let n = 1; n <= COUNT; n++) {
    const body = message(n);
    chunks.push(Buffer.from(`a${n} APPEND INBOX (${flagsFor(n).join(' ')}) {${body.length}+}\r\n`), body, Buffer.from('\r\n'));
  }
  wire.socket.write(Buffer.concat(chunks));
  let done = 0;
  while (done < COUNT) {
    const r = (await wire.response(20_000)).toString('latin1');
    if (/^a\d+ /.test(r)) {
      expect(r).toMatch(/^a\d+ OK/);
      done++;
    }
  }
  await wire.command('o', 'LOGOUT');
  wire.close();
  timings.append = Date.now() - t0;

  maildir = path.join(env.dir, 'maildir');
  mkdirSync(maildir);
  configFile = path.join(env.dir, 'mbsyncrc');
  writeFileSync(
    configFile,
    [
      'IMAPAccount hopthu',
      'Host 127.0.0.1',
      `Port ${server.ports.imap}`,
      `User ${USER}`,
      `Pass ${PASS}`,
      'SSLType None',
      'AuthMechs LOGIN',
      '',
      'IMAPStore hopthu-remote',
      'Account hopthu',
      '',
      'MaildirStore local',
      `Path ${maildir}/`,
      `Inbox ${maildir}/INBOX`,
      '',
      'Channel inbox',
      'Far :hopthu-remote:',
      'Near :local:',
      'Patterns INBOX',
      'Create Near',
      'Expunge Both',
      'Sync All',
      'SyncState *',
      '',
    ].join('\n'),
  );
}, 60_000);

afterAll(async () => {
  if (process.env.HOPTHU_TEST_TIMINGS) console.log('mbsync timings (ms):', JSON.stringify(timings));
  await env?.stop();
});

describe('mbsync (isync) two-way sync with a Maildir', () => {
  it(`mirrors ${COUNT} messages, then carries a flag, an expunge and an append across`, async () => {
    const first = await mbsync();
    timings.firstSync = first.ms;
    let local = localMessages();
    expect(local.size, first.output).toBe(COUNT);
    for (let n = 1; n <= COUNT; n++) expect(local.get(String(n))?.flags, `message ${n}`).toBe(maildirFlags(new Set(flagsFor(n))));

    // the Maildir side: flag message 10 (and mark it seen)
    const ten = local.get('10')!;
    expect(ten.flags).toBe('');
    const renamed = path.join(path.dirname(ten.file).replace(/new$/, 'cur'), `${path.basename(ten.file).replace(/:2,[A-Za-z]*$/, '')}:2,FS`);
    renameSync(ten.file, renamed);

    // the server side: expunge message 20, append a new one
    const client = imapClient(server, { auth: { user: USER, pass: PASS } });
    await client.connect();
    await client.mailboxOpen('INBOX');
    // appended in order into a fresh INBOX: message n has UID n
    const twenty = await client.fetchOne('20', { uid: true, headers: ['x-seq'] }, { uid: true });
    expect(twenty && twenty.headers?.toString('utf8')).toMatch(/X-Seq: 20\r?\n/i);
    await client.messageDelete('20', { uid: true });
    await client.append('INBOX', message('moi'), ['\\Flagged']);
    await client.logout();

    const second = await mbsync();
    timings.secondSync = second.ms;
    local = localMessages();
    const remote = await serverMessages();
    expect(local.size, second.output).toBe(COUNT);
    expect(remote.size).toBe(COUNT);
    expect(local.has('20')).toBe(false);
    expect(remote.has('20')).toBe(false);
    expect(local.get('moi')?.flags).toBe('F');
    expect(remote.get('10')).toBe('FS');
    expect(local.get('10')?.flags).toBe('FS');
    // both sides agree on every message and its flags
    const localFlags = new Map([...local].map(([seq, m]) => [seq, m.flags]));
    expect(localFlags).toEqual(remote);

    // a third run finds both sides in step and changes nothing
    const third = await mbsync();
    timings.thirdSync = third.ms;
    const after = localMessages();
    expect(new Map([...after].map(([seq, m]) => [seq, m.flags]))).toEqual(localFlags);
    expect(await serverMessages()).toEqual(remote);
  }, 60_000);
});
