import type { ArgParser } from './arg-parser.js';
import { parseSectionSpec, sectionLabel, SectionSyntaxError, type PartialRange, type SectionSpec } from './sections.js';
import type { SequenceSet } from './sequence-set.js';
import type { AtomToken } from './tokens.js';

/**
 * FETCH arguments (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 7162 CONDSTORE/QRESYNC):
 * sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]
 */

export type SimpleFetchAtt =
  | 'FLAGS'
  | 'INTERNALDATE'
  | 'RFC822.SIZE'
  | 'ENVELOPE'
  | 'BODYSTRUCTURE'
  /** BODY without a section: the non-extensible BODYSTRUCTURE */
  | 'BODY'
  | 'UID'
  | 'MODSEQ'
  | 'RFC822'
  | 'RFC822.HEADER'
  | 'RFC822.TEXT';

export type FetchAtt =
  | { kind: SimpleFetchAtt }
  | { kind: 'BODY[]'; peek: boolean; section: SectionSpec; partial: PartialRange | null }
  | { kind: 'BINARY'; peek: boolean; part: number[]; partial: PartialRange | null }
  | { kind: 'BINARY.SIZE'; part: number[] };

export interface FetchArgs {
  set: SequenceSet;
  /** in request order, macros expanded, then the items the request implies (UID for UID FETCH, MODSEQ with CHANGEDSINCE) */
  items: FetchAtt[];
  macro: 'ALL' | 'FAST' | 'FULL' | null;
  /** RFC 7162 §3.1.4 CHANGEDSINCE */
  changedSince: number | null;
  /** RFC 7162 §3.2.6 VANISHED */
  vanished: boolean;
}

const SIMPLE = new Set<string>(['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY', 'UID', 'MODSEQ', 'RFC822', 'RFC822.HEADER', 'RFC822.TEXT']);

/** RFC 9051 §6.4.5 macros */
const MACROS: Record<'ALL' | 'FAST' | 'FULL', SimpleFetchAtt[]> = {
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

// name "[" section "]" ["<" number "." nz-number ">"]
const SECTIONED = /^(BODY|BODY\.PEEK|BINARY|BINARY\.PEEK|BINARY\.SIZE)\[(.*)\](?:<([^>]*)>)?$/is;

export function parseFetchArgs(p: ArgParser, uid: boolean): FetchArgs {
  const set = p.sequenceSet();
  let macro: FetchArgs['macro'] = null;
  let items: FetchAtt[];
  const first = p.peekKeyword();
  if (first === 'ALL' || first === 'FAST' || first === 'FULL') {
    p.word('a fetch macro');
    macro = first;
    items = MACROS[first].map((kind) => ({ kind }));
  } else if (p.isOpen()) {
    items = p.list('the fetch attributes', () => fetchAtt(p), 1);
  } else {
    items = [fetchAtt(p)];
  }
  let changedSince: number | null = null;
  let vanished = false;
  if (p.isOpen()) {
    // RFC 4466 §2.4: fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
    const start = p.peek();
    p.list(
      'the fetch modifiers',
      () => {
        const t = p.peek();
        const name = p.keyword('a fetch modifier', ['CHANGEDSINCE', 'VANISHED']);
        if (name === 'CHANGEDSINCE') {
          if (changedSince !== null) p.failAt(t, 'CHANGEDSINCE given twice');
          changedSince = p.modSequence(); // RFC 7162 §3.1.4
        } else {
          if (vanished) p.failAt(t, 'VANISHED given twice');
          vanished = true;
        }
      },
      1,
    );
    // RFC 7162 §3.2.6: VANISHED only in UID FETCH, and only with CHANGEDSINCE
    if (vanished && !uid) p.failAt(start, 'VANISHED can only be used with UID FETCH (RFC 7162 section 3.2.6)');
    if (vanished && changedSince === null) p.failAt(start, 'VANISHED needs CHANGEDSINCE (RFC 7162 section 3.2.6)');
  }
  p.end();
  const has = (kind: string): boolean => items.some((i) => i.kind === kind);
  // RFC 9051 §6.4.9: UID FETCH always returns the UID
  if (uid && !has('UID')) items.push({ kind: 'UID' });
  // RFC 7162 §3.1.4: CHANGEDSINCE implies the MODSEQ item
  if (changedSince !== null && !has('MODSEQ')) items.push({ kind: 'MODSEQ' });
  return { set, items, macro, changedSince, vanished };
}

function fetchAtt(p: ArgParser): FetchAtt {
  const t = p.word('a fetch attribute (FLAGS, ENVELOPE, BODY[...], ...)');
  const upper = t.text.toUpperCase();
  if (SIMPLE.has(upper)) return { kind: upper as SimpleFetchAtt };
  const m = SECTIONED.exec(t.text);
  if (!m) {
    if (upper === 'ALL' || upper === 'FAST' || upper === 'FULL') p.failAt(t, `the ${upper} macro cannot be inside a list (RFC 9051 section 6.4.5)`);
    if (upper === 'BODY.PEEK' || upper.startsWith('BINARY')) p.failAt(t, `${t.text} needs a section in [...]`);
    return p.fail('a fetch attribute (FLAGS, ENVELOPE, BODY[...], ...)', t);
  }
  const name = (m[1] as string).toUpperCase();
  const partial = m[3] === undefined ? null : parsePartial(p, t, m[3]);
  if (name === 'BODY' || name === 'BODY.PEEK') {
    return { kind: 'BODY[]', peek: name === 'BODY.PEEK', section: section(p, t, m[2] as string), partial };
  }
  // RFC 3516 §4.2: section-binary = "[" [section-part] "]"
  const spec = section(p, t, m[2] as string);
  if (spec.text) p.failAt(t, `${name} takes only part numbers in [...], not ${sectionLabel(spec)} (RFC 3516 section 4.2)`);
  if (name === 'BINARY.SIZE') {
    if (partial) p.failAt(t, 'BINARY.SIZE takes no <partial> (RFC 3516 section 4.2)');
    return { kind: 'BINARY.SIZE', part: [...spec.part] };
  }
  return { kind: 'BINARY', peek: name === 'BINARY.PEEK', part: [...spec.part], partial };
}

function section(p: ArgParser, t: AtomToken, text: string): SectionSpec {
  try {
    return parseSectionSpec(text);
  } catch (err) {
    if (err instanceof SectionSyntaxError) p.failAt(t, `invalid section [${text}] (RFC 9051 section 6.4.5)`);
    throw err;
  }
}

/** RFC 9051 §9: partial = "<" number64 "." nz-number64 ">" */
function parsePartial(p: ArgParser, t: AtomToken, text: string): PartialRange {
  const m = /^(\d{1,15})\.(\d{1,15})$/.exec(text);
  if (!m) return p.failAt(t, `invalid partial <${text}>: expected <offset.length>`);
  const length = Number(m[2]);
  if (length === 0) p.failAt(t, `invalid partial <${text}>: the length cannot be 0`);
  return { offset: Number(m[1]), length };
}

/** The name a FETCH response gives the item (RFC 9051 §7.5.2): BODY.PEEK answers as BODY, a partial shows only its origin. */
export function fetchItemName(att: FetchAtt): string {
  switch (att.kind) {
    case 'BODY[]':
      return `BODY[${sectionLabel(att.section)}]${att.partial ? `<${att.partial.offset}>` : ''}`;
    case 'BINARY':
      return `BINARY[${att.part.join('.')}]${att.partial ? `<${att.partial.offset}>` : ''}`;
    case 'BINARY.SIZE':
      return `BINARY.SIZE[${att.part.join('.')}]`;
    default:
      return att.kind;
  }
}
