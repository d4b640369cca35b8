import { hash } from 'node:crypto';

/** The all-zero hash the first event links to. */
export const GENESIS = '0'.repeat(64);

/** JSON with object keys sorted and undefined members left out: one text per value. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i ? ',' : '') + canonical(value[i]);
    return `${text}]`;
  }
  const object = value as Record<string, unknown>;
  // the default sort orders by UTF-16 code units, as comparing with < does
  const keys = Object.keys(object).sort();
  let text = '{';
  for (const key of keys) {
    const v = object[key];
    if (v === undefined) continue;
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonical(v)}`;
  }
  return `${text}}`;
}

/** What an event's hash covers, besides the previous hash. */
export interface HashedFields {
  actor: string;
  action: string;
  target: string | null;
  source: string | null;
  /** left out of the hashed body when null, so events from before agencies existed verify unchanged */
  agencyId: number | null;
  data: Record<string, unknown>;
}

/**
 * canonical({at, actor, action, target, source, data, agencyId}) written out directly,
 * keys in their sorted order (action, actor, agencyId, at, data, source, target): the
 * verifier makes one per event, so it skips building and sorting an object. The part
 * before the time and the part after it.
 */
function bodyParts(f: HashedFields): [string, string] {
  const agency = f.agencyId === null || f.agencyId === undefined ? '' : `,"agencyId":${canonical(f.agencyId)}`;
  return [
    `{"action":${JSON.stringify(f.action)},"actor":${JSON.stringify(f.actor)}${agency},"at":`,
    `,"data":${canonical(f.data)},"source":${JSON.stringify(f.source)},"target":${JSON.stringify(f.target)}}`,
  ];
}

/** the text an event's hash covers after the previous hash */
export function canonicalBody(at: string, f: HashedFields): string {
  const [head, tail] = bodyParts(f);
  return head + JSON.stringify(at) + tail;
}

/** hash = sha256(prev_hash LF canonical({at, actor, action, target, source, data[, agencyId]})), hex */
export function eventHash(prevHash: string, at: string, f: HashedFields): string {
  return linkHash(prevHash, canonicalBody(at, f));
}

/** sha256(prev_hash LF body), hex; one-shot hashing, three times quicker than a Hash object per event */
export function linkHash(prevHash: string, body: string): string {
  return hash('sha256', `${prevHash}\n${body}`, 'hex');
}

/**
 * The canonical body split around its time, for appends that take the time inside
 * PostgreSQL: head ends with `"at":"`, tail starts with `"`.
 */
export function bodyAroundTime(f: HashedFields): { head: string; tail: string } {
  const [head, tail] = bodyParts(f);
  return { head: `${head}"`, tail: `"${tail}` };
}
