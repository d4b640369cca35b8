import { agencyLocalPart, checkTemplate, cleanLocalPart, localPartCandidates, personLocalPart, RESERVED_LOCAL_PARTS } from './address-template.js';
import { nameWords, asciiFold, nameParts } from './names.js';

export interface AddressRules {
  /** the domain addresses are made in (ASCII, lower-case) */
  domain: string;
  template: string;
  agencyTemplate: string;
  /** local part of an agency's staff group; {code} */
  staffGroupTemplate: string;
  collisionSuffixes: readonly string[];
  /** local parts never given, on top of RESERVED_LOCAL_PARTS */
  reserved: readonly string[];
}

/**
 * Hands out addresses for one plan: the first free candidate of each name, never a
 * reserved local part, never an address already in use or held (`taken`). The same
 * requests in the same order always give the same addresses; the planner asks in a
 * fixed order (by stable id), so a directory read twice gives the same result.
 */
export class AddressAllocator {
  private readonly reserved: Set<string>;
  private readonly used: Set<string>;

  constructor(
    private readonly rules: AddressRules,
    /** addresses of accounts, aliases and groups, and addresses still held after a departure */
    taken: Iterable<string>,
  ) {
    checkTemplate(rules.template);
    checkTemplate(rules.agencyTemplate, new Set(['code']));
    checkTemplate(rules.staffGroupTemplate, new Set(['code']));
    for (const s of rules.collisionSuffixes) checkTemplate(s, new Set(['n', 'agency']));
    this.reserved = new Set([...RESERVED_LOCAL_PARTS, ...rules.reserved.map((r) => r.toLowerCase())]);
    this.used = new Set(taken);
  }

  /** Whether the address may be given now (not reserved, not in use, not held). */
  isFree(address: string): boolean {
    const at = address.lastIndexOf('@');
    return !this.reserved.has(address.slice(0, at)) && !this.used.has(address);
  }

  /** Marks an address as in use (an existing mail attribute being kept). */
  claim(address: string): void {
    this.used.add(address);
  }

  /** A person's address; undefined when the name has no letters to make one from. */
  forPerson(fullName: string, agencyCode = ''): string | undefined {
    const parts = nameParts(fullName);
    if (!parts) return undefined;
    return this.first(personLocalPart(this.rules.template, parts, agencyCode), agencyCode);
  }

  /** An agency mailbox's address. */
  forAgency(code: string): string | undefined {
    return this.first(agencyLocalPart(this.rules.agencyTemplate, code), code);
  }

  /** The address of an agency's staff distribution group. */
  forStaffGroup(code: string): string | undefined {
    return this.first(agencyLocalPart(this.rules.staffGroupTemplate, code), code);
  }

  /** A mirrored group's address from its name: "Ban Chỉ đạo CĐS" → ban.chi.dao.cds. */
  forGroup(name: string): string | undefined {
    return this.first(cleanLocalPart(nameWords(name).map(asciiFold).filter(Boolean).join('.')).slice(0, 64), '');
  }

  private first(base: string, agencyCode: string): string | undefined {
    if (!base) return undefined;
    for (const local of localPartCandidates(base, this.rules.collisionSuffixes, agencyCode)) {
      const address = `${local}@${this.rules.domain}`;
      if (local && this.isFree(address)) {
        this.used.add(address);
        return address;
      }
    }
    return undefined;
  }
}
