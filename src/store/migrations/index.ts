import * as identity from './001-identity.js';
import * as audit from './002-audit.js';
import * as mail from './003-mail.js';
import * as spool from './004-spool.js';
import * as mailstore from './005-mailstore.js';
import * as organisation from './006-organisation.js';
import * as searchBacklog from './013-search-backlog.js';
import * as compliance from './014-compliance.js';
import * as importState from './015-import.js';

/** Ordered migrations; a migration once released is never edited, only followed. */
export const migrations: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  { version: 1, name: 'identity', sql: identity.sql },
  { version: 2, name: 'audit', sql: audit.sql },
  { version: 3, name: 'mail', sql: mail.sql },
  { version: 4, name: 'spool', sql: spool.sql },
  { version: 5, name: 'mailstore', sql: mailstore.sql },
  { version: 6, name: 'organisation', sql: organisation.sql },
  { version: 13, name: 'search-backlog', sql: searchBacklog.sql },
  { version: 14, name: 'compliance', sql: compliance.sql },
  { version: 15, name: 'import', sql: importState.sql },
];
