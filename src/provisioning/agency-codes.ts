import { fold } from '../mail/fold.js';

const MAX_CODE = 64;

/**
 * A short code from an agency's name, for directories that keep none: the initials of
 * its words, upper-case and without diacritics, with a word already in capitals kept
 * whole ("Sở Nội vụ" → SNV, "UBND huyện Yên Minh" → UBNDHYM), under its parent's code
 * ("Phòng Tổ chức cán bộ" under SNV → SNV-PTCCB).
 */
export function codeFromName(name: string, parentCode: string | null): string {
  const words = name.normalize('NFC').split(/[\s,;/()–-]+/u).filter(Boolean);
  const initials = words
    .map((w) => {
      const ascii = fold(w).replace(/[^a-z0-9]/g, '').toUpperCase();
      const allCaps = w.length > 1 && w === w.toUpperCase() && /\p{L}/u.test(w);
      return allCaps || /^\d+$/.test(ascii) ? ascii : ascii.charAt(0);
    })
    .join('');
  const own = initials || 'DV';
  return (parentCode ? `${parentCode}-${own}` : own).slice(0, MAX_CODE);
}

/** The code itself when free, else with -2, -3, … (kept within 64 characters). */
export function uniqueCode(code: string, taken: ReadonlySet<string>): string {
  if (!taken.has(code.toUpperCase())) return code;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = code.slice(0, MAX_CODE - suffix.length) + suffix;
    if (!taken.has(candidate.toUpperCase())) return candidate;
  }
}
