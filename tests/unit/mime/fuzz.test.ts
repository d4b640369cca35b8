/**
 * Bounded fuzzing (about two seconds): random MIME trees and byte-level mutations of them.
 * The parser must never throw, every offset must lie inside the message and inside the
 * parent part, the description must be storable as jsonb, and the IMAP renderings built
 * on it must stay well formed.
 */
import { deepStrictEqual, ok } from 'node:assert/strict';
import { describe, expect, it } from 'vitest';
import { MIME_LIMITS } from '../../../src/shared/limits.js';
import { parseMessage, type MimePart } from '../../../src/mail/mime/index.js';
import { renderBodyStructure } from '../../../src/imap/protocol/body-structure.js';
import { renderEnvelope } from '../../../src/imap/protocol/envelope.js';
import { UnknownTransferEncodingError, binarySection, bodySection } from '../../../src/imap/protocol/sections.js';
import { parseImapValue } from '../../support/golden.js';
import { seededRandom } from '../../support/seeded-random.js';

const FUZZ_MS = 2_000;

const rng = seededRandom;

const PIECES = [
  'Content-Type: multipart/mixed; boundary=',
  'Content-Type: multipart/digest; boundary=',
  'Content-Type: message/rfc822',
  'Content-Type: text/plain; charset="utf-8"; name*0*=x; name*1=y',
  'Content-Transfer-Encoding: base64',
  'Content-Transfer-Encoding: quoted-printable',
  'Content-Transfer-Encoding: x-uuencode',
  'MIME-Version: 1.0',
  'From: "A \\"B\\"" <a@b>, g: c@d, (x) e@f;',
  'To: <@r:a@b>, undisclosed:;',
  'Subject: =?UTF-8?B?SOG7jXA=?= =?windows-1258?Q?ho=F2p?=',
  'Date: Mon, 04 Mar 2024 08:14:55 +0700',
  ' folded continuation',
  '--b',
  '--b--',
  '--bb',
  '=3D=\r\n',
  'SGVsbG8=',
  '(unterminated comment',
  '"unterminated quote',
];

function randomTree(next: () => number, depth: number): string {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(next() * a.length)] as T;
  const eol = pick(['\r\n', '\n', '\r\n', '\r']);
  const headers: string[] = [];
  for (let i = Math.floor(next() * 4); i > 0; i--) headers.push(pick(PIECES));
  const r = next();
  if (depth < 6 && r < 0.35) {
    const b = pick(['b', 'bb', 'b-1', '=_x']);
    const parts = Array.from({ length: Math.floor(next() * 4) }, () => randomTree(next, depth + 1));
    const close = next() < 0.8 ? `--${b}--${eol}` : '';
    return `${headers.join(eol)}${eol}Content-Type: multipart/${pick(['mixed', 'digest', 'alternative'])}; boundary="${b}"${eol}${eol}preamble${eol}${parts.map((p) => `--${b}${eol}${p}${eol}`).join('')}${close}epilogue`;
  }
  if (depth < 6 && r < 0.5) return `${headers.join(eol)}${eol}Content-Type: message/rfc822${eol}${eol}${randomTree(next, depth + 1)}`;
  return `${headers.join(eol)}${eol}${eol}${pick(['body', 'a=3D\r\nb=\r\nc', 'SGVsbG8gd29ybGQ=', '', 'x\0y'])}`;
}

function mutate(next: () => number, input: Buffer): Buffer {
  const bytes = [...input];
  for (let n = Math.floor(next() * 8); n > 0; n--) {
    const at = Math.floor(next() * (bytes.length + 1));
    const op = next();
    if (op < 0.3) bytes.splice(at, 1 + Math.floor(next() * 8));
    else if (op < 0.6) bytes.splice(at, 0, ...Buffer.from(PIECES[Math.floor(next() * PIECES.length)] as string));
    else if (op < 0.8) bytes.splice(at, 0, [0x0d, 0x0a, 0x00, 0x2d, 0x3a, 0x22, 0x28, 0x3d, 0xff][Math.floor(next() * 9)] as number);
    else if (bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = Math.floor(next() * 256);
  }
  return Buffer.from(bytes);
}

/** every offset inside the message, children inside their parent's body */
function checkPart(part: MimePart, lo: number, hi: number, depth: number): void {
  ok(depth < MIME_LIMITS.maxNestingDepth, 'nesting limit');
  ok(lo <= part.headerStart && part.headerStart <= part.bodyStart && part.bodyStart <= part.bodyEnd && part.bodyEnd <= hi, 'offsets');
  ok(part.bodySize === part.bodyEnd - part.bodyStart, 'body size');
  if (part.kind === 'message') ok(part.children.length === 1, 'message/rfc822 holds one message');
  if (part.kind !== 'multipart' && part.kind !== 'message') ok(part.children.length === 0, 'leaf without children');
  let prevEnd = part.bodyStart;
  for (const child of part.children) {
    ok(child.headerStart >= prevEnd, 'children in order');
    checkPart(child, part.bodyStart, part.bodyEnd, depth + 1);
    prevEnd = child.bodyEnd;
  }
}

function paths(part: MimePart, prefix: number[] = []): number[][] {
  const inner = part.kind === 'message' ? part.children[0] : part;
  const kids = inner && inner.kind === 'multipart' ? inner.children : [];
  return [prefix, ...kids.flatMap((c, i) => paths(c, [...prefix, i + 1]))];
}

function exercise(raw: Buffer): void {
  const parsed = parseMessage(raw);
  checkPart(parsed.root, 0, raw.length, 0);
  const json = JSON.stringify(parsed);
  deepStrictEqual(JSON.parse(json), parsed);
  ok(!json.includes('\\u0000'), 'jsonb cannot store U+0000');
  parseImapValue(renderEnvelope(parsed.root.envelope));
  parseImapValue(renderBodyStructure(parsed.root, true));
  parseImapValue(renderBodyStructure(parsed.root, false));
  for (const p of paths(parsed.root).slice(0, 20)) {
    for (const text of [null, { kind: 'MIME' } as const, { kind: 'HEADER.FIELDS', not: true, fields: ['SUBJECT'] } as const]) {
      if (text?.kind === 'MIME' && p.length === 0) continue;
      bodySection(raw, parsed.root, { part: p, text });
    }
    try {
      binarySection(raw, parsed.root, p);
    } catch (err) {
      if (!(err instanceof UnknownTransferEncodingError)) throw err;
    }
  }
}

describe('parseMessage under fuzzing', () => {
  it(`never throws and keeps offsets inside the message (${FUZZ_MS} ms of random input)`, () => {
    const seed = Date.now() >>> 0;
    const next = rng(seed);
    const deadline = performance.now() + FUZZ_MS;
    let runs = 0;
    while (performance.now() < deadline) {
      const tree = Buffer.from(randomTree(next, 0), 'latin1');
      const input = next() < 0.5 ? tree : mutate(next, tree);
      try {
        exercise(input);
      } catch (err) {
        throw new Error(`seed ${seed}, run ${runs}, input ${JSON.stringify(input.toString('latin1'))}: ${String(err)}`);
      }
      runs++;
    }
    expect(runs).toBeGreaterThan(100);
  });
});
