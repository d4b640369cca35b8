import { readFileSync } from 'node:fs';
import { Client } from 'ldapts';
import type { Config } from '../config/index.js';
import { UserError } from '../shared/errors.js';

export type LdapSourceConfig = NonNullable<Config['provisioning']['ldap']>;

/** Turns ldapts and socket errors into a sentence an administrator can act on. */
export function explain(err: unknown, cfg: LdapSourceConfig, what: string): UserError {
  const e = err as { code?: number | string; message?: string };
  const base = `LDAP ${cfg.url}: ${what} failed`;
  // RFC 4511 §4.1.9 result codes
  if (e.code === 49) return new UserError('ldap-bind', `${base}: invalid credentials for ${cfg.bindDn ?? '(anonymous)'}; check provisioning.ldap.bindDn and bindPassword`);
  if (e.code === 32) return new UserError('ldap-search', `${base}: no such object; check the base DN in provisioning.ldap`);
  if (e.code === 4) return new UserError('ldap-search', `${base}: the server's size limit was reached; lower provisioning.ldap.pageSize`);
  if (e.code === 'ECONNREFUSED') return new UserError('ldap-connect', `${base}: connection refused; is the directory listening there?`);
  if (typeof e.code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO|HOSTNAME|ERR_TLS/.test(e.code)) {
    return new UserError('ldap-tls', `${base}: the directory's certificate is not trusted (${e.code}); set provisioning.ldap.caFile`);
  }
  return new UserError('ldap-error', `${base}: ${e.message ?? String(err)}`);
}

/**
 * A connection to the directory, ready for searches: TLS from the start (ldaps://) or
 * StartTLS, then the service account's simple bind (anonymous without one).
 */
export async function openDirectory(cfg: LdapSourceConfig): Promise<{ client: Client; tlsOptions: { ca?: Buffer[]; rejectUnauthorized: boolean } }> {
  const tlsOptions = { ...(cfg.caFile ? { ca: [readFileSync(cfg.caFile)] } : {}), rejectUnauthorized: cfg.tlsVerify };
  // ldaps:// takes the TLS options at connection; ldap:// at StartTLS (given at both, ldapts's StartTLS fails)
  const client = new Client({ url: cfg.url, timeout: cfg.timeoutMs, connectTimeout: cfg.timeoutMs, ...(cfg.url.startsWith('ldaps:') ? { tlsOptions } : {}) });
  try {
    // RFC 4511 §4.14: StartTLS before any credentials travel
    if (cfg.startTls) await client.startTLS(tlsOptions).catch((err: unknown) => Promise.reject(explain(err, cfg, 'StartTLS')));
    if (cfg.bindDn) await client.bind(cfg.bindDn, cfg.bindPassword ?? '').catch((err: unknown) => Promise.reject(explain(err, cfg, 'bind')));
    return { client, tlsOptions };
  } catch (err) {
    await client.unbind().catch(() => {});
    throw err;
  }
}
