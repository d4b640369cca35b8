import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { freePort } from './ports.js';
import { stopChild } from './stop-child.js';

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';

export interface TestSlapd {
  /** ldap://127.0.0.1:PORT (StartTLS offered) */
  url: string;
  /** ldaps://127.0.0.1:PORT */
  ldapsUrl: string;
  baseDn: string;
  rootDn: string;
  rootPassword: string;
  /** a service account that is subject to the size limit (the root DN is not) */
  readerDn: string;
  readerPassword: string;
  /** PEM of the self-signed certificate slapd presents (its own CA) */
  caPem: string;
  caFile: string;
  sizeLimit: number;
  stop(): Promise<void>;
}

export interface SlapdOptions {
  baseDn?: string;
  /** entries one search may return without paging (RFC 2696 paging returns them all) */
  sizeLimit?: number;
  /** LDIF loaded with slapadd before start, after the base and the service account */
  ldif?: string;
}

function waitForPort(port: number, child: ChildProcess, stderr: () => string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`slapd exited with ${child.exitCode}: ${stderr()}`));
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > until) reject(new Error(`slapd did not listen on ${port}: ${stderr()}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/**
 * A throwaway OpenLDAP slapd: own slapd.conf in a temporary directory, mdb backend, free
 * loopback ports for ldap:// (StartTLS) and ldaps://, a self-signed certificate, and a
 * size limit below the directory's size so only paged searches (RFC 2696) see everything.
 * It runs as whoever runs the tests (root or not): every file is that user's.
 */
export async function startSlapd(options: SlapdOptions = {}): Promise<TestSlapd> {
  const baseDn = options.baseDn ?? 'dc=tinh,dc=gov,dc=vn';
  const sizeLimit = options.sizeLimit ?? 100;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hopthu-slapd-'));
  chmodSync(dir, 0o700);
  mkdirSync(path.join(dir, 'db'));
  const rootDn = `cn=admin,${baseDn}`;
  const rootPassword = 'root-secret';
  const readerDn = `cn=hopthu-sync,ou=system,${baseDn}`;
  const readerPassword = 'reader-secret';

  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    days: 30,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  } as never);
  const caFile = path.join(dir, 'cert.pem');
  writeFileSync(caFile, pems.cert);
  writeFileSync(path.join(dir, 'key.pem'), pems.private, { mode: 0o600 });

  const conf = path.join(dir, 'slapd.conf');
  writeFileSync(
    conf,
    [
      ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include /etc/ldap/schema/${s}.schema`),
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      `pidfile ${dir}/slapd.pid`,
      `argsfile ${dir}/slapd.args`,
      `TLSCertificateFile ${caFile}`,
      `TLSCertificateKeyFile ${dir}/key.pem`,
      'database mdb',
      `suffix "${baseDn}"`,
      `rootdn "${rootDn}"`,
      `rootpw ${rootPassword}`,
      `directory ${dir}/db`,
      'maxsize 1073741824',
      // plain searches stop at sizeLimit; paged searches may return everything
      `limits users size.soft=${sizeLimit} size.hard=${sizeLimit} size.prtotal=unlimited`,
      `limits anonymous size.soft=${sizeLimit} size.hard=${sizeLimit} size.prtotal=unlimited`,
      'index objectClass eq',
      'index entryUUID eq',
      'access to attrs=userPassword by self write by anonymous auth by * none',
      'access to * by users read by * none',
      '',
    ].join('\n'),
  );

  const seed = [
    `dn: ${baseDn}`,
    'objectClass: dcObject',
    'objectClass: organization',
    `dc: ${/^dc=([^,]+)/.exec(baseDn)?.[1] ?? 'tinh'}`,
    'o: Test',
    '',
    `dn: ou=system,${baseDn}`,
    'objectClass: organizationalUnit',
    'ou: system',
    '',
    `dn: ${readerDn}`,
    'objectClass: organizationalRole',
    'objectClass: simpleSecurityObject',
    'cn: hopthu-sync',
    `userPassword: ${readerPassword}`,
    '',
    options.ldif ?? '',
  ].join('\n');
  const ldifFile = path.join(dir, 'seed.ldif');
  writeFileSync(ldifFile, seed);
  const added = spawnSync(SLAPADD, ['-q', '-f', conf, '-l', ldifFile], { encoding: 'utf8' });
  if (added.status !== 0) throw new Error(`slapadd failed: ${added.stderr}`);

  const [port, tlsPort] = [await freePort(), await freePort()];
  const child = spawn(SLAPD, ['-d', '0', '-f', conf, '-h', `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${tlsPort}/`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitForPort(port, child, () => stderr);
    await waitForPort(tlsPort, child, () => stderr);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    url: `ldap://127.0.0.1:${port}`,
    ldapsUrl: `ldaps://127.0.0.1:${tlsPort}`,
    baseDn,
    rootDn,
    rootPassword,
    readerDn,
    readerPassword,
    caPem: pems.cert,
    caFile,
    sizeLimit,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
