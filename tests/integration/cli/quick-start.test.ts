import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import type { ChildProcess } from 'node:child_process';
import nodemailer from 'nodemailer';
import { runCli, startCliServer } from '../../support/cli.js';
import { freePort } from '../../support/ports.js';
import { eventually } from '../../support/fixtures.js';
import { startDnsServer, type TestDnsServer } from '../../support/dns-server.js';

/**
 * The administrator's path with no configuration at all: embedded PostgreSQL and
 * redis-server under HOPTHU_DATA_DIR, the CLI before and while the server runs.
 */
let dir: string;
let env: Record<string, string>;
let dns: TestDnsServer;
let server: ChildProcess | undefined;
let mxPort: number;

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hopthu-quickstart-'));
  chmodSync(dir, 0o755);
  dns = await startDnsServer({});
  mxPort = await freePort();
  env = {
    HOPTHU_DATA_DIR: path.join(dir, 'data'),
    HOPTHU_LISTEN_HOST: '127.0.0.1',
    HOPTHU_PORTS__SMTP: String(mxPort),
    HOPTHU_PORTS__SUBMISSION: String(await freePort()),
    HOPTHU_PORTS__SUBMISSIONS: String(await freePort()),
    HOPTHU_PORTS__IMAP: String(await freePort()),
    HOPTHU_PORTS__IMAPS: String(await freePort()),
    HOPTHU_PORTS__HTTP: String(await freePort()),
    HOPTHU_PORTS__HEALTH: String(await freePort()),
    HOPTHU_DNS__SERVERS: JSON.stringify([dns.address]),
    HOPTHU_HOSTNAME: 'mail.yenbai.gov.vn',
  };
});

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGKILL');
  }
  await dns?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('quick start on embedded defaults', () => {
  it('hopthu domain add and account add work before the server has ever run', async () => {
    const domain = await runCli(['domain', 'add', 'yenbai.gov.vn'], env);
    expect(domain.stderr).toBe('');
    expect(domain.stdout).toMatch(/added domain yenbai\.gov\.vn \(DKIM selector hopthu\d{4}\)/);
    const account = await runCli(['account', 'add', 'annv@yenbai.gov.vn', '--name', 'Nguyễn Văn An', '--password-stdin'], env, 'mat-khau-rat-dai-2026\n');
    expect(account.stdout).toMatch(/created annv@yenbai\.gov\.vn \(Nguyễn Văn An\)/);
    // the CLI stopped the PostgreSQL it started
    expect(existsSync(path.join(dir, 'data/postgres/postmaster.pid'))).toBe(false);
  }, 120_000);

  it('a bad configuration value stops with the key, the value and what is allowed', async () => {
    const bad = await runCli(['domain', 'list'], { ...env, HOPTHU_PORTS__SMTP: 'hai-muoi-lam' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('ports.smtp = "hai-muoi-lam"');
    expect(bad.stderr).toMatch(/expected number/i);
  });

  it('hopthu start runs every role, and the CLI uses the running server\'s database', async () => {
    server = startCliServer([], env);
    let log = '';
    server.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await eventually(async () => ((await canConnect(mxPort)) ? true : undefined), 60_000, `the MX port to open (server log: ${log})`);
    await nodemailer
      .createTransport({ host: '127.0.0.1', port: mxPort, tls: { rejectUnauthorized: false } })
      .sendMail({ from: 'ban@example.test', to: 'annv@yenbai.gov.vn', subject: 'Chào mừng', text: 'Xin chào anh An.' });
    const shown = await eventually(async () => {
      const r = await runCli(['account', 'show', 'annv@yenbai.gov.vn', '--json'], env);
      const data = JSON.parse(r.stdout) as { folders: Array<{ name: string; messages: number }> };
      return data.folders.find((f) => f.name === 'INBOX')!.messages === 1 ? data : undefined;
    }, 30_000, 'the message to show in account show');
    expect(shown.folders.map((f) => f.name).sort()).toEqual(['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    const records = await runCli(['dns', 'yenbai.gov.vn'], env);
    expect(records.stdout).toMatch(/hopthu\d{4}\._domainkey\.yenbai\.gov\.vn\.?\s.*TXT\s.*v=DKIM1; k=rsa; p=/);
    expect(records.stdout).toMatch(/yenbai\.gov\.vn\.?\s.*MX\s+10\s+mail\.yenbai\.gov\.vn/);
  }, 120_000);

  it('stops cleanly on SIGTERM, and its PostgreSQL and Redis with it', async () => {
    server!.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => server!.once('exit', resolve));
    expect(code).toBe(0);
    expect(existsSync(path.join(dir, 'data/postgres/postmaster.pid'))).toBe(false);
    expect(existsSync(path.join(dir, 'data/redis/redis.pid'))).toBe(false);
  }, 60_000);
});
