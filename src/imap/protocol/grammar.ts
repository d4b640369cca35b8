/**
 * Character classes of RFC 9051 §9, as regular expressions over latin1 text.
 *
 * atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
 */

/** 1*ATOM-CHAR */
export const ATOM = /^[\x21\x23\x24\x26\x27\x2b-\x5b\x5e-\x7a\x7c-\x7e]+$/;
/** 1*ASTRING-CHAR: ATOM-CHAR / resp-specials ("]") */
export const ASTRING_ATOM = /^[\x21\x23\x24\x26\x27\x2b-\x5b\x5d-\x7a\x7c-\x7e]+$/;
/** 1*list-char: ATOM-CHAR / list-wildcards / resp-specials */
export const LIST_CHARS = /^[\x21\x23-\x27\x2a-\x5b\x5d-\x7a\x7c-\x7e]+$/;
/** number: 1*DIGIT */
export const DIGITS = /^\d+$/;
