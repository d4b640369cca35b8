import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestAccount, addTestDomain } from '../../support/fixtures.js';
import type { RunningServer } from '../../../src/cli/server.js';

let env: TestEnv;
let server: RunningServer;

/** Opens a raw connection, writes `input` after the greeting, and collects replies until the server closes or `ms` pass. */
function rawSession(port: number, input: Buffer | string, ms = 1500): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    let sent = false;
    socket.on('data', (d) => {
      out += d.toString('latin1');
      if (!sent && out.includes('220 ')) {
        sent = true;
        socket.write(input);
      }
    });
    socket.on('error', () => {});
    const done = () => resolve(out);
    socket.on('close', done);
    setTimeout(() => {
      socket.destroy();
      done();
    }, ms);
  });
}

/** The server still answers a clean session: EHLO, NOOP, QUIT. */
async function stillServes(port: number) {
  const reply = await rawSession(port, 'EHLO ok.test\r\nNOOP\r\nQUIT\r\n');
  expect(reply).toMatch(/250[ -]/);
  expect(reply).toMatch(/221 /);
}

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start();
  await addTestDomain(server.runtime.db, 'yenbai.gov.vn');
  await addTestAccount(server.runtime.db, server.runtime.config, 'annv@yenbai.gov.vn');
});

afterAll(async () => {
  await env?.stop();
});

describe('malformed SMTP input never crashes the server', () => {
  it('answers a command line over 512 octets with 421 4.4.2 and closes the connection (RFC 5321 §4.5.3.1.4)', async () => {
    const reply = await rawSession(server.ports.mx!, `EHLO ${'a'.repeat(5000)}\r\nNOOP\r\n`);
    expect(reply).toMatch(/\r\n421 4\.4\.2 .*too long/);
    await stillServes(server.ports.mx!);
  });

  it('handles bare LF line ends in commands and in DATA', async () => {
    const reply = await rawSession(
      server.ports.mx!,
      'EHLO lf.test\nMAIL FROM:<a@lf.test>\nRCPT TO:<annv@yenbai.gov.vn>\nDATA\nSubject: bare LF\n\nbody\n.\nQUIT\n',
      2500,
    );
    expect(reply).toMatch(/220 /);
    await stillServes(server.ports.mx!);
  });

  it('survives binary junk', async () => {
    for (let i = 0; i < 20; i++) await rawSession(server.ports.mx!, randomBytes(4096), 300);
    await stillServes(server.ports.mx!);
  });

  it('answers 1,000 pipelined commands in order', async () => {
    const commands = 'EHLO pipe.test\r\n' + 'NOOP\r\n'.repeat(1000) + 'QUIT\r\n';
    const reply = await rawSession(server.ports.mx!, commands, 10_000);
    const noops = reply.split('\r\n').filter((l) => /^250 /.test(l));
    expect(noops.length).toBeGreaterThanOrEqual(1000);
    expect(reply).toMatch(/221 /);
  });

  it('refuses a syntactically broken MAIL FROM with a 5xx and a reason', async () => {
    const reply = await rawSession(server.ports.mx!, 'EHLO x.test\r\nMAIL FROM:<<<@@>\r\nQUIT\r\n');
    expect(reply).toMatch(/\r\n501 5\.\d\.\d+ /);
  });
});
