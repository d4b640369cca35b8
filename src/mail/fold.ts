/**
 * Text folding for search: case-insensitive and diacritic-insensitive, so that "Nguyen"
 * finds "Nguyễn", "HỌP" finds "họp" and "dang" finds "Đặng". Stored search text and the
 * client's search string go through the same function, so they always agree.
 */

/** NFD splits "ễ" into "e" + U+0302 + U+0303; the marks are then dropped */
const COMBINING_MARKS = /\p{M}/gu;
/** Đ/đ (U+0110/U+0111) carry no decomposition in Unicode: mapped by hand */
const D_STROKE = /đ/g;
/** white space, line breaks and control characters (NUL included) become one space */
const SPACE_RUNS = /[\s\p{Cc}]+/gu;

/** NFD, lower-case, combining marks stripped, đ → d. */
export function fold(text: string): string {
  return text.normalize('NFD').toLowerCase().replace(COMBINING_MARKS, '').replace(D_STROKE, 'd');
}

/** `fold`, and every run of white space or control characters as one space: what search compares. */
export function foldForSearch(text: string): string {
  return fold(text).replace(SPACE_RUNS, ' ');
}
