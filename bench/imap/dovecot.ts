/**
 * The reference: a throwaway Dovecot (if /usr/sbin/dovecot is installed; the bench never
 * installs it) with its own configuration in a temp directory: free loopback ports for
 * IMAP and IMAPS, Maildir under the temp directory, a passwd-file of plain passwords,
 * TLS with a self-signed RSA-2048 certificate like hopthu's, mail owned by `nobody`.
 * Login processes in Dovecot's high-performance mode (service_count = 0, the setting for
 * many users); one imap process per connection, as always with Dovecot. Durability left
 * at its defaults (mail_fsync = optimized). Started in the foreground (-F) as a child of
 * the bench, so the cleanup stops its whole process group.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerCleanup } from '../lib/cleanup.js';
import { freePort, startChild, waitForPort } from '../lib/child.js';
import { DOMAIN } from './messages.js';
import type { ImapServer, ImapUser } from './server.js';

export const DOVECOT = '/usr/sbin/dovecot';
const NOBODY = 65534;

export const dovecotInstalled = () => existsSync(DOVECOT);

export function dovecotVersion(): string {
  try {
    return execFileSync(DOVECOT, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

export async function startDovecot(opts: { accounts: number; connections: number }): Promise<ImapServer & { logLines(): string[] }> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hopthu-bench-dovecot-'));
  chmodSync(tmp, 0o755);
  const removeTmp = registerCleanup('remove the Dovecot directory', async () => rmSync(tmp, { recursive: true, force: true }));
  const home = path.join(tmp, 'home');
  mkdirSync(home);
  chownSync(home, NOBODY, NOBODY);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(tmp, 'key.pem'), '-out', path.join(tmp, 'cert.pem'),
    '-days', '30', '-subj', '/CN=imap.bench.test', '-addext', 'subjectAltName=DNS:imap.bench.test,IP:127.0.0.1'], { stdio: 'ignore' });

  const users: ImapUser[] = Array.from({ length: opts.accounts }, (_, i) => ({ user: `user${i}@${DOMAIN}`, password: randomBytes(12).toString('hex') }));
  writeFileSync(path.join(tmp, 'users'), users.map((u) => `${u.user}:{PLAIN}${u.password}:${NOBODY}:${NOBODY}::${home}/${u.user.split('@')[0]}::\n`).join(''));
  const [imap, imaps] = [await freePort(), await freePort()];
  // room for every idle connection plus the workload: imap processes, and clients of the
  // services each of them talks to (auth, anvil, config, log, stats)
  const room = opts.connections + 500;
  const config = `
protocols = imap
listen = 127.0.0.1
base_dir = ${tmp}/run
state_dir = ${tmp}/state
log_path = ${tmp}/dovecot.log
info_log_path = ${tmp}/dovecot.log
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:~/Maildir
disable_plaintext_auth = no
auth_mechanisms = plain login
ssl = yes
ssl_cert = <${tmp}/cert.pem
ssl_key = <${tmp}/key.pem
default_process_limit = 100
default_client_limit = ${room}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${tmp}/users
}
userdb {
  driver = passwd-file
  args = username_format=%u ${tmp}/users
}
protocol imap {
  mail_max_userip_connections = ${room}
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imap}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${imaps}
    ssl = yes
  }
  service_count = 0
  process_min_avail = ${os.cpus().length}
  process_limit = 64
  client_limit = 1000
  vsz_limit = 1G
}
service imap {
  process_limit = ${room}
}
`;
  writeFileSync(path.join(tmp, 'dovecot.conf'), config);
  const child = startChild('dovecot', DOVECOT, ['-F', '-c', path.join(tmp, 'dovecot.conf')], { cwd: tmp });
  const logLines = () => {
    try {
      return readFileSync(path.join(tmp, 'dovecot.log'), 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };
  try {
    await waitForPort(imaps, child, 30_000);
  } catch (err) {
    await child.stop(5000);
    throw new Error(`${(err as Error).message}\n${logLines().slice(-20).join('\n')}`);
  }
  return {
    name: 'dovecot',
    imapPort: imap,
    imapsPort: imaps,
    pid: child.pid,
    users,
    logLines,
    async stop() {
      await child.stop(20_000);
      rmSync(tmp, { recursive: true, force: true });
      removeTmp();
    },
  };
}
