import { fold } from '../mail/fold.js';

/**
 * A Vietnamese full name in its parts: surname first, given name last, middle names
 * between ("Nguyễn Văn An": Nguyễn / Văn / An; "Giàng A Páo": Giàng / A / Páo; "Sùng Thị
 * Mỷ": Sùng / Thị / Mỷ). Each part is folded to ASCII: diacritics dropped, đ → d, NFD and
 * NFC alike, anything but letters and digits removed ("Mí-Sính" → "misinh").
 */
export interface NameParts {
  surname: string;
  middle: string[];
  given: string;
}

/** The name's words, in NFC, without a bracketed remark ("(Phó)") or repeated white space. */
export function nameWords(fullName: string): string[] {
  return fullName.normalize('NFC').replace(/\([^)]*\)?/gu, ' ').split(/\s+/u).filter((w) => w.length > 0);
}

/** The display form of a name: NFC, single spaces. */
export const displayName = (fullName: string): string => fullName.normalize('NFC').split(/\s+/u).filter(Boolean).join(' ');

/** ASCII letters and digits only, lower-case: what an address is made of. */
export const asciiFold = (text: string): string => fold(text).replace(/[^a-z0-9]/g, '');

/** Undefined when nothing of the name survives folding (an empty or symbol-only name). */
export function nameParts(fullName: string): NameParts | undefined {
  const words = nameWords(fullName).map(asciiFold).filter((w) => w.length > 0);
  const given = words.at(-1);
  if (!given) return undefined;
  if (words.length === 1) return { surname: '', middle: [], given };
  return { surname: words[0]!, middle: words.slice(1, -1), given };
}
