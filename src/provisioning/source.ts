/**
 * What a directory or an HR sheet says, in one shape: agencies (a tree), people and
 * groups, each with the source's stable id. Planning works on this and nothing else.
 */
export interface SourceAgency {
  /** entryUUID / objectGUID, or the sheet's agency code */
  externalId: string;
  /** the code the source gives, if any (a sheet's agency code column; an LDAP attribute) */
  code?: string;
  name: string;
  parentExternalId: string | null;
  /** where it came from, for messages: a DN or "row 7" */
  origin: string;
}

export interface SourcePerson {
  externalId: string;
  fullName: string;
  /** a mail attribute; kept as the address when it is in a local domain */
  mail?: string;
  title: string;
  agencyExternalId: string | null;
  origin: string;
}

export interface SourceGroup {
  externalId: string;
  name: string;
  mail?: string;
  memberExternalIds: string[];
  origin: string;
}

/** A row or entry that could not be read, with the reason; the others are read all the same. */
export interface SourceProblem {
  origin: string;
  reason: string;
}

export interface SourceSnapshot {
  kind: 'ldap' | 'csv' | 'xlsx';
  /** the URL and base DN, or the file name */
  description: string;
  agencies: SourceAgency[];
  people: SourcePerson[];
  groups: SourceGroup[];
  problems: SourceProblem[];
}
