import type { FastifyRequest } from 'fastify';
import type { WebDeps } from '../cli/web.js';
import type { Account } from '../identity/accounts.js';
import type { RoleScope } from '../identity/roles.js';
import { scopesOf } from '../identity/roles.js';
import { HopthuError } from '../shared/errors.js';
import { translator, type Catalogue, type Locale, type Translate } from './i18n/catalogue.js';
import { LocaleFormat } from './i18n/format.js';
import type { WebSession } from '../identity/web-sessions.js';
import { COMMON } from './strings.js';

/** What the webmail and the console stand on: the web role's context (with the directory's password check). */
export type WebmailDeps = WebDeps;

/**
 * Who asks and how to answer them, made for every request before its handler runs:
 * the language, the session (when the cookie opens one), the account (when the session
 * is through every login step) and the CSRF token the page's forms must carry.
 */
export interface WebContext {
  deps: WebmailDeps;
  locale: Locale;
  format: LocaleFormat;
  /** the page came over TLS (directly or through a trusted proxy): cookies get Secure */
  secure: boolean;
  ip: string;
  session: WebSession | undefined;
  /** set for a session that is 'ready' */
  account: Account | undefined;
  /** the value every form's hidden `_csrf` field carries */
  csrfToken: string;
  /** the common strings (page frame, errors) in the page's language */
  t: Translate<keyof (typeof COMMON)['vi'] & string>;
  /** the administrative roles of the account, without the `user` every account has (loaded on first use) */
  scopes(): Promise<RoleScope[]>;
  /** a part's own strings in the page's language */
  strings<K extends string>(catalogue: Catalogue<K>): Translate<K>;
}

declare module 'fastify' {
  interface FastifyRequest {
    web: WebContext;
  }
  interface FastifyContextConfig {
    /**
     * Who may open the route: 'public' (login pages), 'second-factor' and
     * 'change-password' (the login steps), 'user' (every staff page; the default),
     * 'console' (an account with an administrative role).
     */
    access?: 'public' | 'second-factor' | 'change-password' | 'user' | 'console';
  }
}

export function makeContext(
  deps: WebmailDeps,
  req: FastifyRequest,
  parts: { locale: Locale; session: WebSession | undefined; account: Account | undefined; csrfToken: string },
): WebContext {
  let scopes: Promise<RoleScope[]> | undefined;
  return {
    deps,
    ...parts,
    format: LocaleFormat.of(parts.locale, deps.config.web.timeZone),
    secure: req.protocol === 'https',
    ip: req.ip,
    t: translator(parts.locale, COMMON),
    // every account is a user; the console cares only for the administrative roles on top
    scopes: () => (scopes ??= parts.account ? scopesOf(deps.db, parts.account.id).then((all) => all.filter((s) => s.role !== 'user')) : Promise.resolve([])),
    strings: (catalogue) => translator(parts.locale, catalogue),
  };
}

/** The account of a request whose route has access 'user' or 'console' (the access hook guarantees it). */
export function accountOf(req: FastifyRequest): Account {
  const { account } = req.web;
  if (!account) throw new Error('a staff page ran without a logged-in account; its route must not be public');
  return account;
}

/** An HTTP refusal the error page shows: 403, 404, 413 with a sentence from the catalogue. */
export class PageError extends HopthuError {
  override name = 'PageError';
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 413,
    message: string,
  ) {
    super(`http-${status}`, message);
  }
}
