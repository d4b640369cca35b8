import type { ArgParser } from './arg-parser.js';
import type { SequenceSet } from './sequence-set.js';

/**
 * STORE arguments (RFC 9051 §6.4.6, RFC 7162 §3.1.3):
 * sequence-set [SP "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")"]
 *   SP ["+" / "-"] "FLAGS" [".SILENT"] SP (flag-list / (flag *(SP flag)))
 */
export interface StoreArgs {
  set: SequenceSet;
  /** RFC 7162 §3.1.3 UNCHANGEDSINCE */
  unchangedSince: number | null;
  /** FLAGS replaces, +FLAGS adds, -FLAGS removes */
  operation: 'replace' | 'add' | 'remove';
  /** .SILENT: no untagged FETCH for the change (RFC 9051 §6.4.6) */
  silent: boolean;
  flags: string[];
}

const ITEM = /^([+-]?)FLAGS(\.SILENT)?$/i;

export function parseStoreArgs(p: ArgParser): StoreArgs {
  const set = p.sequenceSet();
  let unchangedSince: number | null = null;
  if (p.isOpen()) {
    // RFC 4466 §2.5: store-modifiers
    p.list(
      'the store modifiers',
      () => {
        const t = p.peek();
        p.keyword('a store modifier', ['UNCHANGEDSINCE']);
        if (unchangedSince !== null) p.failAt(t, 'UNCHANGEDSINCE given twice');
        unchangedSince = p.modSequence();
      },
      1,
    );
  }
  const t = p.word('FLAGS, +FLAGS or -FLAGS (optionally .SILENT)');
  const m = ITEM.exec(t.text);
  if (!m) p.fail('FLAGS, +FLAGS or -FLAGS (optionally .SILENT)', t);
  const operation = m[1] === '+' ? 'add' : m[1] === '-' ? 'remove' : 'replace';
  let flags: string[];
  if (p.isOpen()) {
    flags = p.flagList();
  } else {
    flags = [p.flag('a flag or a flag list')];
    while (!p.atEnd) flags.push(p.flag());
  }
  p.end();
  return { set, unchangedSince, operation, silent: m[2] !== undefined, flags };
}
