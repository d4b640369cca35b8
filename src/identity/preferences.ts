import type { Queryable } from '../store/db.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError } from '../shared/errors.js';
import { getAccountById } from './accounts.js';
import { inTransaction, type ChangedBy } from './secret-codes.js';

/**
 * What a person sets on the webmail's settings page: the language of the pages, the
 * signature put under new messages, and the vacation auto-reply (sent by
 * delivery/vacation.ts). One row per account in `account_preferences` (migration 018),
 * made on the first change; an account without one has the defaults.
 */

export type Language = 'vi' | 'en';
export const LANGUAGES: readonly Language[] = ['vi', 'en'];

/** The bounds every check below uses; the table's CHECK constraints say the same. */
export const PREFERENCE_LIMITS = {
  signatureChars: 2000,
  vacationSubjectChars: 200,
  vacationBodyChars: 5000,
  // RFC 5230 §4.1: :days is at least 1, 7 when not given; a site may set a maximum
  vacationMinDays: 1,
  vacationMaxDays: 365,
  vacationDefaultDays: 7,
} as const;

export interface Vacation {
  enabled: boolean;
  /** the reply's subject; '' means "Auto: " and the subject of the message answered */
  subject: string;
  /** the reply's text, plain, lines ending in LF */
  body: string;
  /** first day replies go out ('YYYY-MM-DD', server time zone); null: as soon as enabled */
  start: string | null;
  /** last day replies go out, included; null: until switched off */
  end: string | null;
  /** days before the same sender is answered again */
  days: number;
}

export interface Preferences {
  language: Language;
  /** plain text, lines ending in LF; '' for none */
  signature: string;
  vacation: Vacation;
}

export const DEFAULT_PREFERENCES: Readonly<Preferences> = Object.freeze({
  language: 'vi',
  signature: '',
  vacation: Object.freeze({ enabled: false, subject: '', body: '', start: null, end: null, days: PREFERENCE_LIMITS.vacationDefaultDays }),
});

interface PreferencesRow {
  language: Language;
  signature: string;
  vacation_enabled: boolean;
  vacation_subject: string;
  vacation_body: string;
  vacation_start: string | null;
  vacation_end: string | null;
  vacation_days: number;
}

// dates as text: a JavaScript Date would move them by the time zone
const COLUMNS = `language, signature, vacation_enabled, vacation_subject, vacation_body,
  to_char(vacation_start, 'YYYY-MM-DD') AS vacation_start, to_char(vacation_end, 'YYYY-MM-DD') AS vacation_end, vacation_days`;

export const toVacation = (r: Omit<PreferencesRow, 'language' | 'signature'>): Vacation => ({
  enabled: r.vacation_enabled, subject: r.vacation_subject, body: r.vacation_body, start: r.vacation_start, end: r.vacation_end, days: r.vacation_days,
});

const toPreferences = (r: PreferencesRow): Preferences => ({ language: r.language, signature: r.signature, vacation: toVacation(r) });

/** The account's preferences, the defaults where it has set none. */
export async function getPreferences(db: Queryable, accountId: number): Promise<Preferences> {
  const { rows } = await db.query<PreferencesRow>(`SELECT ${COLUMNS} FROM account_preferences WHERE account_id = $1`, [accountId]);
  return rows[0] ? toPreferences(rows[0]) : structuredClone(DEFAULT_PREFERENCES) as Preferences;
}

/** Sets the language of the webmail's pages: 'vi' or 'en'. */
export async function setLanguage(db: Queryable, accountId: number, language: string, by: ChangedBy): Promise<Preferences> {
  if (!LANGUAGES.includes(language as Language)) {
    throw new UserError('bad-language', `"${language}" is not a language of the webmail: choose vi (Tiếng Việt) or en (English)`);
  }
  return change(db, accountId, by, 'account.language', (p) => ({ ...p, language: language as Language }));
}

/** Sets the signature (plain text, at most 2,000 characters; '' removes it). */
export async function setSignature(db: Queryable, accountId: number, signature: string, by: ChangedBy): Promise<Preferences> {
  const text = plainText(signature);
  if ([...text].length > PREFERENCE_LIMITS.signatureChars) {
    throw new UserError('signature-too-long', `the signature has ${[...text].length} characters; at most ${PREFERENCE_LIMITS.signatureChars} are allowed`);
  }
  if (hasControlCharacters(text)) throw new UserError('bad-signature', 'the signature contains control characters; use plain text only');
  return change(db, accountId, by, 'account.signature', (p) => ({ ...p, signature: text }));
}

/**
 * Sets the vacation auto-reply; fields left out keep their value (`{ enabled: false }`
 * switches it off). A change forgets the senders already answered, so everyone gets
 * the new text once (RFC 5230 §4.2 allows resetting the list).
 */
export async function setVacation(db: Queryable, accountId: number, vacation: Partial<Vacation>, by: ChangedBy): Promise<Preferences> {
  return change(db, accountId, by, 'account.vacation', (p) => ({ ...p, vacation: checkVacation({ ...p.vacation, ...vacation }) }), async (client) => {
    await client.query('DELETE FROM vacation_replies WHERE account_id = $1', [accountId]);
  });
}

/** Validates and normalises a whole vacation setting; throws UserError naming what is wrong. */
export function checkVacation(v: Vacation): Vacation {
  const subject = v.subject.normalize('NFC').trim();
  if (/[\x00-\x1f\x7f]/.test(subject)) throw new UserError('bad-vacation-subject', 'the subject of the auto-reply must be one line of text');
  if ([...subject].length > PREFERENCE_LIMITS.vacationSubjectChars) {
    throw new UserError('vacation-subject-too-long', `the subject of the auto-reply has ${[...subject].length} characters; at most ${PREFERENCE_LIMITS.vacationSubjectChars} are allowed`);
  }
  const body = plainText(v.body);
  if ([...body].length > PREFERENCE_LIMITS.vacationBodyChars) {
    throw new UserError('vacation-body-too-long', `the text of the auto-reply has ${[...body].length} characters; at most ${PREFERENCE_LIMITS.vacationBodyChars} are allowed`);
  }
  if (hasControlCharacters(body)) throw new UserError('bad-vacation-body', 'the text of the auto-reply contains control characters; use plain text only');
  if (v.enabled && !body.trim()) throw new UserError('vacation-body-missing', 'write the text of the auto-reply before switching it on');
  const start = checkDay(v.start, 'start');
  const end = checkDay(v.end, 'end');
  if (start && end && end < start) throw new UserError('vacation-end-before-start', `the auto-reply cannot end (${end}) before it starts (${start})`);
  const { vacationMinDays: min, vacationMaxDays: max } = PREFERENCE_LIMITS;
  // RFC 5230 §4.1: the period is a whole number of days, at least 1
  if (!Number.isInteger(v.days) || v.days < min || v.days > max) {
    throw new UserError('bad-vacation-days', `the same sender can be answered again after ${min} to ${max} days, not "${String(v.days)}"`);
  }
  return { enabled: Boolean(v.enabled), subject, body, start, end, days: v.days };
}

function checkDay(day: string | null | undefined, which: 'start' | 'end'): string | null {
  if (day === null || day === undefined || day === '') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!date || date.toISOString().slice(0, 10) !== day) {
    throw new UserError('bad-vacation-date', `the ${which} date of the auto-reply must be a calendar day written YYYY-MM-DD, not "${day}"`);
  }
  return day;
}

/** NFC, LF line ends, no trailing blanks at the end. */
const plainText = (text: string) => text.normalize('NFC').replace(/\r\n?/g, '\n').trimEnd();

/** anything below U+0020 other than tab and line feed, and DEL */
const hasControlCharacters = (text: string) => /[\x00-\x08\x0b-\x1f\x7f]/.test(text);

/**
 * One change in one transaction: the row (made if missing) locked, the new value
 * computed and stored, and, when something changed, `also` run and the audit event
 * written last with the fields that changed, before and after.
 */
async function change(
  db: Queryable,
  accountId: number,
  by: ChangedBy,
  action: string,
  next: (current: Preferences) => Preferences,
  also?: (client: Queryable) => Promise<void>,
): Promise<Preferences> {
  return inTransaction(db, async (client) => {
    const account = await getAccountById(client, accountId);
    await client.query('INSERT INTO account_preferences (account_id) VALUES ($1) ON CONFLICT DO NOTHING', [accountId]);
    const { rows } = await client.query<PreferencesRow>(`SELECT ${COLUMNS} FROM account_preferences WHERE account_id = $1 FOR UPDATE`, [accountId]);
    const current = toPreferences(rows[0]!);
    const updated = next(current);
    const diff = changedFields(flatten(current), flatten(updated));
    if (!diff) return current;
    const v = updated.vacation;
    await client.query(
      `UPDATE account_preferences SET language = $2, signature = $3, vacation_enabled = $4, vacation_subject = $5, vacation_body = $6,
              vacation_start = $7, vacation_end = $8, vacation_days = $9, updated_at = now()
        WHERE account_id = $1`,
      [accountId, updated.language, updated.signature, v.enabled, v.subject, v.body, v.start, v.end, v.days],
    );
    if (also) await also(client);
    await appendAudit(client, { actor: by.actor, action, target: account.address, source: by.source, agencyId: account.agencyId ?? undefined, data: diff });
    return updated;
  });
}

const flatten = (p: Preferences): Record<string, unknown> => ({
  language: p.language,
  signature: p.signature,
  ...Object.fromEntries(Object.entries(p.vacation).map(([k, v]) => [`vacation.${k}`, v])),
});

function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): { before: Record<string, unknown>; after: Record<string, unknown> } | undefined {
  const keys = Object.keys(after).filter((k) => before[k] !== after[k]);
  if (!keys.length) return undefined;
  return { before: Object.fromEntries(keys.map((k) => [k, before[k]])), after: Object.fromEntries(keys.map((k) => [k, after[k]])) };
}
