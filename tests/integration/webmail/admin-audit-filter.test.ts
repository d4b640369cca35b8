import { describe, expect, it } from 'vitest';
import { filterInput, startOfDay, type AuditForm } from '../../../src/webmail/admin/audit-filter.js';

const form = (fields: Partial<AuditForm>): AuditForm => ({ from: '', to: '', actor: '', action: '', target: '', agency: '', ip: '', ...fields });

describe('the audit form’s days in the province time zone', () => {
  it.each([
    ['2026-11-26', 'Asia/Ho_Chi_Minh', 0, '2026-11-25T17:00:00.000Z'],
    ['2026-11-26', 'Asia/Ho_Chi_Minh', 1, '2026-11-26T17:00:00.000Z'],
    ['2026-12-31', 'Asia/Ho_Chi_Minh', 1, '2026-12-31T17:00:00.000Z'],
    ['2026-01-01', 'UTC', 0, '2026-01-01T00:00:00.000Z'],
    // a day that starts before a summer-time change and one that starts after it
    ['2026-03-29', 'Europe/Berlin', 0, '2026-03-28T23:00:00.000Z'],
    ['2026-03-29', 'Europe/Berlin', 1, '2026-03-29T22:00:00.000Z'],
  ])('%s in %s (+%i days) begins at %s', (day, zone, add, instant) => {
    expect(startOfDay(day, zone, add)?.toISOString()).toBe(instant);
  });

  it.each(['2026-02-30', '2026-13-01', '2026-1-5', '26/11/2026', ''])('refuses "%s"', (day) => {
    expect(startOfDay(day, 'Asia/Ho_Chi_Minh')).toBeUndefined();
  });

  it('makes "to" include its whole day and names a bad date', () => {
    const ok = filterInput(form({ from: '2026-11-20', to: '2026-11-26', actor: 'AnNV@YenBai.gov.vn', action: 'auth.' }), 'Asia/Ho_Chi_Minh');
    expect(ok).toEqual({
      input: {
        since: new Date('2026-11-19T17:00:00Z'), until: new Date('2026-11-26T17:00:00Z'), actor: 'annv@yenbai.gov.vn', action: 'auth.',
        target: undefined, agency: undefined, ip: undefined,
      },
    });
    expect(filterInput(form({ actor: 'api:HR-sync' }), 'UTC')).toMatchObject({ input: { actor: 'api:HR-sync' } });
    expect(filterInput(form({ to: '2026-02-30' }), 'UTC')).toEqual({ badDate: '2026-02-30' });
  });
});
