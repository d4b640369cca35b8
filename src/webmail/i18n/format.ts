import type { Locale } from './catalogue.js';

const TAGS: Record<Locale, string> = { vi: 'vi-VN', en: 'en-GB' };

/**
 * Dates, sizes and name order the way a reader of the language expects: Vietnamese
 * collation (Ă, Â, Đ… after A and D), day-month-year, a decimal comma.
 */
export class LocaleFormat {
  private readonly time: Intl.DateTimeFormat;
  private readonly dayMonth: Intl.DateTimeFormat;
  private readonly fullDate: Intl.DateTimeFormat;
  private readonly dateTime: Intl.DateTimeFormat;
  private readonly dayKey: Intl.DateTimeFormat;
  private readonly number: Intl.NumberFormat;
  readonly collator: Intl.Collator;

  private static readonly made = new Map<string, LocaleFormat>();

  /** One per language and time zone: ICU formatters are costly to make (about 1 ms) and never change. */
  static of(locale: Locale, timeZone: string): LocaleFormat {
    const key = `${locale}|${timeZone}`;
    let format = LocaleFormat.made.get(key);
    if (!format) LocaleFormat.made.set(key, (format = new LocaleFormat(locale, timeZone)));
    return format;
  }

  private constructor(
    readonly locale: Locale,
    readonly timeZone: string,
  ) {
    const tag = TAGS[locale];
    this.time = new Intl.DateTimeFormat(tag, { timeZone, hour: '2-digit', minute: '2-digit' });
    this.dayMonth = new Intl.DateTimeFormat(tag, { timeZone, day: 'numeric', month: 'short' });
    this.fullDate = new Intl.DateTimeFormat(tag, { timeZone, day: '2-digit', month: '2-digit', year: 'numeric' });
    this.dateTime = new Intl.DateTimeFormat(tag, { timeZone, dateStyle: 'full', timeStyle: 'short' });
    this.dayKey = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    this.number = new Intl.NumberFormat(tag, { maximumFractionDigits: 1 });
    this.collator = new Intl.Collator(locale, { sensitivity: 'base', numeric: true });
  }

  /** A message list's date: the time today, day and month this year, the full date before. */
  listDate(date: Date, now = new Date()): string {
    const day = this.dayKey.format(date);
    const today = this.today(now);
    if (day === today) return this.time.format(date);
    if (day.slice(0, 4) === today.slice(0, 4)) return this.dayMonth.format(date);
    return this.fullDate.format(date);
  }

  private todayCache = { minute: -1, key: '' };

  /** today's YYYY-MM-DD in the time zone, made once a minute rather than once per list row */
  private today(now: Date): string {
    const minute = Math.floor(now.getTime() / 60_000);
    if (this.todayCache.minute !== minute) this.todayCache = { minute, key: this.dayKey.format(now) };
    return this.todayCache.key;
  }

  /** The full date and time, for a message's header and the audit log. */
  longDate(date: Date): string {
    return this.dateTime.format(date);
  }

  /** The date alone, day-month-year. */
  shortDate(date: Date): string {
    return this.fullDate.format(date);
  }

  /** 1,2 MB / 1.2 MB; bytes in powers of 1,024 as mail clients show them. */
  size(bytes: number): string {
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return `${this.number.format(unit === 0 ? value : Math.round(value * 10) / 10)} ${units[unit]}`;
  }

  count(n: number): string {
    return this.number.format(n);
  }

  /** Sorts by a text key in the language's order. */
  sortBy<T>(items: readonly T[], key: (item: T) => string): T[] {
    return [...items].sort((a, b) => this.collator.compare(key(a), key(b)));
  }
}
