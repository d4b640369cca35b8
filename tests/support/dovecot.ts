import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { freePort } from './ports.js';
import { stopChild } from './stop-child.js';

export const DOVECOT = '/usr/sbin/dovecot';
/** Dovecot gives no mail process root's rights ("Mail access not allowed for root"), so as root mail belongs to nobody */
const NOBODY = { uid: 65534, gid: 65534, user: 'nobody' };

export interface DovecotUser {
  user: string;
  password: string;
}

export interface TestDovecot {
  host: '127.0.0.1';
  /** IMAP (plaintext logins allowed; STARTTLS offered only with the `tls` option) */
  port: number;
  /** implicit TLS (imaps), with the `tls` option */
  tlsPort?: number;
  users: readonly DovecotUser[];
  /** Dovecot's own log (logins, errors), for a failing test's message */
  log(): string;
  /** process ids of the imap processes serving logged-in connections (one per connection) */
  imapProcesses(): number[];
  /** the user's Maildir (folders are its ".NAME" directories, names in modified UTF-7) */
  maildir(user: string): string;
  stop(): Promise<void>;
}

export interface DovecotOptions {
  users: readonly DovecotUser[];
  /**
   * Folders of the inbox namespace with an RFC 6154 SPECIAL-USE attribute, created for
   * every user at login (Dovecot's `mailbox NAME { special_use = ...; auto = subscribe }`).
   */
  specialFolders?: Readonly<Record<string, string>>;
  /**
   * The personal namespace (RFC 2342): "/" and no prefix by default; `{ separator: '.',
   * prefix: 'INBOX.' }` is the Courier-compatible layout many older servers kept, where
   * every folder sits under INBOX.
   */
  namespace?: { separator: string; prefix: string };
  /** a public namespace (RFC 2342 "shared") under this prefix, e.g. "Chung/": one Maildir every user reads and writes */
  publicPrefix?: string;
  /**
   * Virtual folders (Dovecot's virtual plugin) in a second personal namespace: name (under
   * `prefix`) → SPECIAL-USE and the dovecot-virtual definition, e.g. all mail of every folder.
   * Names in ASCII: their directories are made as named, not in modified UTF-7.
   */
  virtual?: { prefix: string; folders: Readonly<Record<string, { specialUse: string; definition: string }>> };
  /** TLS with a self-signed certificate for 127.0.0.1: STARTTLS on `port`, implicit TLS on `tlsPort` */
  tls?: boolean;
}

/** Dovecot takes a group by name only */
function groupName(gid: number): string {
  const entry = spawnSync('getent', ['group', String(gid)], { encoding: 'utf8' }).stdout.split(':')[0];
  if (!entry) throw new Error(`no group with id ${gid} (getent group ${gid}) for the test Dovecot's sockets`);
  return entry;
}

const quote = (s: string) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;

function waitForGreeting(port: number, child: ChildProcess, log: () => string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`dovecot exited with ${child.exitCode}: ${log()}`));
      const socket = net.connect(port, '127.0.0.1');
      let settled = false;
      const finish = (greeted: boolean) => {
        if (settled) return;
        settled = true;
        socket.destroy();
        if (greeted) resolve();
        else if (Date.now() > until) reject(new Error(`dovecot did not greet on 127.0.0.1:${port} within ${timeoutMs / 1000} s: ${log()}`));
        else setTimeout(attempt, 50);
      };
      socket.setTimeout(2000, () => finish(false));
      socket.once('error', () => finish(false));
      // the login process answers "* OK ... ready." once the whole service chain is up
      socket.once('data', (d: Buffer) => finish(d.toString('latin1').startsWith('* OK')));
    };
    attempt();
  });
}

/**
 * A throwaway Dovecot 2.3 IMAP server: its own dovecot.conf, base_dir (sockets, pid),
 * state_dir, log and Maildirs in a temporary directory; IMAP only, on a free port of
 * 127.0.0.1 and nowhere else, so it runs beside the machine's own Dovecot. Plain IMAP with
 * plaintext logins (loopback only), users in a passwd-file. Run by whoever runs the tests:
 * as root, the login and internal services and the mail run as nobody (Dovecot refuses
 * root for the login process and for mail access); as anyone else, everything runs as that
 * user, without chroot. A missing Dovecot fails the test with the command that installs it.
 */
export async function startDovecot(options: DovecotOptions): Promise<TestDovecot> {
  if (!existsSync(DOVECOT)) throw new Error(`Dovecot is not installed (${DOVECOT} is missing): the import tests need it; install it with apt-get install dovecot-imapd (node scripts/setup.mjs --test does)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hopthu-dovecot-'));
  // the unprivileged mail processes walk through it to their Maildirs
  chmodSync(dir, 0o755);
  const isRoot = process.getuid?.() === 0;
  const me = os.userInfo();
  const owner = isRoot ? NOBODY : { uid: me.uid, gid: me.gid, user: me.username };
  const homes = path.join(dir, 'home');
  mkdirSync(homes);
  const publicDir = path.join(dir, 'public');
  mkdirSync(publicDir);
  const virtualDir = path.join(dir, 'virtual');
  mkdirSync(virtualDir);
  for (const [name, folder] of Object.entries(options.virtual?.folders ?? {})) {
    mkdirSync(path.join(virtualDir, name));
    writeFileSync(path.join(virtualDir, name, 'dovecot-virtual'), folder.definition);
  }
  if (isRoot) for (const d of [homes, publicDir, virtualDir]) chownSync(d, owner.uid, owner.gid);

  // passwd-file: user:{PLAIN}password:uid:gid::home:: (the password field needs no escaping but ":")
  for (const u of options.users) if (/[:\n]/.test(u.user + u.password)) throw new Error(`a Dovecot test user cannot contain ":" or a line break: ${u.user}`);
  writeFileSync(path.join(dir, 'users'), options.users.map((u, i) => `${u.user}:{PLAIN}${u.password}:${owner.uid}:${owner.gid}::${homes}/u${i}::\n`).join(''), { mode: 0o644 });

  const port = await freePort();
  const tlsPort = options.tls ? await freePort() : undefined;
  if (options.tls) {
    const pems = await generate([{ name: 'commonName', value: 'old-mail.test' }], {
      keySize: 2048,
      days: 30,
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    } as never);
    writeFileSync(path.join(dir, 'cert.pem'), pems.cert);
    writeFileSync(path.join(dir, 'key.pem'), pems.private, { mode: 0o600 });
  }
  const specials = Object.entries(options.specialFolders ?? {}).map(([name, use]) => `  mailbox ${quote(name)} {\n    special_use = ${use}\n    auto = subscribe\n  }`);
  const logFile = path.join(dir, 'dovecot.log');
  writeFileSync(
    path.join(dir, 'dovecot.conf'),
    [
      'protocols = imap',
      'listen = 127.0.0.1',
      // its own sockets, pid file and state: a second Dovecot on the machine is never touched
      `base_dir = ${dir}/run`,
      `state_dir = ${dir}/state`,
      `instance_name = hopthu-test-${port}`,
      `log_path = ${logFile}`,
      `info_log_path = ${logFile}`,
      `default_login_user = ${owner.user}`,
      `default_internal_user = ${owner.user}`,
      // the group of the internal services' sockets (stats, dict)
      `default_internal_group = ${groupName(owner.gid)}`,
      'first_valid_uid = 1',
      'first_valid_gid = 1',
      'mail_location = maildir:~/Maildir',
      ...(options.tls ? ['ssl = yes', `ssl_cert = <${dir}/cert.pem`, `ssl_key = <${dir}/key.pem`] : ['ssl = no']),
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain login',
      'passdb {',
      '  driver = passwd-file',
      `  args = scheme=PLAIN username_format=%u ${dir}/users`,
      '}',
      'userdb {',
      '  driver = passwd-file',
      `  args = username_format=%u ${dir}/users`,
      '}',
      'namespace inbox {',
      '  inbox = yes',
      `  separator = ${options.namespace?.separator ?? '/'}`,
      `  prefix = ${options.namespace?.prefix ?? ''}`,
      ...specials,
      '}',
      ...(options.virtual
        ? [
            'mail_plugins = $mail_plugins virtual',
            'namespace virtual {',
            `  separator = ${options.namespace?.separator ?? '/'}`,
            `  prefix = ${options.virtual.prefix}`,
            // indexes per user, definitions shared
            `  location = virtual:${virtualDir}:INDEX=~/virtual`,
            ...Object.entries(options.virtual.folders).map(([name, f]) => `  mailbox ${quote(name)} {\n    special_use = ${f.specialUse}\n  }`),
            '}',
          ]
        : []),
      ...(options.publicPrefix
        ? ['namespace public {', '  type = public', `  separator = ${options.namespace?.separator ?? '/'}`, `  prefix = ${options.publicPrefix}`, `  location = maildir:${publicDir}`, '  subscriptions = no', '  list = yes', '}']
        : []),
      // chroot needs root; without it the login process runs in base_dir like any other
      'service anvil {',
      '  chroot =',
      '}',
      'service imap-login {',
      '  chroot =',
      '  inet_listener imap {',
      '    address = 127.0.0.1',
      `    port = ${port}`,
      '  }',
      '  inet_listener imaps {',
      ...(tlsPort ? ['    address = 127.0.0.1', `    port = ${tlsPort}`, '    ssl = yes'] : ['    port = 0']),
      '  }',
      '}',
      '',
    ].join('\n'),
  );

  const child = spawn(DOVECOT, ['-F', '-c', path.join(dir, 'dovecot.conf')], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const log = () => {
    let file = '';
    try {
      file = readFileSync(logFile, 'utf8');
    } catch { /* not written yet */ }
    return `${stderr}${file}`.split('\n').slice(-30).join('\n');
  };
  try {
    await waitForGreeting(port, child, log);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    host: '127.0.0.1',
    port,
    tlsPort,
    users: options.users,
    log,
    maildir: (user) => {
      const i = options.users.findIndex((u) => u.user === user);
      if (i < 0) throw new Error(`${user} is not a user of this Dovecot`);
      return path.join(homes, `u${i}`, 'Maildir');
    },
    imapProcesses: () =>
      spawnSync('pgrep', ['-P', String(child.pid), '-x', 'imap'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number),
    async stop() {
      // the master stops its login, auth and imap processes before it exits
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
