import { appendFromClient, BlobVanishedError, holdBlob, type AppendTarget, type ClientMessage, type HeldBlob } from '../../mail/index.js';
import { UserError } from '../../shared/errors.js';
import { isSharedName, requireRight, resolveMailbox, type MailboxAccess } from '../mailbox-access.js';
import { hasRight, rightForFlag } from '../acl-rights.js';
import { AUTHENTICATED, type Command } from '../command.js';
import { ImapNo } from '../errors.js';
import { isAppendMessageLiteral } from '../protocol/append-args.js';
import type { LiteralDecision, LiteralRequest, LiteralSink } from '../protocol/command-reader.js';
import { codes } from '../protocol/response-writer.js';
import type { ImapDateTime } from '../protocol/datetime.js';
import type { Session } from '../session.js';

/**
 * APPEND's message literals go straight into the blob store (STYLE.md: never hold a
 * message in memory; a small one is held, up to blobs.inlineMaxBytes, for the append's
 * own statement to write); the sink's end() gives the HeldBlob promise to the command.
 */
export function appendLiteral(session: Session, request: LiteralRequest): LiteralDecision | null {
  if (session.state !== 'authenticated' && session.state !== 'selected') return null;
  if (!isAppendMessageLiteral(request)) return null;
  const max = session.ctx.config.smtp.maxMessageBytes;
  // RFC 7889 §4 / RFC 9051 §7.1: TOOBIG before the client sends the octets
  if (request.size > max) return { mode: 'refuse', status: 'NO', code: 'TOOBIG', text: `Messages are limited to ${max} octets` };
  return { mode: 'stream', sink: blobSink(session) };
}

function blobSink(session: Session): LiteralSink {
  const chunks: Buffer[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  let failed: Error | null = null;
  let resumeWriter: (() => void) | null = null;
  async function* source(): AsyncGenerator<Buffer> {
    for (;;) {
      if (failed) throw failed;
      const c = chunks.shift();
      if (c) {
        resumeWriter?.();
        resumeWriter = null;
        yield c;
        continue;
      }
      if (done) return;
      await new Promise<void>((r) => (wake = r));
      wake = null;
    }
  }
  const stored: Promise<HeldBlob> = holdBlob(session.ctx.blobs, source());
  stored.catch((err: Error) => {
    // the store failed: let a waiting write go on so the reader can fail the command
    failed ??= err;
    resumeWriter?.();
  });
  return {
    write(chunk) {
      chunks.push(Buffer.from(chunk));
      wake?.();
      // backpressure: wait until the blob store took the chunk
      if (chunks.length > 4) return new Promise<void>((r) => (resumeWriter = r));
    },
    end() {
      done = true;
      wake?.();
      return stored;
    },
    abort(reason) {
      failed = reason;
      done = true;
      wake?.();
      resumeWriter?.();
    },
  };
}

/**
 * The folder APPEND, COPY and MOVE put messages into. RFC 9051 §6.3.12 / §6.4.7: TRYCREATE
 * when it does not exist and could be made (not under another account's name).
 */
export async function appendTarget(session: Session, mailbox: string): Promise<MailboxAccess> {
  try {
    return await resolveMailbox(session, mailbox);
  } catch (err) {
    if (err instanceof ImapNo && err.responseCode === 'NONEXISTENT' && !isSharedName(mailbox)) throw new ImapNo('TRYCREATE', `There is no folder "${mailbox}"`);
    throw err;
  }
}

const toDate = (d: ImapDateTime | null): Date | undefined => d?.date;

/** RFC 9051 §6.3.12, UIDPLUS APPENDUID (RFC 4315 §3) */
export const append: Command<'APPEND'> = {
  states: AUTHENTICATED,
  async run(session, { mailbox, messages }) {
    const account = session.account!;
    // the session's own folder is looked up by the append's statement; another account's
    // folder is resolved first, for the rights this session has on it
    const access = isSharedName(mailbox) ? await appendTarget(session, mailbox) : null;
    // RFC 4314 §4: APPEND needs "i" on the target
    if (access) requireRight(access, 'i', 'add messages');
    const items: ClientMessage[] = [];
    for (const m of messages) {
      const blob: HeldBlob = m.data.kind === 'bytes' ? await holdBlob(session.ctx.blobs, [m.data.bytes]) : await (m.data.result as Promise<HeldBlob>);
      // RFC 4314 §4: APPEND keeps only the flags the session may set; the message is still added
      const flags = access ? m.flags.filter((f) => hasRight(access.rights, rightForFlag(f))) : m.flags;
      items.push({ blobHash: blob.hash, size: blob.size, flags, internalDate: toDate(m.date), ...(blob.bytes ? { bytes: blob.bytes } : {}) });
    }
    const target: AppendTarget = access ? { mailboxId: access.mailbox.id } : { accountId: account.id, name: mailbox };
    const input = { ...target, quota: { quotaBytes: (access?.owner ?? account).quotaBytes }, messages: items };
    const appendOnce = () =>
      appendFromClient(session.ctx.db, session.ctx.blobs, input).catch((err: Error) => {
        // RFC 9051 §6.3.12: TRYCREATE when the folder does not exist and could be made
        if (!access && err instanceof UserError && err.code === 'no-such-mailbox') throw new ImapNo('TRYCREATE', `There is no folder "${mailbox}"`);
        throw err;
      });
    // an own folder by name is found by the append's statement: under way for every folder of the account until then
    const scope = access ? { mailboxIds: [access.mailbox.id] } : { mailboxIds: [], accountId: account.id };
    // RFC 9051 §6.3.12: in the selected folder, the new message is announced (EXISTS) before the tagged OK
    const result = await session.ctx.events.change(scope, () =>
      appendOnce().catch((err: Error) => {
        // store/blob-refs.ts: the collector took a blob as this append referenced it again; a held one is
        // still in memory, and a second try writes it anew
        if (err instanceof BlobVanishedError && items.some((m) => m.blobHash === err.hash && m.bytes)) return appendOnce();
        throw err;
      }),
    );
    return { text: 'APPEND completed', code: codes.appendUid(result.uidValidity, result.uids) };
  },
};
