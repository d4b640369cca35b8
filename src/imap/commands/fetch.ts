import { changesSince, fetchMessages, storeFlags, storeImapEnvelopes, uidSetOf, type FetchedMessage } from '../../mail/index.js';
import { SELECTED, type Command } from '../command.js';
import { ImapBad, ImapNo } from '../errors.js';
import { hasRight } from '../acl-rights.js';
import { ResponseBatch } from '../response-batch.js';
import { resolveSequenceSet } from '../protocol/sequence-set.js';
import { fetchItemName, type FetchAtt } from '../protocol/fetch-args.js';
import { atom, dateTimeValue, formatSequenceSet, literal, literal8, raw, untagged, type ImapValue } from '../protocol/response-writer.js';
import { renderEnvelope } from '../protocol/envelope.js';
import { renderBodyStructure } from '../protocol/body-structure.js';
import { binarySection, binarySize, bodySection, UnknownTransferEncodingError, type SectionPartShape } from '../protocol/sections.js';
import type { BodyPartShape } from '../protocol/body-structure.js';
import type { MessageFactsCache } from '../message-facts.js';
import type { SelectedMailbox } from '../selected-mailbox.js';

/** the items that need the blob's whole parsed description; ENVELOPE needs only its envelope */
const NEEDS_PARSED = new Set(['BODYSTRUCTURE', 'BODY', 'BODY[]', 'BINARY', 'BINARY.SIZE', 'RFC822.HEADER', 'RFC822.TEXT']);
/** BODY[] of the whole message (no part, no HEADER/TEXT/MIME) is the stored octets as they are */
const needsParsed = (a: FetchAtt): boolean => NEEDS_PARSED.has(a.kind) && !(a.kind === 'BODY[]' && a.section.part.length === 0 && a.section.text === null);
const NEEDS_RAW = new Set(['BODY[]', 'BINARY', 'BINARY.SIZE', 'RFC822', 'RFC822.HEADER', 'RFC822.TEXT']);

/** RFC 9051 §6.4.5: fetching a body without .PEEK sets \Seen */
const setsSeen = (a: FetchAtt): boolean =>
  (a.kind === 'BODY[]' && !a.peek) || (a.kind === 'BINARY' && !a.peek) || a.kind === 'RFC822' || a.kind === 'RFC822.TEXT';

/** RFC 9051 §6.4.5 FETCH, §6.4.9 UID FETCH, RFC 3516 BINARY */
export const fetch: Command<'FETCH'> = {
  states: SELECTED,
  async run(session, args, { uid }) {
    const sel = session.selected!;
    const { db, blobs } = session.ctx;
    const uids = sel.uidsOf(args.set, uid);
    // RFC 7162 §3.2.6: UIDs of the set expunged since CHANGEDSINCE, before any FETCH response
    if (args.vanished) {
      if (!session.qresync) throw new ImapBad('VANISHED needs ENABLE QRESYNC first (RFC 7162 section 3.2.6)');
      const set = args.set.kind === 'saved' ? uidSetOf(sel.savedUids()) : resolveSequenceSet(args.set, sel.maxUid);
      const { vanished } = await changesSince(db, sel.id, args.changedSince ?? 0, set);
      const gone = vanished.filter((u) => sel.seqOf(u) === 0);
      if (gone.length) session.send(untagged(atom('VANISHED'), [atom('EARLIER')], atom(formatSequenceSet(gone))));
    }
    if (uids.length === 0) return;
    let items = args.items;
    // RFC 7162 §3.1: FETCH MODSEQ / CHANGEDSINCE enables CONDSTORE
    if (items.some((a) => a.kind === 'MODSEQ')) session.condstore = true;
    // RFC 4314 §4: FETCH sets \Seen only with "s"
    if (!sel.readOnly && hasRight(sel.rights, 's') && items.some(setsSeen)) {
      const unseen = uids.filter((u) => !sel.flagsOf(u).includes('\\Seen'));
      if (unseen.length) {
        const r = await session.ctx.events.change({ mailboxIds: [sel.id] }, () => storeFlags(db, { mailboxId: sel.id, uids: uidSetOf(unseen), action: 'add', flags: ['\\Seen'] }));
        for (const m of r.updated) sel.setFlags(m.uid, m.flags, m.modseq);
        // RFC 9051 §6.4.5: the changed flags SHOULD be part of the FETCH response
        if (!items.some((a) => a.kind === 'FLAGS')) items = [...items, { kind: 'FLAGS' }];
      }
    }
    const wantParsed = items.some(needsParsed);
    const wantEnvelope = items.some((a) => a.kind === 'ENVELOPE');
    const wantRaw = items.some((a) => NEEDS_RAW.has(a.kind));
    const responses = new ResponseBatch(session);
    const rendered = new Map<string, Buffer>();
    const facts = session.ctx.messageFacts;
    // what the facts kept for the process's sessions answer, with the flags of the view
    const fromFacts = facts.enabled && !wantParsed && args.changedSince === null && !items.some((a) => a.kind === 'MODSEQ');
    try {
      // in batches, so a FETCH 1:* of a big folder holds only a batch in memory
      for (let i = 0; i < uids.length; i += 100) {
        const batch = uids.slice(i, i + 100);
        const kept = fromFacts ? keptFacts(facts, sel, batch, wantEnvelope) : null;
        const messages: Fetched[] = kept ?? (await fetchMessages(db, sel.id, uidSetOf(batch), { parsed: wantParsed, envelope: wantEnvelope, blobs, ...(args.changedSince !== null ? { changedSince: args.changedSince } : {}) }));
        for (const m of messages) {
          const seq = sel.seqOf(m.uid);
          if (seq === 0) continue;
          if (wantEnvelope && !m.imapEnvelope) rendered.set(m.blobHash, (m.imapEnvelope = renderEnvelope(m.envelope!)));
          if (!kept) facts.set(sel.uidValidity, m.uid, { internalDate: m.internalDate, size: m.size, blobHash: m.blobHash, imapEnvelope: m.imapEnvelope ?? null });
          const rawBytes = wantRaw ? await blobs.read(m.blobHash) : null;
          await responses.add(untagged(seq, atom('FETCH'), renderItems(items, m, rawBytes, uid)));
        }
      }
    } finally {
      // the responses so far go out before the tagged answer, a NO included
      await responses.flush();
      // kept for the next FETCH of these messages, by any session (mail/fetch.ts)
      storeImapEnvelopes(db, rendered).catch((err: Error) => session.ctx.log.warn({ err: err.message }, 'keeping rendered ENVELOPEs failed'));
    }
  },
};

/** a message as FETCH renders it: MODSEQ only when read from the store */
type Fetched = Omit<FetchedMessage, 'flags' | 'modseq'> & { flags: readonly string[]; modseq?: number };

/** the batch from the kept facts and the view's flags, or null when a message's facts (or its ENVELOPE) are not kept */
function keptFacts(facts: MessageFactsCache, sel: SelectedMailbox, uids: readonly number[], wantEnvelope: boolean): Fetched[] | null {
  const out: Fetched[] = [];
  for (const uid of uids) {
    const f = facts.get(sel.uidValidity, uid);
    if (!f || (wantEnvelope && !f.imapEnvelope)) return null;
    out.push({ uid, flags: sel.flagsOf(uid), internalDate: f.internalDate, size: f.size, blobHash: f.blobHash, ...(f.imapEnvelope ? { imapEnvelope: f.imapEnvelope } : {}) });
  }
  return out;
}

function renderItems(items: readonly FetchAtt[], m: Fetched, rawBytes: Buffer | null, uidFirst: boolean): ImapValue[] {
  const out: ImapValue[] = [];
  // UID first for UID FETCH: some clients read it before anything else
  if (uidFirst) out.push(atom('UID'), m.uid);
  const root = m.parsed?.root as unknown as SectionPartShape & BodyPartShape;
  for (const a of items) {
    switch (a.kind) {
      case 'UID':
        if (!uidFirst) out.push(atom('UID'), m.uid);
        break;
      case 'FLAGS':
        out.push(atom('FLAGS'), m.flags.map(atom));
        break;
      case 'INTERNALDATE':
        out.push(atom('INTERNALDATE'), dateTimeValue(m.internalDate));
        break;
      case 'RFC822.SIZE':
        out.push(atom('RFC822.SIZE'), m.size);
        break;
      case 'MODSEQ':
        out.push(atom('MODSEQ'), [m.modseq!]);
        break;
      case 'ENVELOPE':
        out.push(atom('ENVELOPE'), raw(m.imapEnvelope ?? renderEnvelope(m.envelope!)));
        break;
      case 'BODYSTRUCTURE':
        out.push(atom('BODYSTRUCTURE'), raw(renderBodyStructure(root, true)));
        break;
      case 'BODY':
        out.push(atom('BODY'), raw(renderBodyStructure(root, false)));
        break;
      case 'RFC822':
        out.push(atom('RFC822'), literal(rawBytes!));
        break;
      case 'RFC822.HEADER':
        out.push(atom('RFC822.HEADER'), literal(bodySection(rawBytes!, root, { part: [], text: { kind: 'HEADER' } })));
        break;
      case 'RFC822.TEXT':
        out.push(atom('RFC822.TEXT'), literal(bodySection(rawBytes!, root, { part: [], text: { kind: 'TEXT' } })));
        break;
      case 'BODY[]':
        out.push(atom(fetchItemName(a)), literal(bodySection(rawBytes!, root, a.section, a.partial ?? undefined)));
        break;
      case 'BINARY': {
        const b = binary(() => binarySection(rawBytes!, root, a.part, a.partial ?? undefined));
        out.push(atom(fetchItemName(a)), b.needsLiteral8 ? literal8(b.bytes) : literal(b.bytes));
        break;
      }
      case 'BINARY.SIZE':
        out.push(atom(fetchItemName(a)), binary(() => binarySize(rawBytes!, root, a.part)));
        break;
    }
  }
  return out;
}

function binary<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    // RFC 3516 §4.3: an encoding the server cannot decode
    if (err instanceof UnknownTransferEncodingError) throw new ImapNo('UNKNOWN-CTE', err.message);
    throw err;
  }
}
