import type { ArgParser } from './arg-parser.js';
import type { SequenceSet } from './sequence-set.js';

/**
 * SELECT/EXAMINE with their parameters (RFC 4466 §2.1; CONDSTORE RFC 7162 §3.1.8,
 * QRESYNC RFC 7162 §3.2.5), ENABLE (RFC 5161 §3.1) and ID (RFC 2971 §3.1).
 */

export interface QresyncParams {
  uidValidity: number;
  modseq: number;
  /** UIDs the client knows ("*" not allowed) */
  knownUids: SequenceSet | null;
  /** message sequence match data: sequence numbers and the UIDs they had */
  seqMatch: { seqs: SequenceSet; uids: SequenceSet } | null;
}

export interface SelectArgs {
  mailbox: string;
  condstore: boolean;
  qresync: QresyncParams | null;
}

export function parseSelectArgs(p: ArgParser): SelectArgs {
  const mailbox = p.mailbox();
  let condstore = false;
  let qresync: QresyncParams | null = null;
  if (p.isOpen()) {
    p.list(
      'the SELECT parameters',
      () => {
        const t = p.peek();
        const name = p.keyword('a SELECT parameter', ['CONDSTORE', 'QRESYNC']);
        if (name === 'CONDSTORE') {
          if (condstore) p.failAt(t, 'CONDSTORE given twice');
          condstore = true;
        } else {
          if (qresync) p.failAt(t, 'QRESYNC given twice');
          qresync = qresyncParams(p);
        }
      },
      1,
    );
  }
  p.end();
  return { mailbox, condstore, qresync };
}

/** RFC 7162 §7: "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")" */
function qresyncParams(p: ArgParser): QresyncParams {
  p.open('the QRESYNC parameters');
  const uidValidity = p.nzNumber('the UIDVALIDITY');
  const modseq = p.modSequence();
  const noStar = { saved: false, star: false };
  const knownUids = !p.isOpen() && !p.isClose() ? p.sequenceSet('the known UIDs', noStar) : null;
  let seqMatch: QresyncParams['seqMatch'] = null;
  if (p.isOpen()) {
    p.open('the sequence match data');
    const seqs = p.sequenceSet('the known sequence numbers', noStar);
    const uids = p.sequenceSet('the known UIDs of the sequence match data', noStar);
    p.close('the sequence match data');
    seqMatch = { seqs, uids };
  }
  p.close('the QRESYNC parameters');
  return { uidValidity, modseq, knownUids, seqMatch };
}

/** RFC 5161 §3.1: ENABLE 1*(SP capability); upper-cased */
export function parseEnableArgs(p: ArgParser): { capabilities: string[] } {
  const capabilities = [p.atom('a capability name').toUpperCase()];
  while (!p.atEnd) capabilities.push(p.atom('a capability name').toUpperCase());
  return { capabilities };
}

/** RFC 2971 §3.3 */
const ID_FIELD_OCTETS = 30;
const ID_VALUE_OCTETS = 1024;
const ID_PAIRS = 30;

/** RFC 2971 §4: id-params-list = "(" *(string SP nstring) ")" / nil; NIL gives null */
export function parseIdArgs(p: ArgParser): { params: [string, string | null][] | null } {
  if (p.peekKeyword() === 'NIL') {
    p.word('NIL');
    p.end();
    return { params: null };
  }
  const params: [string, string | null][] = [];
  p.open('the ID parameter list');
  while (!p.isClose()) {
    const ft = p.peek();
    const field = p.string('an ID field name');
    const vt = p.peek();
    const value = p.nstring('an ID value or NIL');
    // RFC 2971 §3.3: fields at most 30 octets, values at most 1024, at most 30 pairs
    if (field.length > ID_FIELD_OCTETS) p.failAt(ft, `ID field names are at most ${ID_FIELD_OCTETS} octets (RFC 2971 section 3.3)`);
    if (value && value.length > ID_VALUE_OCTETS) p.failAt(vt, `ID values are at most ${ID_VALUE_OCTETS} octets (RFC 2971 section 3.3)`);
    params.push([field.toString('utf8'), value === null ? null : value.toString('utf8')]);
    if (params.length > ID_PAIRS) p.failAt(ft, `at most ${ID_PAIRS} ID field-value pairs (RFC 2971 section 3.3)`);
  }
  p.close('the ID parameter list');
  p.end();
  return { params };
}
