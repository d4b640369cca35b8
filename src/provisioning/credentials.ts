import type { Queryable } from '../store/db.js';
import { UserError } from '../shared/errors.js';
import { getAgency } from '../identity/agencies.js';

/** One new account's first-login sheet line. */
export interface Credential {
  address: string;
  displayName: string;
  title: string;
  agencyCode: string | null;
  agencyName: string | null;
  code: string;
  expiresAt: Date | null;
}

/**
 * The activation codes a run made, for one agency (and the agencies below it) or all.
 * The codes are kept readable only for these sheets, and only until they expire: expired
 * ones are deleted here first (activation_codes itself keeps only their SHA-256).
 */
export async function runCredentials(db: Queryable, runId: number, agencyCode?: string): Promise<Credential[]> {
  await db.query('DELETE FROM provisioning_credentials WHERE expires_at < now()');
  const agency = agencyCode ? await getAgency(db, agencyCode) : undefined;
  const { rows } = await db.query<{ address: string; display_name: string; title: string; code: string; expires_at: Date | null; agency_code: string | null; agency_name: string | null }>(
    `WITH RECURSIVE sub(id) AS (SELECT $2::bigint UNION SELECT a.id FROM agencies a JOIN sub ON a.parent_id = sub.id)
     SELECT ac.address, ac.display_name, ac.title, c.code, c.expires_at, ag.code AS agency_code, ag.name AS agency_name
       FROM provisioning_credentials c JOIN accounts ac ON ac.id = c.account_id LEFT JOIN agencies ag ON ag.id = c.agency_id
      WHERE c.run_id = $1 AND ($2::bigint IS NULL OR c.agency_id IN (SELECT id FROM sub))
      ORDER BY ag.code NULLS FIRST, ac.display_name, ac.address`,
    [runId, agency?.id ?? null],
  );
  const { rowCount } = await db.query('SELECT 1 FROM provisioning_runs WHERE id = $1', [runId]);
  if (!rowCount) throw new UserError('no-such-run', `there is no provisioning run ${runId}`);
  return rows.map((r) => ({ address: r.address, displayName: r.display_name, title: r.title, agencyCode: r.agency_code, agencyName: r.agency_name, code: r.code, expiresAt: r.expires_at }));
}

/** RFC 4180 CSV with a UTF-8 BOM, so Excel shows Vietnamese names right. */
export function credentialsCsv(list: readonly Credential[]): string {
  const q = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [['Họ và tên', 'Chức vụ', 'Đơn vị', 'Địa chỉ thư', 'Mã kích hoạt', 'Hết hạn'].join(',')];
  for (const c of list) lines.push([c.displayName, c.title, c.agencyName ?? '', c.address, c.code, c.expiresAt?.toISOString().slice(0, 10) ?? ''].map(q).join(','));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A printable sheet: one cut-out slip per person, grouped by agency, each agency on its own page. */
export function credentialsHtml(list: readonly Credential[], options: { webmailUrl?: string; runId: number }): string {
  const byAgency = new Map<string, Credential[]>();
  for (const c of list) {
    const key = c.agencyName ?? 'Không thuộc đơn vị';
    byAgency.set(key, [...(byAgency.get(key) ?? []), c]);
  }
  const slip = (c: Credential) => `
    <div class="slip">
      <div class="name">${escapeHtml(c.displayName)}</div>
      ${c.title ? `<div class="title">${escapeHtml(c.title)}</div>` : ''}
      <table>
        <tr><th>Địa chỉ thư</th><td class="mono">${escapeHtml(c.address)}</td></tr>
        <tr><th>Mã kích hoạt</th><td class="mono code">${escapeHtml(c.code)}</td></tr>
        <tr><th>Hết hạn</th><td>${c.expiresAt ? escapeHtml(c.expiresAt.toISOString().slice(0, 10)) : ''}</td></tr>
      </table>
      <p class="how">Mở ${escapeHtml(options.webmailUrl ?? 'trang thư điện tử')}, chọn “Kích hoạt tài khoản”, nhập mã trên và đặt mật khẩu của mình. Mã chỉ dùng được một lần.</p>
    </div>`;
  const sections = [...byAgency].map(
    ([agency, people]) => `
  <section>
    <h1>${escapeHtml(agency)}</h1>
    <p class="meta">${people.length} tài khoản mới · đợt cấp ${options.runId}</p>
    ${people.map(slip).join('')}
  </section>`,
  );
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>Mã kích hoạt tài khoản thư điện tử</title>
<style>
  body { font-family: "Times New Roman", serif; margin: 1.5cm; color: #000; }
  h1 { font-size: 16pt; margin: 0 0 .2em; }
  .meta { margin: 0 0 1em; color: #444; }
  section { page-break-after: always; }
  section:last-child { page-break-after: auto; }
  .slip { border: 1px dashed #555; padding: .6em .8em; margin: 0 0 .8em; page-break-inside: avoid; }
  .name { font-weight: bold; font-size: 13pt; }
  .title { font-style: italic; }
  th { text-align: left; font-weight: normal; padding-right: 1em; }
  .mono { font-family: "Courier New", monospace; }
  .code { font-size: 14pt; letter-spacing: .05em; }
  .how { font-size: 10pt; margin: .4em 0 0; }
</style>
</head>
<body>${sections.join('') || '<p>Không có tài khoản mới nào.</p>'}
</body>
</html>
`;
}
