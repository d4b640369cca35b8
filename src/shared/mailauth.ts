/**
 * mailauth, loaded with a cache of parsed DKIM/ARC public keys. Import mailauth from here,
 * never from 'mailauth' directly: the cache must be in place before mailauth's verifier
 * module loads (it keeps its own reference to `getPublicKey`).
 *
 * mailauth turns the key's TXT record into a key object, checks it and exports it as PEM
 * for every signature it verifies; on an MX receiving a stream of mail from one sender
 * that parse was the largest single cost of DKIM. The DNS question is still asked each
 * time (through our resolver, whose cache keeps the record's lifetime), and the parsed key
 * is reused only while the record's text is the same: a rotated or withdrawn key is seen
 * as soon as DNS says so. Records that fail to parse are not kept (their errors repeat).
 */
import { createRequire } from 'node:module';
import type MailauthModule from 'mailauth';

type TxtResolver = (name: string, type: 'TXT') => Promise<string[][]>;
type PublicKeyResult = { publicKey: string; rr: string; modulusLength: number };
type GetPublicKey = (type: string, name: string, minBitLength: number | undefined, resolver?: TxtResolver) => Promise<PublicKeyResult>;

/** Distinct key records kept; far above the number of senders signing in any one minute. */
const MAX_KEYS = 2000;

const require = createRequire(import.meta.url);
const tools = require('mailauth/lib/tools') as { getPublicKey: GetPublicKey };
const verifierPath = require.resolve('mailauth/lib/dkim/dkim-verifier');
const parseKey = tools.getPublicKey;
const parsedKeys = new Map<string, PublicKeyResult>();

/** Whether the cache sits between mailauth and its key parser (false if mailauth was loaded elsewhere first). */
export const dkimKeyCacheActive = !(verifierPath in require.cache);

/** Parsed keys reused so far, for tests and diagnostics. */
export const dkimKeyCacheStats = { hits: 0, misses: 0 };

tools.getPublicKey = async (type, name, minBitLength, resolver) => {
  // the same lookup mailauth would make (its default is node's resolver)
  const ask: TxtResolver = resolver ?? ((n) => require('node:dns').promises.resolve(n, 'TXT'));
  const answer = await ask(name, 'TXT');
  const cacheKey = `${type}\n${minBitLength ?? ''}\n${JSON.stringify(answer)}`;
  const known = parsedKeys.get(cacheKey);
  if (known) {
    dkimKeyCacheStats.hits++;
    return known;
  }
  dkimKeyCacheStats.misses++;
  const parsed = await parseKey(type, name, minBitLength, async () => answer);
  if (parsedKeys.size >= MAX_KEYS) parsedKeys.delete(parsedKeys.keys().next().value!);
  parsedKeys.set(cacheKey, parsed);
  return parsed;
};

const mailauth = require('mailauth') as typeof MailauthModule;
export default mailauth;
