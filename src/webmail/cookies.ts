/** The webmail's three cookies, made and read without a library. */
export const SESSION_COOKIE = 'hopthu_session';
/** the CSRF token of a form shown before login (RFC 6265bis "double submit") */
export const PRE_LOGIN_COOKIE = 'hopthu_pre';
export const LANGUAGE_COOKIE = 'hopthu_lang';

export function readCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

export interface CookieOptions {
  /** seconds; absent: a browser-session cookie; 0: delete */
  maxAge?: number;
  /** Secure when the page came over TLS (directly or through a trusted proxy) */
  secure: boolean;
  /** HttpOnly for everything script must not read (the session) */
  httpOnly: boolean;
}

/** RFC 6265 §4.1: one Set-Cookie value; SameSite=Lax keeps other sites' forms from carrying it. */
export function cookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, 'Path=/', 'SameSite=Lax'];
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  if (options.httpOnly) parts.push('HttpOnly');
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
