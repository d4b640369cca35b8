import { randomUUID } from 'node:crypto';
import type { Agency } from '../identity/agencies.js';
import type { Account } from '../identity/accounts.js';
import { tryNormalizeAddress } from '../identity/address.js';
import { AddressAllocator, type AddressRules } from './address-allocator.js';
import { codeFromName, uniqueCode } from './agency-codes.js';
import type { CurrentState } from './current-state.js';
import { displayName, nameParts } from './names.js';
import type { Plan, PlanItem, PlanOp, PlanWarning } from './plan-types.js';
import type { SourceAgency, SourcePerson, SourceSnapshot } from './source.js';

export interface PlanOptions {
  rules: AddressRules;
  /** provisioning.maxDisableShare */
  maxDisableShare: number;
  /** whether groups.ts can make agency-staff groups (it can; a switch for callers that do not want them) */
  staffGroups: boolean;
}

/** Items apply carries out in this order: parents before children, agencies before their people. */
const ORDER: readonly PlanOp[] = [
  'agency.create', 'agency.rename', 'agency.move', 'agency.complete', 'address.release',
  'account.adopt', 'account.create', 'account.update', 'account.move', 'account.enable', 'account.disable',
  'group.create', 'group.members',
];

const byString = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * Compares the source with hopthu and lists the changes. Pure: the same snapshot and
 * state give the same items (only the plan's id and time differ), so addresses come out
 * the same however often the directory is read.
 */
export function computePlan(snapshot: SourceSnapshot, state: CurrentState, options: PlanOptions): Plan {
  const warnings: PlanWarning[] = [];
  const items: PlanItem[] = [];
  const localDomains = new Set(state.domains);
  const allocator = new AddressAllocator(options.rules, [...state.inUse, ...state.held.map((h) => h.address)]);

  // ---- agencies
  const agencyById = new Map(state.agencies.map((a) => [a.id, a]));
  const agencyByExternal = new Map(state.agencies.filter((a) => a.externalId).map((a) => [a.externalId!, a]));
  const agencyByCode = new Map(state.agencies.map((a) => [a.code.toUpperCase(), a]));
  const codes = new Set(state.agencies.map((a) => a.code.toUpperCase()));
  /** source agency external id → hopthu code (existing or planned) */
  const codeOf = new Map<string, string>();
  const matched = new Map<string, Agency>();
  const sourceAgencies = new Map<string, SourceAgency>();
  for (const a of snapshot.agencies) if (!sourceAgencies.has(a.externalId)) sourceAgencies.set(a.externalId, a);
  for (const a of sourceAgencies.values()) {
    const existing = agencyByExternal.get(a.externalId) ?? (a.code ? agencyByCode.get(a.code.toUpperCase()) : undefined);
    if (existing) {
      matched.set(a.externalId, existing);
      codeOf.set(a.externalId, existing.code);
    }
  }
  const depth = (a: SourceAgency): number => {
    let d = 0;
    for (let p = a.parentExternalId; p && d < 100; p = sourceAgencies.get(p)?.parentExternalId ?? null) d++;
    return d;
  };
  const fresh = [...sourceAgencies.values()].filter((a) => !matched.has(a.externalId));
  fresh.sort((x, y) => depth(x) - depth(y) || byString<SourceAgency>((a) => a.externalId)(x, y));
  const created: Array<Extract<PlanItem, { op: 'agency.create' }>> = [];
  for (const a of fresh) {
    const parentCode = a.parentExternalId ? (codeOf.get(a.parentExternalId) ?? null) : null;
    const code = uniqueCode(a.code ? a.code.toUpperCase() : codeFromName(a.name, parentCode), codes);
    codes.add(code.toUpperCase());
    codeOf.set(a.externalId, code);
    created.push({ op: 'agency.create', code, name: displayName(a.name) || code, externalId: a.externalId, parentCode, mailbox: null, staffGroup: null });
  }
  const renames: PlanItem[] = [];
  const moves: PlanItem[] = [];
  const completes: PlanItem[] = [];
  const agenciesWithMailbox = new Set(state.accounts.filter((x) => x.kind === 'agency' && x.agencyId !== null).map((x) => x.agencyId!));
  for (const [externalId, existing] of [...matched].sort(byString(([id]) => id))) {
    const a = sourceAgencies.get(externalId)!;
    const name = displayName(a.name);
    if (name && name !== existing.name) renames.push({ op: 'agency.rename', code: existing.code, from: existing.name, to: name });
    const currentParent = existing.parentId === null ? null : (agencyById.get(existing.parentId)?.code ?? null);
    const wantedParent = a.parentExternalId ? (codeOf.get(a.parentExternalId) ?? null) : null;
    if (currentParent !== wantedParent) moves.push({ op: 'agency.move', code: existing.code, fromParentCode: currentParent, toParentCode: wantedParent });
    const needsMailbox = !agenciesWithMailbox.has(existing.id);
    const needsGroup = options.staffGroups && !state.agenciesWithStaffGroup.has(existing.id);
    if (needsMailbox || needsGroup) {
      completes.push({
        op: 'agency.complete',
        code: existing.code,
        mailbox: needsMailbox ? (allocator.forAgency(existing.code) ?? null) : null,
        staffGroup: needsGroup ? (allocator.forStaffGroup(existing.code) ?? null) : null,
      });
    }
  }
  for (const c of created) {
    c.mailbox = allocator.forAgency(c.code) ?? null;
    c.staffGroup = options.staffGroups ? (allocator.forStaffGroup(c.code) ?? null) : null;
  }
  for (const existing of state.agencies) {
    if (existing.externalId && existing.status === 'active' && !sourceAgencies.has(existing.externalId) && snapshot.agencies.length > 0) {
      warnings.push({ code: 'agency-gone', message: `agency ${existing.code} (${existing.name}) is no longer in the source; it is kept as it is` });
    }
  }

  // ---- people
  const accountByExternal = new Map(state.accounts.filter((x) => x.externalId).map((x) => [x.externalId!, x]));
  const accountByAddress = new Map(state.accounts.map((x) => [x.address, x]));
  const people = new Map<string, SourcePerson>();
  const seenName = new Map<string, SourcePerson>();
  for (const p of snapshot.people) {
    const first = people.get(p.externalId);
    if (first) {
      warnings.push({ code: 'duplicate-person', message: `${p.externalId} appears twice (${first.origin} and ${p.origin}); the first is used`, origin: p.origin });
      continue;
    }
    people.set(p.externalId, p);
    const key = `${displayName(p.fullName).normalize('NFC').toLowerCase()}|${p.agencyExternalId ?? ''}`;
    const twin = seenName.get(key);
    if (twin) warnings.push({ code: 'same-name', message: `"${displayName(p.fullName)}" appears twice in one agency (${twin.origin} and ${p.origin}); check they are two people`, origin: p.origin });
    else seenName.set(key, p);
  }
  const agencyCodeOfPerson = (p: SourcePerson): string | null => {
    if (!p.agencyExternalId) return null;
    const code = codeOf.get(p.agencyExternalId);
    if (!code) warnings.push({ code: 'unknown-agency', message: `${p.origin}: its agency is not among the source's agencies; placed in no agency`, origin: p.origin });
    return code ?? null;
  };

  const adopt: PlanItem[] = [];
  const create: Array<Extract<PlanItem, { op: 'account.create' }>> = [];
  const update: PlanItem[] = [];
  const move: PlanItem[] = [];
  const enable: PlanItem[] = [];
  const present = new Set<string>();
  const pending: Array<{ person: SourcePerson; agencyCode: string | null }> = [];
  const ordered = [...people.values()].sort(byString((p) => p.externalId));
  const compare = (account: Account, p: SourcePerson, agencyCode: string | null) => {
    const name = displayName(p.fullName);
    if (name !== account.displayName || p.title !== account.title) {
      update.push({ op: 'account.update', address: account.address, externalId: p.externalId, displayName: { from: account.displayName, to: name }, title: { from: account.title, to: p.title } });
    }
    const currentCode = account.agencyId === null ? null : (agencyById.get(account.agencyId)?.code ?? null);
    if (currentCode !== agencyCode) move.push({ op: 'account.move', address: account.address, externalId: p.externalId, fromAgencyCode: currentCode, toAgencyCode: agencyCode });
  };
  for (const p of ordered) {
    present.add(p.externalId);
    const agencyCode = agencyCodeOfPerson(p);
    const existing = accountByExternal.get(p.externalId);
    if (existing) {
      if (!nameParts(p.fullName)) {
        warnings.push({ code: 'missing-name', message: `${p.origin}: no name; ${existing.address} is left as it is`, origin: p.origin });
        continue;
      }
      if (existing.status === 'disabled' && state.disabledByProvisioning.has(existing.id)) enable.push({ op: 'account.enable', address: existing.address, externalId: p.externalId });
      compare(existing, p, agencyCode);
      continue;
    }
    if (!nameParts(p.fullName)) {
      warnings.push({ code: 'missing-name', message: `${p.origin}: no name to make an address from; skipped`, origin: p.origin });
      continue;
    }
    // an entry that already has a mail attribute inside a local domain keeps it
    const mail = p.mail ? tryNormalizeAddress(p.mail) : undefined;
    const mailDomain = mail?.slice(mail.lastIndexOf('@') + 1);
    if (mail && mailDomain && localDomains.has(mailDomain)) {
      const holder = accountByAddress.get(mail);
      if (holder && holder.externalId === null && holder.kind === 'person') {
        adopt.push({ op: 'account.adopt', address: mail, externalId: p.externalId });
        compare(holder, p, agencyCode);
        continue;
      }
      if (!holder && allocator.isFree(mail)) {
        allocator.claim(mail);
        create.push({ op: 'account.create', address: mail, externalId: p.externalId, displayName: displayName(p.fullName), title: p.title, agencyCode });
        continue;
      }
      warnings.push({ code: 'conflicting-address', message: `${p.origin}: its mail ${mail} is already used${holder ? ` by ${holder.externalId ? 'another person' : `the ${holder.kind} account`}` : ' or reserved'}; a new address is made`, origin: p.origin });
    }
    pending.push({ person: p, agencyCode });
  }
  // generated addresses after every kept one, so none takes an address someone keeps
  for (const { person: p, agencyCode } of pending) {
    const address = allocator.forPerson(p.fullName, agencyCode ?? '');
    if (!address) {
      warnings.push({ code: 'no-address', message: `${p.origin}: no free address could be made from "${p.fullName}"`, origin: p.origin });
      continue;
    }
    create.push({ op: 'account.create', address, externalId: p.externalId, displayName: displayName(p.fullName), title: p.title, agencyCode });
  }

  // ---- departures: disabled, never deleted
  const disable: PlanItem[] = [];
  const activeProvisioned = state.accounts.filter((x) => x.kind === 'person' && x.externalId && x.status === 'active');
  for (const x of activeProvisioned) {
    if (!present.has(x.externalId!)) disable.push({ op: 'account.disable', address: x.address, externalId: x.externalId! });
  }
  disable.sort(byString((i) => (i as { address: string }).address));

  // ---- addresses whose account is gone: held from now on for reuseAfterDays
  const inUse = new Set(state.inUse);
  const release: PlanItem[] = state.held
    .filter((h) => h.freedAt === null && !inUse.has(h.address))
    .map((h) => ({ op: 'address.release' as const, address: h.address }));

  // ---- directory groups, mirrored as static distribution groups
  const addressOf = new Map<string, string>();
  for (const [id, a] of accountByExternal) if (present.has(id)) addressOf.set(id, a.address);
  for (const i of [...adopt, ...create]) if (i.op === 'account.adopt' || i.op === 'account.create') addressOf.set(i.externalId, i.address);
  const groupItems: PlanItem[] = [];
  for (const g of [...snapshot.groups].sort(byString((x) => x.externalId))) {
    const wanted = [...new Set(g.memberExternalIds.map((id) => addressOf.get(id)).filter((a): a is string => a !== undefined))].sort();
    const mirrored = state.mirroredGroups.get(g.externalId);
    let address = mirrored?.group.address;
    if (!address) {
      const mail = g.mail ? tryNormalizeAddress(g.mail) : undefined;
      if (mail && localDomains.has(mail.slice(mail.lastIndexOf('@') + 1)) && allocator.isFree(mail)) {
        allocator.claim(mail);
        address = mail;
      } else address = allocator.forGroup(g.name || g.externalId);
      if (!address) {
        warnings.push({ code: 'no-address', message: `${g.origin}: no free address could be made for the group "${g.name}"`, origin: g.origin });
        continue;
      }
      groupItems.push({ op: 'group.create', address, externalId: g.externalId, name: displayName(g.name) });
    }
    const current = new Set(mirrored?.members ?? []);
    const add = wanted.filter((a) => !current.has(a));
    const remove = [...current].filter((a) => !wanted.includes(a)).sort();
    if (add.length || remove.length) groupItems.push({ op: 'group.members', address, externalId: g.externalId, add, remove });
  }

  items.push(...created, ...renames, ...moves, ...completes, ...release, ...adopt, ...create, ...update, ...move, ...enable, ...disable, ...groupItems);
  items.sort((a, b) => ORDER.indexOf(a.op) - ORDER.indexOf(b.op));
  const counts: Partial<Record<PlanOp, number>> = {};
  for (const i of items) counts[i.op] = (counts[i.op] ?? 0) + 1;
  const share = activeProvisioned.length ? disable.length / activeProvisioned.length : 0;
  return {
    version: 1,
    id: randomUUID(),
    createdAt: new Date().toISOString(),
    source: { kind: snapshot.kind, description: snapshot.description },
    domain: options.rules.domain,
    items,
    warnings,
    problems: snapshot.problems,
    counts,
    disable: { count: disable.length, ofActive: activeProvisioned.length, share, maxShare: options.maxDisableShare, exceeded: share > options.maxDisableShare },
  };
}
