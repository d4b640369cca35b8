#!/usr/bin/env node
// Installs the system programs hopthu needs and a fresh Debian/Ubuntu machine lacks.
//   node scripts/setup.mjs          what the server needs (redis-server, unless REDIS_URL is set)
//   node scripts/setup.mjs --test   plus what the test suite drives (swaks, mbsync, slapd, dovecot, chromium)
//   node scripts/setup.mjs --bench  plus what npm run bench drives (dovecot as the IMAP reference, chromium)
// As root or with sudo on Debian/Ubuntu it runs apt-get; elsewhere it stops with the
// exact command to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const forTests = process.argv.includes('--test');
const forBench = process.argv.includes('--bench');

/** program on PATH (or a shell check) -> Debian package that provides it */
const needed = [];
if (!process.env.REDIS_URL || forTests) needed.push(['redis-server', 'redis-server']);
if (forTests) needed.push(['swaks', 'swaks']);
// swaks speaks STARTTLS/TLS only with Net::SSLeay, which it merely recommends
if (forTests) needed.push(['perl -MNet::SSLeay -e 1', 'libnet-ssleay-perl']);
if (forTests) needed.push(['mbsync', 'isync']);
// slapd lives in /usr/sbin, which a non-root PATH may lack
if (forTests) needed.push(['/usr/sbin/slapd', 'slapd'], ['ldapadd', 'ldap-utils']);
// `hopthu import imap` is tested against a throwaway Dovecot (tests/support/dovecot.ts), and the
// IMAP benchmark measures it as the reference; it lives in /usr/sbin too
if (forTests || forBench) needed.push(['/usr/sbin/dovecot', 'dovecot-imapd']);
// the webmail's end-to-end tests and its benchmark drive Debian's Chromium through playwright-core
if (forTests || forBench) needed.push(['/usr/bin/chromium', 'chromium']);

const onPath = (program) => spawnSync('sh', ['-c', program.includes(' ') ? program : `command -v ${program}`], { stdio: 'ignore' }).status === 0;
const missing = needed.filter(([program]) => !onPath(program));
if (missing.length === 0) process.exit(0);

const packages = [...new Set(missing.map(([, pkg]) => pkg))];
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
const hasSudo = onPath('sudo');
const command = `apt-get install -y --no-install-recommends ${packages.join(' ')}`;

if (!hasApt || (!isRoot && !hasSudo)) {
  console.error(`hopthu needs: ${missing.map(([p]) => p).join(', ')}.`);
  if (hasApt) console.error(`Install with: sudo apt-get update && sudo ${command}`);
  else console.error(`Install them with your system's package manager (Fedora: sudo dnf install ${packages.join(' ')}; macOS: brew install ${packages.join(' ')})` + (missing.some(([p]) => p === 'redis-server') ? ', or set REDIS_URL to an existing Redis.' : '.'));
  process.exit(1);
}

const run = (args) => {
  const full = isRoot ? args : ['sudo', ...args];
  console.log(`hopthu setup: ${full.join(' ')}`);
  execFileSync(full[0], full.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
};
run(['apt-get', 'update', '-q']);
run(['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...packages]);
