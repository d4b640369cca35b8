import { UserError } from '../shared/errors.js';
import { BANNED_PASSWORDS } from './banned-passwords.js';

export interface PasswordPolicy {
  minLength: number;
  historyCount: number;
  maxAgeDays: number;
  bannedExtra: readonly string[];
}

/** Why a new password is refused; each is the `code` of the PasswordPolicyError thrown. */
export type PolicyRefusal =
  | 'password-too-short'
  | 'password-too-long'
  | 'password-banned'
  | 'password-contains-name'
  | 'password-contains-address'
  | 'password-reused';

export class PasswordPolicyError extends UserError {
  override name = 'PasswordPolicyError';
  constructor(
    readonly refusal: PolicyRefusal,
    message: string,
  ) {
    super(refusal, message);
  }
}

/** argon2 takes any length; a bound keeps a pasted novel from costing memory and time */
export const MAX_PASSWORD_LENGTH = 256;

/** Whose password it is: name and address parts may not appear in it. */
export interface PasswordOwner {
  address: string;
  displayName: string;
}

/** lower case, diacritics dropped (NFD marks), đ → d: "Nguyễn Văn An" → "nguyen van an" */
export function foldText(text: string): string {
  return text.normalize('NFD').toLowerCase().replace(/\p{M}/gu, '').replace(/đ/g, 'd');
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i', '|': 'l', '+': 't' };
const unleet = (s: string, one = 'i') => [...s].map((c) => (c === '1' ? one : LEET[c] ?? c)).join('');
const alnum = (s: string) => s.replace(/[^a-z0-9]/g, '');
/** the text without its trailing digits and symbols: "matkhau@2024!" → "matkhau" */
const stripSuffix = (s: string) => s.replace(/[^a-z]+$/, '');
/** without leading digits and symbols: "2024yenbai" → "yenbai" */
const stripPrefix = (s: string) => s.replace(/^[^a-z]+/, '');

/**
 * The forms a password is looked up in the banned list under: as typed (folded,
 * letters and digits only), without a digit/symbol suffix or prefix, and with simple
 * leet undone (p@ssw0rd → password, 1loveyou → iloveyou); a word typed twice
 * (matkhaumatkhau) counts as the word, and an all-digit password also by its beginnings.
 */
export function bannedForms(password: string): Set<string> {
  const folded = foldText(password.normalize('NFC')).replace(/\s+/g, '');
  const forms = new Set<string>();
  const add = (s: string) => {
    if (s.length < 2) return;
    forms.add(s);
    const period = repeatPeriod(s);
    if (period < s.length) forms.add(s.slice(0, period));
  };
  const plain = alnum(folded);
  add(plain);
  // digits only: a common number with more digits after it ("123456789123", "88888888xx")
  if (/^\d+$/.test(plain)) for (let n = 6; n < plain.length; n++) add(plain.slice(0, n));
  for (const core of [stripSuffix(folded), stripPrefix(stripSuffix(folded))]) {
    add(alnum(core));
    add(alnum(unleet(core)));
    add(alnum(unleet(core, 'l')));
  }
  // leet in the suffix too: "passw0rd" keeps its 0 inside the word
  add(alnum(stripSuffix(unleet(folded.replace(/[^a-z0-9@$!|+]+$/, '')))));
  return forms;
}

/** the length of the shortest unit the string repeats: "abcabc" → 3, "abcd" → 4 */
function repeatPeriod(s: string): number {
  for (let p = 1; p <= s.length / 2; p++) {
    if (s.length % p === 0 && s.slice(0, p).repeat(s.length / p) === s) return p;
  }
  return s.length;
}

/** "123456789012", "987654", "abcdefghijkl": every character one step from the last (digits wrap 9 → 0) */
function isRun(s: string): boolean {
  if (s.length < 6) return false;
  const digits = /^\d+$/.test(s);
  return [1, -1].some((dir) => {
    for (let i = 1; i < s.length; i++) {
      const a = s.charCodeAt(i - 1);
      const b = s.charCodeAt(i);
      if (digits ? b - 48 !== (a - 48 + dir + 10) % 10 : b - a !== dir) return false;
    }
    return true;
  });
}

const bundled = new Set(BANNED_PASSWORDS);
const extraCache = new WeakMap<readonly string[], Set<string>>();
function extraSet(extra: readonly string[]): Set<string> {
  let set = extraCache.get(extra);
  if (!set) {
    set = new Set(extra.map((w) => alnum(foldText(w))));
    extraCache.set(extra, set);
  }
  return set;
}

/** Words of a display name or address that a password may not contain: 3 letters or more. */
export function personalWords(owner: PasswordOwner): { name: string[]; address: string[] } {
  const nameParts = foldText(owner.displayName).split(/[^a-z0-9]+/).filter(Boolean);
  const name = new Set(nameParts.filter((p) => p.length >= 3));
  // the whole name run together catches the short parts in context: "nguyenvanan", "annguyen"
  if (nameParts.length > 1) {
    name.add(nameParts.join(''));
    name.add([nameParts[nameParts.length - 1], nameParts[0]].join(''));
  }
  const [local = '', domain = ''] = foldText(owner.address).split('@');
  const address = new Set<string>();
  if (local.length >= 3) address.add(alnum(local));
  for (const part of local.split(/[^a-z0-9]+/)) if (part.length >= 3) address.add(part);
  // the organisation's own name (yenbai in yenbai.gov.vn), not the generic labels
  for (const label of domain.split('.')) if (label.length >= 4 && !GENERIC_LABELS.has(label)) address.add(label);
  return { name: [...name], address: [...address].filter((w) => w.length >= 3) };
}
const GENERIC_LABELS = new Set(['mail', 'email', 'gov', 'info', 'online', 'local', 'test', 'example']);

/**
 * Checks a new password against everything but its history (which needs the stored
 * hashes: see password-change.ts). Returns the first refusal, with a sentence a person
 * can act on, or undefined when the password is acceptable.
 */
export function checkPasswordRules(password: string, policy: PasswordPolicy, owner: PasswordOwner): PasswordPolicyError | undefined {
  const length = [...password.normalize('NFC')].length;
  if (length < policy.minLength) return new PasswordPolicyError('password-too-short', `the password has ${length} characters; it needs at least ${policy.minLength}`);
  if (length > MAX_PASSWORD_LENGTH) return new PasswordPolicyError('password-too-long', `the password has ${length} characters; at most ${MAX_PASSWORD_LENGTH} are accepted`);

  const forms = bannedForms(password);
  const extra = extraSet(policy.bannedExtra);
  for (const form of forms) {
    if (bundled.has(form) || extra.has(form)) {
      return new PasswordPolicyError('password-banned', `the password is a common one ("${form}" with small changes); choose words others would not guess`);
    }
  }
  const plain = alnum(foldText(password.normalize('NFC')));
  if (/^(.)\1*$/.test(plain) || isRun(plain)) {
    return new PasswordPolicyError('password-banned', 'the password is one character repeated or a run such as 123456789; choose words others would not guess');
  }

  const words = personalWords(owner);
  const readable = [...new Set([plain, ...forms])];
  const hit = (list: string[]) => list.find((w) => readable.some((f) => f.includes(w)));
  const nameHit = hit(words.name);
  if (nameHit) return new PasswordPolicyError('password-contains-name', `the password contains "${nameHit}" from the account's name; leave your name out of it`);
  const addressHit = hit(words.address);
  if (addressHit) return new PasswordPolicyError('password-contains-address', `the password contains "${addressHit}" from the account's address; leave the address out of it`);
  return undefined;
}
