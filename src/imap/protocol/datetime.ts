import { ValueSyntaxError } from './errors.js';

/**
 * IMAP dates (RFC 9051 §9): date-time `"17-Jul-1996 02:44:25 -0700"` for APPEND and
 * INTERNALDATE, and the SEARCH date `17-Jul-1996`. The zone of a date-time is kept:
 * INTERNALDATE is shown as the client gave it.
 */

export interface ImapDateTime {
  /** the instant */
  date: Date;
  /** the zone the time was written in, minutes east of UTC (-0700 is -420) */
  offsetMinutes: number;
}

/** A calendar day as SEARCH BEFORE/ON/SINCE name it; which instants it covers is the server's choice of zone. */
export interface SearchDate {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
}


export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** ABNF strings are case-insensitive (RFC 5234 §2.3), so "jul" is July */
function monthNumber(text: string): number {
  const i = MONTHS.findIndex((m) => m.toLowerCase() === text.toLowerCase());
  if (i < 0) throw new ValueSyntaxError(`"${text}" is not a month (Jan, Feb, ... Dec)`);
  return i + 1;
}

const leap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysIn = (year: number, month: number): number => (month === 2 && leap(year) ? 29 : (DAYS[month - 1] as number));

/** Date.UTC reads years 0-99 as 1900-1999; this does not */
function utcMillis(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

function checkDay(year: number, month: number, day: number): void {
  if (day < 1 || day > daysIn(year, month)) {
    throw new ValueSyntaxError(`${MONTHS[month - 1] as string} ${year} has no day ${day}`);
  }
}

// RFC 9051 §9: date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
//              date-day-fixed = (SP DIGIT) / 2DIGIT; time = 2DIGIT ":" 2DIGIT ":" 2DIGIT; zone = ("+" / "-") 4DIGIT
const DATE_TIME = /^( \d|\d\d)-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/;

/** Parses the text between the quotes of a date-time. */
export function parseDateTime(text: string): ImapDateTime {
  const m = DATE_TIME.exec(text);
  if (!m) throw new ValueSyntaxError(`"${text}" is not a date-time like "17-Jul-1996 02:44:25 -0700"`);
  const [, dd, mon, yyyy, hh, mi, ss, sign, zh, zm] = m as unknown as string[];
  const year = Number(yyyy);
  const month = monthNumber(mon as string);
  const day = Number(dd);
  checkDay(year, month, day);
  const [hour, minute, second] = [Number(hh), Number(mi), Number(ss)];
  if (hour > 23 || minute > 59 || second > 60) throw new ValueSyntaxError(`"${hh}:${mi}:${ss}" is not a time of day`);
  if (Number(zm) > 59) throw new ValueSyntaxError(`"${sign}${zh}${zm}" is not a zone offset`);
  const offsetMinutes = (sign === '-' ? -1 : 1) * (Number(zh) * 60 + Number(zm));
  // a leap second (60) is read as the first second of the next minute
  const utc = utcMillis(year, month, day, hour, minute, second) - offsetMinutes * 60_000;
  return { date: new Date(utc), offsetMinutes };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** The date-time text (without quotes) of an instant as seen in the given zone; the day is zero-padded, as Dovecot does. */
export function formatDateTime(date: Date, offsetMinutes = 0): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${pad(local.getUTCDate())}-${MONTHS[local.getUTCMonth()] as string}-${pad(local.getUTCFullYear(), 4)} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

// RFC 9051 §9: date-text = date-day "-" date-month "-" date-year; date-day = 1*2DIGIT
const SEARCH_DATE = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/;

/** Parses a SEARCH date (its quotes, if any, already removed). */
export function parseSearchDate(text: string): SearchDate {
  const m = SEARCH_DATE.exec(text);
  if (!m) throw new ValueSyntaxError(`"${text}" is not a date like 1-Feb-2024`);
  const year = Number(m[3]);
  const month = monthNumber(m[2] as string);
  const day = Number(m[1]);
  checkDay(year, month, day);
  return { year, month, day };
}

export function formatSearchDate(d: SearchDate): string {
  return `${d.day}-${MONTHS[d.month - 1] as string}-${pad(d.year, 4)}`;
}
