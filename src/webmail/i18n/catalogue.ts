/**
 * The message catalogue. Vietnamese is the default language and English the other; each
 * part of the webmail declares its strings for both with `catalogue(vi, en)`, and the
 * compiler refuses an English table that lacks a Vietnamese key or has one too many
 * (an object literal's excess key).
 * Strings take `{name}` parameters; a key ending in `_one` is used instead of the plain
 * key for a count of 1 where the language has a singular (English).
 */
export const LOCALES = ['vi', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'vi';

export const isLocale = (value: unknown): value is Locale => typeof value === 'string' && (LOCALES as readonly string[]).includes(value);

export type Catalogue<K extends string> = Readonly<Record<Locale, Readonly<Record<K, string>>>>;

/** Declares one part's strings in both languages. */
export function catalogue<const V extends Record<string, string>>(vi: V, en: { readonly [K in keyof V]: string }): Catalogue<keyof V & string> {
  return { vi, en } as Catalogue<keyof V & string>;
}

export type Params = Readonly<Record<string, string | number>>;

/** A function that gives a key's text in one language with its parameters filled in. */
export type Translate<K extends string> = (key: K, params?: Params) => string;

const fill = (text: string, params: Params | undefined) =>
  params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : text;

export function translator<K extends string>(locale: Locale, strings: Catalogue<K>): Translate<K> {
  const table = strings[locale] as Readonly<Record<string, string>>;
  return (key, params) => {
    const count = params?.count;
    const singular = count === 1 ? table[`${key}_one`] : undefined;
    return fill(singular ?? table[key] ?? key, params);
  };
}
