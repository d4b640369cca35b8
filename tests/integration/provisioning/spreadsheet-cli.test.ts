import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { createTestEnv, type TestEnv } from '../../support/harness.js';
import { runCli } from '../../support/cli.js';
import { addTestDomain } from '../../support/fixtures.js';
import { createPool, type Db } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import type { Plan } from '../../../src/provisioning/plan-types.js';
import { accounts } from './helpers.js';

let env: TestEnv;
let db: Db;
let cliEnv: Record<string, string>;
const hopthu = (args: string[]) => runCli(args, cliEnv);
const file = (name: string) => path.join(env.dir, name);

const HEADER = 'Mã cán bộ;Họ và tên;Email;Chức vụ;Mã đơn vị;Tên đơn vị;Mã đơn vị cấp trên';
const GOOD = [
  'CB001;Nguyễn Văn An;;Chuyên viên;SNV;Sở Nội vụ;',
  'CB002;Đặng Thị Thu Hà;;Trưởng phòng;SNV-TC;Phòng Tổ chức;SNV',
  'CB003;Giàng A Páo;;Công chức;XA-SP;UBND xã Sủng Phài;',
  'CB004;Giàng A Páo;;Công chức;XA-SP;UBND xã Sủng Phài;',
];
const BAD = ['CB005;;;;SNV;;', ';Lò Văn Xuân;;;SNV;;', 'CB001;Trùng Mã;;;SNV;;', 'CB006;Sùng Thị Mỷ;mỷ@@tinh;;SNV;;'];

beforeAll(async () => {
  env = await createTestEnv();
  db = createPool(env.databaseUrl, 4);
  await migrate(db);
  await addTestDomain(db, 'tinh.gov.vn');
  cliEnv = {
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redis.url,
    HOPTHU_DATA_DIR: path.join(env.dir, 'data'),
    HOPTHU_PROVISIONING__DOMAIN: 'tinh.gov.vn',
  };
  // as Excel saves "CSV UTF-8" in a Vietnamese locale: BOM, semicolons, CRLF
  writeFileSync(file('nhansu.csv'), `\ufeff${[HEADER, ...GOOD.slice(0, 2), ...BAD, ...GOOD.slice(2)].join('\r\n')}\r\n`);
});

afterAll(async () => {
  await db?.end();
  await env?.stop();
});

describe('hopthu provision with an HR spreadsheet', { timeout: 120_000 }, () => {
  it('plan reports the bad rows with their numbers and plans the good ones', async () => {
    const r = await hopthu(['provision', 'plan', '--source', 'csv', '--file', file('nhansu.csv'), '--out', file('plan.json')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('4 rows or entries could not be read and are left out:');
    expect(r.stdout).toContain('row 4: no name in column "Họ và tên"');
    expect(r.stdout).toContain('row 5: no staff id in column "Mã cán bộ"');
    expect(r.stdout).toContain('row 6: staff id CB001 appears again (first on row 2)');
    expect(r.stdout).toContain('row 7: "mỷ@@tinh" in column "Email" is not an email address');
    const plan = JSON.parse(readFileSync(file('plan.json'), 'utf8')) as Plan;
    expect(plan.counts).toEqual({ 'agency.create': 3, 'account.create': 4 });
    expect(plan.items.filter((i) => i.op === 'account.create').map((i) => (i as { address: string }).address)).toEqual([
      'annv@tinh.gov.vn', 'hadtt@tinh.gov.vn', 'paoga@tinh.gov.vn', 'paoga2@tinh.gov.vn',
    ]);
  });

  it('apply runs the plan as a job with progress, then the same plan again does nothing', async () => {
    const r = await hopthu(['provision', 'apply', file('plan.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run 1 done: 7 items applied/);
    expect(r.stderr).toContain('100%');
    expect((await accounts(db)).map((a) => [a.external_id, a.address, a.display_name, a.title, a.agency_code])).toEqual([
      ['CB001', 'annv@tinh.gov.vn', 'Nguyễn Văn An', 'Chuyên viên', 'SNV'],
      ['CB002', 'hadtt@tinh.gov.vn', 'Đặng Thị Thu Hà', 'Trưởng phòng', 'SNV-TC'],
      ['CB003', 'paoga@tinh.gov.vn', 'Giàng A Páo', 'Công chức', 'XA-SP'],
      ['CB004', 'paoga2@tinh.gov.vn', 'Giàng A Páo', 'Công chức', 'XA-SP'],
    ]);
    const again = await hopthu(['provision', 'apply', file('plan.json')]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/was applied by run 1 .*nothing to do/);
    const status = await hopthu(['provision', 'status', '1', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: 1, status: 'done', totalItems: 7, doneItems: 7, percent: 100 });
  });

  it('an XLSX sheet of the same people plans nothing; one without a person plans the disable', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Cán bộ');
    ws.addRow(HEADER.split(';'));
    for (const line of GOOD.slice(0, 3)) ws.addRow(line.split(';'));
    writeFileSync(file('nhansu.xlsx'), Buffer.from(await wb.xlsx.writeBuffer()));
    const r = await hopthu(['provision', 'plan', '--source', 'xlsx', '--file', file('nhansu.xlsx'), '--out', file('plan2.json')]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(readFileSync(file('plan2.json'), 'utf8')) as Plan;
    expect(plan.items).toEqual([{ op: 'account.disable', address: 'paoga2@tinh.gov.vn', externalId: 'CB004' }]);
    // one of four is 25%: more than the 5% limit
    expect(r.stdout).toContain('STOP: the plan disables 1 of 4 provisioned accounts (25.0%, limit 5.0%)');
    const refused = await hopthu(['provision', 'apply', file('plan2.json')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/disables 1 of 4 provisioned accounts .*--allow-mass-disable/);
    expect((await accounts(db)).find((a) => a.external_id === 'CB004')!.status).toBe('active');
    const forced = await hopthu(['provision', 'apply', file('plan2.json'), '--allow-mass-disable']);
    expect(forced.code).toBe(0);
    expect((await accounts(db)).find((a) => a.external_id === 'CB004')!.status).toBe('disabled');
  });

  it('credentials export the activation codes per agency as CSV and as a printable HTML sheet', async () => {
    const csv = await hopthu(['provision', 'credentials', '1', '--agency', 'SNV']);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toBe('Họ và tên,Chức vụ,Đơn vị,Địa chỉ thư,Mã kích hoạt,Hết hạn');
    // SNV and the agencies below it (SNV-TC)
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
      'Nguyễn Văn An,Chuyên viên,Sở Nội vụ,annv@tinh.gov.vn',
      'Đặng Thị Thu Hà,Trưởng phòng,Phòng Tổ chức,hadtt@tinh.gov.vn',
    ]);
    expect(lines[1]!.split(',')[4]).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
    const html = await hopthu(['provision', 'credentials', '1', '--agency', 'XA-SP', '--format', 'html', '--out', file('codes.html')]);
    expect(html.stdout).toContain('2 activation codes written to');
    const page = readFileSync(file('codes.html'), 'utf8');
    expect(page).toContain('<h1>UBND xã Sủng Phài</h1>');
    expect(page.match(/class="slip"/g)).toHaveLength(2);
    expect(page).toContain('paoga2@tinh.gov.vn');
    // an expired code is dropped: it can no longer be handed out
    await db.query(`UPDATE provisioning_credentials SET expires_at = now() - interval '1 day' WHERE account_id = (SELECT id FROM accounts WHERE address = 'paoga2@tinh.gov.vn')`);
    const after = await hopthu(['provision', 'credentials', '1', '--agency', 'XA-SP']);
    expect(after.stdout.trim().split('\r\n').slice(1).map((l) => l.split(',')[3])).toEqual(['paoga@tinh.gov.vn']);
    const bad = await hopthu(['provision', 'credentials', '1', '--format', 'pdf']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format pdf: use csv or html');
  });
});
