import { describe, expect, it } from 'vitest';
import type { Account } from '../../../src/identity/accounts.js';
import type { Agency } from '../../../src/identity/agencies.js';
import type { CurrentState } from '../../../src/provisioning/current-state.js';
import { computePlan, type PlanOptions } from '../../../src/provisioning/planner.js';
import type { SourcePerson, SourceSnapshot } from '../../../src/provisioning/source.js';
import { codeFromName, uniqueCode } from '../../../src/provisioning/agency-codes.js';

const OPTIONS: PlanOptions = {
  rules: { domain: 'tinh.gov.vn', template: '{given}{initials}', agencyTemplate: '{code}', staffGroupTemplate: '{code}.all', collisionSuffixes: ['{n}'], reserved: [] },
  maxDisableShare: 0.05,
  staffGroups: true,
};

const state = (over: Partial<CurrentState> = {}): CurrentState => ({
  agencies: [],
  accounts: [],
  domains: ['tinh.gov.vn'],
  inUse: [],
  held: [],
  disabledByProvisioning: new Set(),
  agenciesWithStaffGroup: new Set(),
  mirroredGroups: new Map(),
  ...over,
});

const person = (externalId: string, fullName: string, extra: Partial<SourcePerson> = {}): SourcePerson => ({ externalId, fullName, title: '', agencyExternalId: 'ou-snv', origin: `uid=${externalId}`, ...extra });
const snapshot = (people: SourcePerson[]): SourceSnapshot => ({
  kind: 'ldap',
  description: 'test',
  agencies: [{ externalId: 'ou-snv', name: 'Sở Nội vụ', parentExternalId: null, origin: 'ou=Sở Nội vụ' }],
  people,
  groups: [],
  problems: [],
});
const agency: Agency = { id: 1, parentId: null, code: 'SNV', name: 'Sở Nội vụ', externalId: 'ou-snv', status: 'active', createdAt: new Date() };
const account = (id: number, address: string, externalId: string | null, extra: Partial<Account> = {}): Account => ({
  id, domainId: 1, address, displayName: 'Nguyễn Văn An', status: 'active', kind: 'person', agencyId: 1, title: '', externalId, quotaBytes: 0, createdAt: new Date(), ...extra,
});

describe('planning', () => {
  it('makes agencies parents first with codes from their names, each with a mailbox and staff group', () => {
    const snap = snapshot([]);
    snap.agencies.push({ externalId: 'ou-tc', name: 'Phòng Tổ chức cán bộ', parentExternalId: 'ou-snv', origin: 'ou=Phòng Tổ chức cán bộ' });
    snap.agencies.reverse();
    const plan = computePlan(snap, state(), OPTIONS);
    expect(plan.items).toEqual([
      { op: 'agency.create', code: 'SNV', name: 'Sở Nội vụ', externalId: 'ou-snv', parentCode: null, mailbox: 'snv@tinh.gov.vn', staffGroup: 'snv.all@tinh.gov.vn' },
      { op: 'agency.create', code: 'SNV-PTCCB', name: 'Phòng Tổ chức cán bộ', externalId: 'ou-tc', parentCode: 'SNV', mailbox: 'snv-ptccb@tinh.gov.vn', staffGroup: 'snv-ptccb.all@tinh.gov.vn' },
    ]);
  });

  it('agency codes: initials, capitals kept, parent prefix, collisions numbered', () => {
    expect(codeFromName('Sở Văn hóa, Thể thao và Du lịch', null)).toBe('SVHTTVDL');
    expect(codeFromName('UBND huyện Yên Minh', null)).toBe('UBNDHYM');
    expect(codeFromName('UBND xã Đường Thượng', 'UBNDHYM')).toBe('UBNDHYM-UBNDXDT');
    expect(uniqueCode('SNV', new Set(['SNV', 'SNV-2']))).toBe('SNV-3');
  });

  it('new people are given addresses in the order of their stable ids, whatever order the source lists them', () => {
    const people = [person('c', 'Nguyễn Văn An'), person('a', 'Ngô Văn An'), person('b', 'Nguyễn Văn An'.normalize('NFD'))];
    const st = state({ agencies: [agency], accounts: [account(9, 'snv@tinh.gov.vn', null, { kind: 'agency' })], agenciesWithStaffGroup: new Set([1]) });
    const one = computePlan(snapshot(people), st, OPTIONS);
    const two = computePlan(snapshot([...people].reverse()), st, OPTIONS);
    expect(one.items).toEqual(two.items);
    expect(one.items.map((i) => (i.op === 'account.create' ? `${i.externalId}:${i.address}` : i.op))).toEqual(['a:annv@tinh.gov.vn', 'b:annv2@tinh.gov.vn', 'c:annv3@tinh.gov.vn']);
  });

  it('an existing account keeps its address, whatever its name becomes', () => {
    const st = state({ agencies: [agency], accounts: [account(1, 'annv@tinh.gov.vn', 'p1'), account(9, 'snv@tinh.gov.vn', null, { kind: 'agency' })], agenciesWithStaffGroup: new Set([1]) });
    const plan = computePlan(snapshot([person('p1', 'Trần Thị Bình')]), st, OPTIONS);
    expect(plan.items).toEqual([{ op: 'account.update', address: 'annv@tinh.gov.vn', externalId: 'p1', displayName: { from: 'Nguyễn Văn An', to: 'Trần Thị Bình' }, title: { from: '', to: '' } }]);
  });

  it('a local mail attribute is kept; one taken by someone else is a warning and a new address is made', () => {
    const st = state({ inUse: ['an.nguyen@tinh.gov.vn'] });
    const plan = computePlan(
      snapshot([person('p1', 'Nguyễn Văn An', { mail: 'AnNV.SNV@Tinh.Gov.VN' }), person('p2', 'Lò Văn Xuân', { mail: 'an.nguyen@tinh.gov.vn' }), person('p3', 'Sùng Thị Mỷ', { mail: 'my@gmail.com' })]),
      st,
      OPTIONS,
    );
    const created = plan.items.filter((i) => i.op === 'account.create').map((i) => (i as { address: string }).address);
    expect(created).toEqual(['annv.snv@tinh.gov.vn', 'xuanlv@tinh.gov.vn', 'myst@tinh.gov.vn']);
    expect(plan.warnings).toEqual([expect.objectContaining({ code: 'conflicting-address', origin: 'uid=p2' })]);
  });

  it('an address still held after a departure, or reserved, is not given; a gone account frees its address', () => {
    const st = state({ held: [{ address: 'annv@tinh.gov.vn', freedAt: new Date() }, { address: 'hadtt@tinh.gov.vn', freedAt: null }] });
    const plan = computePlan(snapshot([person('p1', 'Nguyễn Văn An'), person('p2', 'Lê Văn Admin')]), st, OPTIONS);
    expect(plan.items.filter((i) => i.op === 'account.create').map((i) => (i as { address: string }).address)).toEqual(['annv2@tinh.gov.vn', 'adminlv@tinh.gov.vn']);
    expect(plan.items.filter((i) => i.op === 'address.release')).toEqual([{ op: 'address.release', address: 'hadtt@tinh.gov.vn' }]);
  });

  it('warns of duplicate ids, shared names in one agency and missing names', () => {
    const plan = computePlan(snapshot([person('p1', 'Giàng A Páo'), person('p1', 'Giàng A Páo'), person('p2', 'Giàng A Páo'), person('p3', '  ')]), state(), OPTIONS);
    expect(plan.warnings.map((w) => w.code)).toEqual(['duplicate-person', 'same-name', 'missing-name']);
    expect(plan.counts['account.create']).toBe(2);
  });

  it('a hand-made account with the mail of an entry is adopted, not made again', () => {
    const st = state({ accounts: [account(5, 'annv@tinh.gov.vn', null, { agencyId: null })], inUse: ['annv@tinh.gov.vn'] });
    const plan = computePlan(snapshot([person('p1', 'Nguyễn Văn An', { mail: 'annv@tinh.gov.vn' })]), st, OPTIONS);
    expect(plan.items.filter((i) => i.op.startsWith('account.'))).toEqual([
      { op: 'account.adopt', address: 'annv@tinh.gov.vn', externalId: 'p1' },
      { op: 'account.move', address: 'annv@tinh.gov.vn', externalId: 'p1', fromAgencyCode: null, toAgencyCode: 'SNV' },
    ]);
  });

  it('departures are disabled; more than maxDisableShare of them marks the plan', () => {
    const accounts = Array.from({ length: 40 }, (_, i) => account(i + 1, `p${i}@tinh.gov.vn`, `p${i}`));
    const keep = accounts.slice(0, 38).map((a) => person(a.externalId!, 'Nguyễn Văn An'));
    const st = state({ agencies: [agency], accounts, agenciesWithStaffGroup: new Set([1]) });
    const two = computePlan(snapshot(keep), st, { ...OPTIONS, staffGroups: false });
    expect(two.disable).toMatchObject({ count: 2, ofActive: 40, share: 0.05, exceeded: false });
    const three = computePlan(snapshot(keep.slice(1)), st, { ...OPTIONS, staffGroups: false });
    expect(three.disable).toMatchObject({ count: 3, exceeded: true });
    expect(three.items.filter((i) => i.op === 'account.disable').map((i) => (i as { address: string }).address)).toEqual(['p0@tinh.gov.vn', 'p38@tinh.gov.vn', 'p39@tinh.gov.vn']);
  });
});
