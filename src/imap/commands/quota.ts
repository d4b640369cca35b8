import { getQuota as quotaOf, type QuotaReport } from '../../mail/index.js';
import { resolveMailbox } from '../mailbox-access.js';
import { AUTHENTICATED, type Command } from '../command.js';
import { ImapNo } from '../errors.js';
import { atom, mailboxValue, untagged, type ImapValue } from '../protocol/response-writer.js';
import type { Session } from '../session.js';

/**
 * QUOTA (RFC 9208). Every folder of an account shares one quota root, "" (mail/quota.ts);
 * the account's limit is STORAGE in units of 1024 octets. An account without a limit has
 * no quota root. Limits are set by administrators (the CLI), never by SETQUOTA.
 */

async function report(session: Session): Promise<QuotaReport | null> {
  const account = session.account!;
  if (!(account.quotaBytes > 0)) return null;
  return quotaOf(session.ctx.db, account.id, { quotaBytes: account.quotaBytes });
}

/** RFC 9208 §5.1: quota_response = "QUOTA" SP astring SP quota_list */
function quotaLine(q: QuotaReport): Buffer {
  const resources: ImapValue[] = [];
  if (q.storage.limit !== null) resources.push(atom('STORAGE'), q.storage.usage, q.storage.limit);
  if (q.message.limit !== null) resources.push(atom('MESSAGE'), q.message.usage, q.message.limit);
  return untagged(atom('QUOTA'), q.root, resources);
}

/** RFC 9208 §4.1.2: the quota roots of a folder, then each root's QUOTA */
export const getQuotaRoot: Command<'GETQUOTAROOT'> = {
  states: AUTHENTICATED,
  async run(session, { mailbox }) {
    const access = await resolveMailbox(session, mailbox);
    // another account's folder (the Shared/ namespace) counts against its owner's quota, which is not this session's to see
    const q = access.shared ? null : await report(session);
    const name = mailboxValue(mailbox, session.utf8);
    if (!q) {
      session.send(untagged(atom('QUOTAROOT'), name));
      return;
    }
    session.send(untagged(atom('QUOTAROOT'), name, q.root));
    session.send(quotaLine(q));
  },
};

/** RFC 9208 §4.1.1 */
export const getQuota: Command<'GETQUOTA'> = {
  states: AUTHENTICATED,
  async run(session, { root }) {
    const q = await report(session);
    if (!q || root !== q.root) throw new ImapNo('NONEXISTENT', `There is no quota root "${root}"`);
    session.send(quotaLine(q));
  },
};

/** RFC 9208 §4.1.4: limits are set by administrators, not by the user */
export const setQuota: Command<'SETQUOTA'> = {
  states: AUTHENTICATED,
  async run() {
    throw new ImapNo('NOPERM', 'Quota limits are set by the administrators');
  },
};
