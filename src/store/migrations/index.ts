import * as identity from './001-identity.js';
import * as audit from './002-audit.js';
import * as mail from './003-mail.js';
import * as spool from './004-spool.js';
import * as mailstore from './005-mailstore.js';
import * as organisation from './006-organisation.js';
import * as searchBacklog from './013-search-backlog.js';
import * as compliance from './014-compliance.js';
import * as importState from './015-import.js';
import * as directoryPasswords from './016-directory-passwords.js';
import * as preferences from './018-preferences.js';
import * as groupsDelegation from './007-groups-delegation.js';
import * as credentials from './008-credentials.js';
import * as auditQuery from './009-audit-query.js';
import * as adminRoles from './010-admin-roles.js';
import * as provisioning from './011-provisioning.js';
import * as imap from './012-imap.js';
import * as webSessions from './017-web-sessions.js';
import * as inspections from './024-inspections.js';
import * as spoolSession from './026-spool-session.js';
import * as mailboxAcl from './019-mailbox-acl.js';
import * as directorySearch from './021-directory-search.js';
import * as accountArchives from './025-account-archives.js';
import * as webmailList from './020-webmail-list.js';
import * as mailFunctions from './027-mail-functions.js';
import * as imapEnvelope from './028-imap-envelope.js';
import * as blobContents from './029-blob-contents.js';
import * as systemFlags from './030-system-flags.js';
import * as singleStore from './031-single-store.js';

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
  { version: 16, name: 'directory-passwords', sql: directoryPasswords.sql },
  { version: 18, name: 'preferences', sql: preferences.sql },
  { version: 7, name: 'groups-delegation', sql: groupsDelegation.sql },
  { version: 8, name: 'credentials', sql: credentials.sql },
  { version: 9, name: 'audit-query', sql: auditQuery.sql },
  { version: 10, name: 'admin-roles', sql: adminRoles.sql },
  { version: 11, name: 'provisioning', sql: provisioning.sql },
  { version: 12, name: 'imap', sql: imap.sql },
  { version: 17, name: 'web-sessions', sql: webSessions.sql },
  { version: 24, name: 'inspections', sql: inspections.sql },
  { version: 26, name: 'spool-session', sql: spoolSession.sql },
  { version: 19, name: 'mailbox-acl', sql: mailboxAcl.sql },
  { version: 21, name: 'directory-search', sql: directorySearch.sql },
  { version: 25, name: 'account-archives', sql: accountArchives.sql },
  { version: 20, name: 'webmail-list', sql: webmailList.sql },
  { version: 27, name: 'mail-functions', sql: mailFunctions.sql },
  { version: 28, name: 'imap-envelope', sql: imapEnvelope.sql },
  { version: 29, name: 'blob-contents', sql: blobContents.sql },
  { version: 30, name: 'system-flags', sql: systemFlags.sql },
  { version: 31, name: 'single-store', sql: singleStore.sql },
];
