import { atom, type ImapValue } from '../protocol/response-writer.js';
import { formatSequenceSet } from '../protocol/sequence-set.js';
import type { SearchReturn } from '../protocol/search-args.js';

/**
 * The items of an ESEARCH answer (RFC 4731 §3.1, for SORT RFC 5267 §3.2) after its TAG and
 * UID: MIN and MAX are the first and last of `numbers` in the order given (ascending for
 * SEARCH, sort order for SORT), ALL keeps that order (ascending runs become ranges), COUNT.
 */
export function esearchValues(tag: string, uid: boolean, numbers: readonly number[], r: SearchReturn): ImapValue[] {
  const values: ImapValue[] = [[atom('TAG'), tag]];
  if (uid) values.push(atom('UID'));
  if (numbers.length) {
    if (r.min) values.push(atom('MIN'), numbers[0] as number);
    if (r.max) values.push(atom('MAX'), numbers[numbers.length - 1] as number);
    if (r.all) values.push(atom('ALL'), atom(formatSequenceSet([...numbers])));
  }
  if (r.count) values.push(atom('COUNT'), numbers.length);
  return values;
}

/** RFC 5182 §2.4: SAVE alone answers no ESEARCH */
export const onlySaves = (r: SearchReturn) => r.save && !r.min && !r.max && !r.all && !r.count;
