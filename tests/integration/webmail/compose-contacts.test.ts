import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAccount, setAccountStatus } from '../../../src/identity/accounts.js';
import { addAgency, type Agency } from '../../../src/identity/agencies.js';
import { addGroup } from '../../../src/identity/groups.js';
import { startComposeEnv, type ComposeEnv } from './compose-fixtures.js';

let c: ComposeEnv;
let snv: Agency;
let stc: Agency;

beforeAll(async () => {
  c = await startComposeEnv();
  const { db } = c.server.runtime;
  snv = await addAgency(db, { code: 'SNV', name: 'Sở Nội vụ' });
  stc = await addAgency(db, { code: 'STC', name: 'Sở Tài chính' });
  const add = (address: string, displayName: string, agency: Agency | null, extra: { kind?: 'agency' | 'system'; title?: string } = {}) =>
    addAccount(db, { address, displayName, quotaBytes: 1 << 20, agencyId: agency?.id ?? null, ...extra });
  await add('anhnt@yenbai.gov.vn', 'Nguyễn Thị Ánh', snv, { title: 'Chuyên viên' });
  await add('dangvh@yenbai.gov.vn', 'Đặng Văn Hùng', stc);
  await add('annv2@yenbai.gov.vn', 'Nguyễn Văn An', stc, { title: 'Kế toán' });
  await add('vanphong.snv@yenbai.gov.vn', 'Văn phòng Sở Nội vụ', snv, { kind: 'agency' });
  await add('postmaster@yenbai.gov.vn', 'Postmaster', null, { kind: 'system' });
  const gone = await add('nghihuu@yenbai.gov.vn', 'Nguyễn Văn Nghỉ', snv);
  await setAccountStatus(db, gone.id, 'disabled');
  await addGroup(db, { address: 'lanhdao@yenbai.gov.vn', name: 'Lãnh đạo tỉnh' });
  for (let i = 0; i < 14; i++) await add(`nv${i}@yenbai.gov.vn`, `Nhân viên số ${i}`, snv);
});
afterAll(async () => {
  await c?.env.stop();
});

const names = (page: string) => [...page.matchAll(/<tr><td>([^<]*)/g)].map((m) => m[1]!);

describe('webmail address book', () => {
  it('finds "Nguyễn Văn An" by "Nguyen Van An", without diacritics, and by its own spelling', async () => {
    const web = await c.login('binhtt@yenbai.gov.vn');
    for (const q of ['Nguyen Van An', 'nguyễn văn an', 'NGUYEN VAN AN']) {
      const res = await web.get(`/mail/contacts?q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      expect(names(res.text)).toEqual(['Nguyễn Văn An', 'Nguyễn Văn An']);
    }
    expect(names((await web.get('/mail/contacts?q=dang')).text)).toEqual(['Đặng Văn Hùng']);
    expect(names((await web.get('/mail/contacts?q=%C4%90%E1%BA%B7ng%20H%C3%B9ng')).text)).toEqual(['Đặng Văn Hùng']);
  });

  it('lists active people, agency mailboxes and groups (no disabled or system accounts) with their agency and a compose link', async () => {
    const web = await c.login('binhtt@yenbai.gov.vn');
    const res = await web.get('/mail/contacts?q=yenbai');
    expect(res.text).toContain('Văn phòng Sở Nội vụ');
    expect(res.text).toContain('Hộp thư cơ quan');
    expect(res.text).toContain('Lãnh đạo tỉnh');
    expect(res.text).not.toContain('nghihuu@');
    expect(res.text).not.toContain('postmaster@');
    expect(res.text).toContain('<a href="/mail/compose?to=anhnt%40yenbai.gov.vn">Soạn thư</a>');
    expect(res.text).toContain('<td>Sở Nội vụ</td>');
  });

  it('sorts in Vietnamese order (Đ after D) and pages by 50', async () => {
    const web = await c.login('binhtt@yenbai.gov.vn');
    const first = await web.get('/mail/contacts');
    const all = names(first.text);
    const order = all.map((n) => n.normalize('NFC'));
    const collator = new Intl.Collator('vi');
    expect(order).toEqual([...order].sort((a, b) => collator.compare(a, b)));
    // Đ is a letter of its own after D, so "Đặng" comes before "Lê" but after any "D…"
    expect(order.indexOf('Đặng Văn Hùng')).toBeLessThan(order.indexOf('Lê Đức Cường'));
    expect(first.text).toContain('22 kết quả');
    for (let i = 0; i < 30; i++) await addAccount(c.server.runtime.db, { address: `tt${i}@yenbai.gov.vn`, displayName: `Thực tập ${i}`, quotaBytes: 1 << 20 });
    const page1 = await web.get('/mail/contacts');
    expect(page1.text).toContain('52 kết quả');
    expect(names(page1.text)).toHaveLength(50);
    expect(page1.text).toContain('<a href="/mail/contacts?page=2">Trang sau ›</a>');
    const page2 = await web.get('/mail/contacts?page=2');
    expect(names(page2.text)).toHaveLength(2);
    expect(page2.text).toContain('<a href="/mail/contacts?page=1">‹ Trang trước</a>');
  });

  it('narrows to an agency', async () => {
    const web = await c.login('binhtt@yenbai.gov.vn');
    const res = await web.get(`/mail/contacts?agency=${stc.id}`);
    expect(names(res.text).sort()).toEqual(['Nguyễn Văn An', 'Đặng Văn Hùng'].sort());
    expect(res.text).toContain(`<option value="${snv.id}">Sở Nội vụ</option>`);
  });

  it('answers the compose form\'s suggestions as JSON: at most 10, folded search', async () => {
    const web = await c.login('binhtt@yenbai.gov.vn');
    const res = await web.get('/mail/contacts.json?q=nhan%20vien');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const list = JSON.parse(res.text) as Array<{ name: string; address: string; agency: string | null; kind: string }>;
    expect(list).toHaveLength(10);
    expect(list[0]).toEqual({ name: 'Nhân viên số 0', address: 'nv0@yenbai.gov.vn', agency: 'Sở Nội vụ', kind: 'person' });
    expect(JSON.parse((await web.get('/mail/contacts.json?q=anh')).text).map((e: { address: string }) => e.address)).toContain('anhnt@yenbai.gov.vn');
    expect(JSON.parse((await web.get('/mail/contacts.json?q=')).text)).toEqual([]);
  });

  it('is for logged-in staff only', async () => {
    const res = await fetch(`${c.base}/mail/contacts.json?q=nguyen`, { redirect: 'manual' });
    expect(res.status).toBe(303);
  });
});
