import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { addTestDomain } from '../../support/fixtures.js';
import { WebClient } from '../../support/web-client.js';
import type { RunningServer } from '../../../src/cli/server.js';
import { findDomain } from '../../../src/identity/domains.js';
import { message, officer, OFFICER_PASSWORD, tableRows } from './admin-sec-support.js';

let env: TestEnv;
let server: RunningServer;
let base: string;
let admin: WebClient;

beforeAll(async () => {
  env = await createTestEnv();
  server = await env.start({}, ['web']);
  base = `http://127.0.0.1:${server.ports.http}`;
  const { db, config } = server.runtime;
  const { domain } = await addTestDomain(db, 'yenbai.gov.vn');
  await officer(db, config, 'quantri@yenbai.gov.vn', 'superadmin');
  await officer(db, config, 'tenmien@yenbai.gov.vn', 'domain-admin', { domainId: domain.id });
  admin = new WebClient(base);
  await admin.login('quantri@yenbai.gov.vn', OFFICER_PASSWORD);
});
afterAll(async () => {
  await env?.stop();
});

describe('domains (superadmin)', () => {
  it('lists the local domains with their DKIM selector and password source', async () => {
    const res = await admin.get('/admin/domains');
    expect(res.status).toBe(200);
    const rows = tableRows(res.text, 'domains');
    expect(rows).toHaveLength(1);
    expect(rows[0]![0]).toBe('yenbai.gov.vn');
    expect(rows[0]![2]).toBe('Tại máy chủ này (argon2id)');
  });

  it('adds a domain with a DKIM key and shows the DNS records to publish, as a table and as zone file lines', async () => {
    await admin.get('/admin/domains');
    const res = await admin.postForm('/admin/domains', { name: 'SoTuPhap.YenBai.gov.vn' });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/admin/domains/sotuphap.yenbai.gov.vn?done=added');
    const page = await admin.get(res.location!);
    expect(page.status).toBe(200);
    expect(message(page.text, 'notice')).toBe('Đã thêm tên miền sotuphap.yenbai.gov.vn. Hãy công bố các bản ghi DNS dưới đây.');
    const domain = (await findDomain(server.runtime.db, 'sotuphap.yenbai.gov.vn'))!;
    expect(domain.dkimSelector).toBeTruthy();
    const records = tableRows(page.text, 'dns');
    expect(records.slice(0, 4).map((r) => r.slice(0, 3))).toEqual([
      ['mx', 'sotuphap.yenbai.gov.vn', 'MX'],
      ['spf', 'sotuphap.yenbai.gov.vn', 'TXT'],
      ['dkim', `${domain.dkimSelector}._domainkey.sotuphap.yenbai.gov.vn`, 'TXT'],
      ['dmarc', '_dmarc.sotuphap.yenbai.gov.vn', 'TXT'],
    ]);
    expect(records[0]![4]).toBe('10 mx.hopthu.test');
    expect(records[2]![4]).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+$/);
    expect(records.some((r) => r[1] === '_imaps._tcp.sotuphap.yenbai.gov.vn' && r[2] === 'SRV')).toBe(true);
    const zone = /<textarea id="zone"[^>]*>([\s\S]*?)<\/textarea>/.exec(page.text)![1]!;
    expect(zone).toMatch(/^sotuphap\.yenbai\.gov\.vn\. 3600 IN MX 10 mx\.hopthu\.test\.$/m);
    expect(zone).toContain(`${domain.dkimSelector}._domainkey.sotuphap.yenbai.gov.vn. 3600 IN TXT`);
    const { rows } = await server.runtime.db.query<{ actor: string; data: Record<string, unknown> }>("SELECT actor, data FROM audit_events WHERE action = 'domain.add'");
    expect(rows).toEqual([{ actor: 'quantri@yenbai.gov.vn', data: { after: { name: 'sotuphap.yenbai.gov.vn', dkimSelector: domain.dkimSelector }, via: 'web' } }]);
  });

  it('refuses a domain that exists or is malformed, keeping what was typed', async () => {
    const dup = await admin.postForm('/admin/domains', { name: 'yenbai.gov.vn' });
    expect(dup.status).toBe(400);
    expect(message(dup.text, 'error')).toBe('the domain yenbai.gov.vn already exists');
    expect(dup.text).toContain('value="yenbai.gov.vn"');
    const bad = await admin.postForm('/admin/domains', { name: 'không hợp lệ' });
    expect(bad.status).toBe(400);
    expect(message(bad.text, 'error')).not.toBe('');
    expect((await admin.get('/admin/domains/khong-co.gov.vn')).status).toBe(404);
  });

  it('refuses the directory as password source while no directory is configured', async () => {
    await admin.get('/admin/domains/yenbai.gov.vn');
    const res = await admin.postForm('/admin/domains/yenbai.gov.vn/passwords', { source: 'directory' });
    expect(res.status).toBe(400);
    expect(message(res.text, 'error')).toContain('provisioning.ldap');
    expect((await findDomain(server.runtime.db, 'yenbai.gov.vn'))!.passwordSource).toBe('local');
  });

  it('is for superadmins only: a domain admin gets 403, even for their own domain', async () => {
    const web = new WebClient(base);
    await web.login('tenmien@yenbai.gov.vn', OFFICER_PASSWORD);
    expect((await web.get('/admin/domains')).status).toBe(403);
    expect((await web.get('/admin/domains/yenbai.gov.vn')).status).toBe(403);
    expect((await web.postForm('/admin/domains', { name: 'them.gov.vn' })).status).toBe(403);
    expect(await findDomain(server.runtime.db, 'them.gov.vn')).toBeUndefined();
  });
});
