import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, ConfigError } from '../../../src/config/index.js';

describe('configuration', () => {
  it('an empty configuration gives the development defaults', () => {
    const c = loadConfig({ env: {}, file: undefined });
    expect(c.ports).toEqual({ smtp: 2525, submission: 2587, submissions: 2465, imap: 2143, imaps: 2993, http: 8080, health: 9465 });
    expect(c.dataDir).toBe(path.resolve('./data'));
    expect(c.smtp.rejectDmarcFailures).toBe(true);
  });

  it.each([
    ['HOPTHU_DATA_DIR', '/srv/hopthu', (c: ReturnType<typeof loadConfig>) => c.dataDir, '/srv/hopthu'],
    ['HOPTHU_PORTS__SMTP', '25', (c: ReturnType<typeof loadConfig>) => c.ports.smtp, 25],
    ['HOPTHU_SMTP__MAX_MESSAGE_BYTES', '1048576', (c: ReturnType<typeof loadConfig>) => c.smtp.maxMessageBytes, 1048576],
    ['HOPTHU_DNS__SERVERS', '["127.0.0.1:5353"]', (c: ReturnType<typeof loadConfig>) => c.dns.servers, ['127.0.0.1:5353']],
    ['DATABASE_URL', 'postgresql://u@db/hopthu', (c: ReturnType<typeof loadConfig>) => c.databaseUrl, 'postgresql://u@db/hopthu'],
    ['HOPTHU_SMTP__VERIFY_INBOUND', 'false', (c: ReturnType<typeof loadConfig>) => c.smtp.verifyInbound, false],
  ])('%s=%s is honoured', (name, value, get, expected) => {
    expect(get(loadConfig({ env: { [name]: value } }))).toEqual(expected);
  });

  it('the environment overrides the file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hopthu-conf-'));
    const file = path.join(dir, 'hopthu.yaml');
    writeFileSync(file, 'hostname: mail.yenbai.gov.vn\nports:\n  smtp: 25\n');
    const c = loadConfig({ file, env: { HOPTHU_PORTS__SMTP: '2626' } });
    expect(c.hostname).toBe('mail.yenbai.gov.vn');
    expect(c.ports.smtp).toBe(2626);
  });

  it('a bad value names the key, the value and what is allowed', () => {
    expect(() => loadConfig({ env: { HOPTHU_PORTS__SMTP: '70000' } })).toThrowError(/ports\.smtp = 70000: .*(<=|less than or equal).*65535/i);
    expect(() => loadConfig({ env: { HOPTHU_LOG__LEVEL: 'loud' } })).toThrowError(ConfigError);
  });

  it('an unknown key is an error, not silently ignored', () => {
    expect(() => loadConfig({ env: { HOPTHU_SMTP__MAX_MESAGE_BYTES: '1' } })).toThrowError(/smtp.*maxMesageBytes|Unrecognized key/i);
  });

  it('the result is frozen', () => {
    const c = loadConfig({ env: {} });
    expect(() => {
      (c.ports as { smtp: number }).smtp = 1;
    }).toThrow();
  });
});
