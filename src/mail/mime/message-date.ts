/**
 * RFC 5322 §3.3 date-time, with the obsolete forms of §4.3 (two-digit years, named
 * zones, missing day-of-week or seconds) that old mailers still send.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** RFC 5322 §4.3 obs-zone, in minutes east of UTC */
const NAMED_ZONES: Record<string, number> = {
  ut: 0,
  gmt: 0,
  z: 0,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
};

export interface MessageDate {
  /** the instant, ms since the epoch */
  utc: number;
  /** the calendar day as written, in the sender's zone: "2024-03-02" */
  day: string;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function zoneMinutes(token: string | undefined): number | null {
  if (token === undefined) return 0; // RFC 5322 §4.3: an unknown zone is treated as UTC
  const m = /^([+-])(\d{2})(\d{2})$/.exec(token);
  if (m) {
    const minutes = Number(m[2]) * 60 + Number(m[3]);
    if (Number(m[3]) > 59) return null;
    return m[1] === '-' ? -minutes : minutes;
  }
  const named = NAMED_ZONES[token.toLowerCase()];
  if (named !== undefined) return named;
  return /^[a-z]$/i.test(token) ? 0 : null; // military zones mean nothing reliable (RFC 5322 §4.3)
}

/** Parses a Date field value; null when it is not a date. */
export function parseMessageDate(value: string): MessageDate | null {
  const text = value.replace(/\([^()]*\)/g, ' ').trim();
  const m = /^(?:[A-Za-z]{3,}\s*,\s*)?(\d{1,2})\s+([A-Za-z]{3,})\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s+(\S+))?\s*$/.exec(text);
  if (!m) return null;
  const day = Number(m[1]);
  const month = MONTHS.indexOf((m[2] as string).slice(0, 3).toLowerCase());
  let year = Number(m[3]);
  // RFC 5322 §4.3: two-digit years 00-49 are 2000-2049, 50-99 and three digits add 1900
  if ((m[3] as string).length === 2) year += year < 50 ? 2000 : 1900;
  else if ((m[3] as string).length === 3) year += 1900;
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const zone = zoneMinutes(m[7]);
  if (month < 0 || zone === null || hour > 23 || minute > 59 || second > 60) return null;
  const local = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  if (new Date(local).getUTCDate() !== day) return null; // 31 Feb and the like
  return { utc: local - zone * 60_000, day: `${pad(year, 4)}-${pad(month + 1)}-${pad(day)}` };
}
