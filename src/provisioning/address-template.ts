import type { NameParts } from './names.js';

/** RFC 5321 §4.5.3.1.1: a local part is at most 64 octets */
const MAX_LOCAL_PART = 64;

/** Local parts never handed out to a person or agency (RFC 2142 role mailboxes and the usual system names). */
export const RESERVED_LOCAL_PARTS: readonly string[] = [
  'postmaster', 'abuse', 'admin', 'administrator', 'root', 'hostmaster', 'webmaster', 'noreply', 'no-reply',
  'mailer-daemon', 'nobody', 'security', 'support', 'info', 'marketing', 'sales', 'noc', 'usenet', 'news', 'uucp',
  'ftp', 'www', 'listmaster', 'list', 'daemon', 'system', 'operator', 'help', 'dmarc', 'dmarc-reports', 'tls-reports',
];

const TOKEN = /\{([a-zA-Z]+)\}/g;
const PERSON_TOKENS = new Set(['given', 'surname', 'middle', 'initials', 'surnameInitial', 'agency']);

/** Throws, naming the token, when a template uses one that does not exist. */
export function checkTemplate(template: string, allowed: ReadonlySet<string> = PERSON_TOKENS): void {
  for (const [, token] of template.matchAll(TOKEN)) {
    if (!allowed.has(token!)) throw new Error(`unknown token {${token}} in address template "${template}"; allowed: ${[...allowed].map((t) => `{${t}}`).join(' ')}`);
  }
}

/** Lower-case letters, digits, '.', '_' and '-', no dot at either end or twice in a row. */
export function cleanLocalPart(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '')
    .replace(/\.{2,}/g, '.')
    .replace(/^[._-]+|[._-]+$/g, '');
}

function render(template: string, values: Record<string, string>): string {
  return template.replace(TOKEN, (_, token: string) => values[token] ?? '');
}

/** The first-choice local part of a person, e.g. "annv" for Nguyễn Văn An with {given}{initials}. */
export function personLocalPart(template: string, name: NameParts, agencyCode = ''): string {
  const initials = [name.surname, ...name.middle].map((w) => w.charAt(0)).join('');
  const local = render(template, {
    given: name.given,
    surname: name.surname,
    middle: name.middle.join(''),
    initials,
    surnameInitial: name.surname.charAt(0),
    agency: agencyCode.toLowerCase(),
  });
  return cleanLocalPart(local).slice(0, MAX_LOCAL_PART);
}

/** The first-choice local part of an agency mailbox, e.g. "snv" for agency code SNV. */
export function agencyLocalPart(template: string, code: string): string {
  return cleanLocalPart(render(template, { code: code.toLowerCase() })).slice(0, MAX_LOCAL_PART);
}

/**
 * The local parts to try, in order: the base, then each collision suffix ({n} counts 2,
 * 3, …; {agency} is the agency code). A suffix with {n} is tried until one is free, so it
 * comes last; when none has {n}, numbers follow the last suffix.
 */
export function* localPartCandidates(base: string, suffixes: readonly string[], agencyCode = ''): Generator<string> {
  const agency = cleanLocalPart(agencyCode);
  const fit = (suffix: string) => cleanLocalPart(base.slice(0, MAX_LOCAL_PART - suffix.length) + suffix);
  yield base;
  for (const suffix of suffixes) {
    if (suffix.includes('{n}')) {
      for (let n = 2; n < 100_000; n++) yield fit(render(suffix, { n: String(n), agency }));
      return;
    }
    yield fit(render(suffix, { agency }));
  }
  const last = render(suffixes.at(-1) ?? '', { agency });
  for (let n = 2; n < 100_000; n++) yield fit(`${last}${n}`);
}
