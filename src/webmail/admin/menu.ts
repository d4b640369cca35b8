import type { RoleScope } from '../../identity/roles.js';
import { catalogue } from '../i18n/catalogue.js';
import { html, type SafeHtml } from '../html.js';
import type { WebContext } from '../context.js';

export const MENU_STRINGS = catalogue(
  {
    'menu.title': 'Quản trị',
    'menu.home': 'Tổng quan',
    'menu.accounts': 'Tài khoản',
    'menu.provisioning': 'Đồng bộ & nhập danh sách',
    'menu.audit': 'Nhật ký kiểm toán',
    'menu.logins': 'Đăng nhập thất bại & khóa',
    'menu.domains': 'Tên miền',
    'menu.queue': 'Hàng đợi thư',
    'menu.groups': 'Nhóm thư',
    'menu.inspections': 'Thanh tra hộp thư',
  },
  {
    'menu.title': 'Administration',
    'menu.home': 'Overview',
    'menu.accounts': 'Accounts',
    'menu.provisioning': 'Sync & import',
    'menu.audit': 'Audit log',
    'menu.logins': 'Failed logins & lockouts',
    'menu.domains': 'Domains',
    'menu.queue': 'Mail queue',
    'menu.groups': 'Groups',
    'menu.inspections': 'Mailbox inspections',
  },
);

type MenuKey = keyof (typeof MENU_STRINGS)['vi'];
export type Role = RoleScope['role'];

/**
 * The console's pages and the roles that see each: HR officers (agency-admin) and
 * domain admins manage accounts; auditors read the log; superadmins see everything.
 * A page checks the role itself too: the menu only hides what a role may not open.
 */
export const CONSOLE_PAGES: ReadonlyArray<{ key: MenuKey; path: string; roles: readonly Role[] }> = [
  { key: 'menu.home', path: '/admin/', roles: ['superadmin', 'domain-admin', 'agency-admin', 'auditor'] },
  { key: 'menu.accounts', path: '/admin/accounts', roles: ['superadmin', 'domain-admin', 'agency-admin'] },
  { key: 'menu.provisioning', path: '/admin/provisioning', roles: ['superadmin', 'agency-admin'] },
  { key: 'menu.audit', path: '/admin/audit', roles: ['superadmin', 'auditor'] },
  { key: 'menu.logins', path: '/admin/logins', roles: ['superadmin', 'auditor'] },
  { key: 'menu.inspections', path: '/admin/inspections', roles: ['superadmin', 'auditor'] },
  { key: 'menu.domains', path: '/admin/domains', roles: ['superadmin'] },
  { key: 'menu.queue', path: '/admin/queue', roles: ['superadmin'] },
  { key: 'menu.groups', path: '/admin/groups', roles: ['superadmin', 'domain-admin'] },
];

/** Whether any of the account's scopes has one of the roles. */
export const hasRole = (scopes: readonly RoleScope[], roles: readonly Role[]) => scopes.some((s) => roles.includes(s.role));

/** The console's side menu for the account's roles, the current page marked. */
export async function consoleMenu(ctx: WebContext, currentPath: string): Promise<SafeHtml> {
  const t = ctx.strings(MENU_STRINGS);
  const scopes = await ctx.scopes();
  const pages = CONSOLE_PAGES.filter((p) => hasRole(scopes, p.roles));
  return html`<nav class="menu" aria-label="${t('menu.title')}"><ul>${pages.map(
    (p) => html`<li><a href="${p.path}"${p.path === currentPath ? html` aria-current="page"` : ''}>${t(p.key)}</a></li>`,
  )}</ul></nav>`;
}
