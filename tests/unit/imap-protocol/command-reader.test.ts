import { describe, expect, it } from 'vitest';
import { CommandReader, type LiteralSink, type ReadCommand } from '../../../src/imap/protocol/command-reader.js';
import { IMAP_LIMITS } from '../../../src/shared/limits.js';
import { Recorder, read } from './support.js';

const summary = (c: ReadCommand) => ({
  tag: c.tag,
  name: c.name,
  uid: c.uid,
  args: c.args.map((t) =>
    t.kind === 'atom' ? t.text : t.kind === 'quoted' ? `"${t.bytes.toString('latin1')}"` : t.kind === 'literal' ? `{${t.bytes.toString('latin1')}}` : t.kind === 'streamed' ? `<${String(t.result)}>` : t.kind === 'open' ? '(' : ')',
  ),
});

describe('command lines (RFC 9051 §2.2.1)', () => {
  it('reads a tagged command with its tokens and positions', async () => {
    const line = 'a1 uid fetch 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>)\r\n';
    const owner = await read(line);
    expect(owner.commands.map(summary)).toEqual([
      { tag: 'a1', name: 'FETCH', uid: true, args: ['1:*', '(', 'FLAGS', 'BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>', ')'] },
    ]);
    expect(owner.commands[0]?.args[0]?.pos).toBe(13);
    expect(owner.commands[0]?.end).toBe(line.length - 2);
  });

  it('tolerates bare LF line ends and ignores blank lines between commands', async () => {
    const owner = await read('\r\nA1 NOOP\n\n  \r\nA2 LOGOUT\r\n');
    expect(owner.commands.map((c) => c.tag)).toEqual(['A1', 'A2']);
    expect(owner.rejections).toEqual([]);
  });

  it('reads pipelined commands from one chunk, and a command split over many chunks', async () => {
    expect((await read('A1 NOOP\r\nA2 NOOP\r\nA3 NOOP\r\n')).commands).toHaveLength(3);
    expect((await read(['A1 NO', 'OP\r', '\nA2 ', 'NOOP\r\n'])).commands.map((c) => c.name)).toEqual(['NOOP', 'NOOP']);
  });

  it('unescapes quoted strings', async () => {
    const owner = await read('A1 LOGIN "an\\"nv" "p\\\\w d"\r\n');
    expect(owner.commands.map(summary)[0]?.args).toEqual(['"an"nv"', '"p\\w d"']);
  });

  it.each([
    ['+1 NOOP\r\n', null, 'Invalid or missing tag'],
    ['A*1 NOOP\r\n', null, 'Invalid or missing tag'],
    ['"A1" NOOP\r\n', null, 'Invalid or missing tag'],
    ['A1\r\n', 'A1', 'Missing command name'],
    ['A1 (NOOP)\r\n', 'A1', 'Invalid command name at byte 3'],
    ['A1 UID\r\n', 'A1', 'Missing command name'],
    ['A1 FETCH 1 (FLAGS\r\n', 'A1', 'Missing ")": 1 list(s) left open'],
    ['A1 FETCH 1 FLAGS)\r\n', 'A1', 'Unbalanced ")" at byte 16'],
    ['A1 LOGIN "unterminated\r\n', 'A1', 'Unterminated quoted string starting at byte 9'],
    ['A1 LOGIN "a\\b" c\r\n', 'A1', 'Only \\" and \\\\ may be escaped in a quoted string; found \\ before "b" at byte 11'],
    ['A1 LOGIN a\x01b c\r\n', 'A1', 'Control character 0x01 at byte 10'],
    ['A1 LOGIN a\rb c\r\n', 'A1', 'Control character 0x0d at byte 10'],
    ['A1 LOGIN {5} x\r\n', 'A1', 'A literal\'s {n} must end the line (byte 9)'],
    ['A1 FETCH 1 BODY[HEADER\r\n', 'A1', 'Unterminated section: "[" at byte 15 has no "]"'],
  ])('%j is rejected: %s %s', async (input, tag, text) => {
    const owner = await read(input);
    expect(owner.commands).toEqual([]);
    expect(owner.rejections).toEqual([{ tag, status: 'BAD', code: null, text, fatal: false }]);
  });

  it('limits list nesting (limits.listDepth)', async () => {
    const deep = `A1 SEARCH ${'('.repeat(IMAP_LIMITS.listDepth + 1)}ALL${')'.repeat(IMAP_LIMITS.listDepth + 1)}\r\n`;
    const owner = await read(deep);
    expect(owner.rejections[0]?.text).toBe(`Lists nested deeper than ${IMAP_LIMITS.listDepth} levels at byte ${10 + IMAP_LIMITS.listDepth}`);
    const ok = await read(`A1 SEARCH ${'('.repeat(IMAP_LIMITS.listDepth)}ALL${')'.repeat(IMAP_LIMITS.listDepth)}\r\n`);
    expect(ok.commands).toHaveLength(1);
  });
});

describe('literals (RFC 9051 §4.3, §7.5)', () => {
  it('asks before a synchronizing literal and sends "+" when it is accepted', async () => {
    const owner = await read(['A1 LOGIN {5}\r\n', 'an.nv {6}\r\n', 'secret\r\n']);
    expect(owner.events.map((e) => e.type)).toEqual(['literal', 'continue', 'literal', 'continue', 'command']);
    const req = owner.events[0]?.type === 'literal' ? owner.events[0].request : null;
    expect(req).toMatchObject({ tag: 'A1', command: 'LOGIN', uid: false, size: 5, synchronizing: true, binary: false, depth: 0, index: 0, args: [] });
    expect(summary(owner.commands[0] as ReadCommand).args).toEqual(['{an.nv}', '{secret}']);
  });

  it('reads {n+} without a continuation request (RFC 7888 §3)', async () => {
    const owner = await read('A1 LOGIN {5+}\r\nan.nv {6+}\r\nsecret\r\n');
    expect(owner.events.map((e) => e.type)).toEqual(['literal', 'literal', 'command']);
    expect(summary(owner.commands[0] as ReadCommand).args).toEqual(['{an.nv}', '{secret}']);
  });

  it('reads an empty literal and literal8 ~{n} with NUL (RFC 3516 §4.1)', async () => {
    const owner = await read('A1 APPEND {0+}\r\n ~{3+}\r\na\0b\r\n');
    const args = owner.commands[0]?.args;
    expect(args?.[0]).toEqual({ kind: 'literal', pos: 10, bytes: Buffer.alloc(0), binary: false });
    expect(args?.[1]).toEqual({ kind: 'literal', pos: 17, bytes: Buffer.from('a\0b'), binary: true });
  });

  it('gives the owner the arguments before the literal and the list depth', async () => {
    const owner = await read('A1 APPEND INBOX (\\Seen) UTF8 (~{2+}\r\nhi)\r\n');
    const req = owner.events[0]?.type === 'literal' ? owner.events[0].request : null;
    expect(req?.depth).toBe(1);
    expect(req?.args.map((t) => t.kind)).toEqual(['atom', 'open', 'atom', 'close', 'atom', 'open']);
  });

  it('LITERAL- refuses a non-synchronizing literal over 4096 octets with BAD [TOOBIG] and discards it (RFC 7888 §4)', async () => {
    const big = 'x'.repeat(4097);
    const owner = await read(`A1 APPEND INBOX {4097+}\r\n${big}\r\nA2 NOOP\r\n`, undefined, { nonSynchronizingLiterals: 'LITERAL-' });
    expect(owner.rejections).toEqual([
      { tag: 'A1', status: 'BAD', code: 'TOOBIG', text: 'Non-synchronizing literals are limited to 4096 octets (LITERAL-)', fatal: false },
    ]);
    expect(owner.commands.map((c) => c.tag)).toEqual(['A2']);
    const ok = await read(`A1 APPEND INBOX {4096+}\r\n${'x'.repeat(4096)}\r\n`, undefined, { nonSynchronizingLiterals: 'LITERAL-' });
    expect(ok.commands).toHaveLength(1);
  });

  it('a refused synchronizing literal ends the command: no "+", and the next line is a new command', async () => {
    const owner = await read(['A1 APPEND INBOX {999999}\r\n', 'A2 NOOP\r\n'], () => ({ mode: 'refuse', status: 'NO', code: 'OVERQUOTA', text: 'Quota exceeded' }));
    expect(owner.events.map((e) => e.type)).toEqual(['literal', 'rejected', 'command']);
    expect(owner.rejections[0]).toEqual({ tag: 'A1', status: 'NO', code: 'OVERQUOTA', text: 'Quota exceeded', fatal: false });
  });

  it('a refused non-synchronizing literal is read and discarded by its byte count, with the rest of the command', async () => {
    const owner = await read(
      ['A1 APPEND INBOX {12+}\r\nA9 NOOP\r\n\r\n', ' {3+}\r\nA8 (\\Seen) {4+}\r\nX', 'YZW\r\nA2 NOOP\r\n'],
      () => ({ mode: 'refuse', status: 'NO', text: 'Mailbox is read-only' }),
    );
    expect(owner.rejections).toEqual([{ tag: 'A1', status: 'NO', code: null, text: 'Mailbox is read-only', fatal: false }]);
    expect(owner.commands.map((c) => c.tag)).toEqual(['A2']);
  });

  it('refuses a buffered literal larger than its cap before "+" with BAD [TOOBIG]', async () => {
    const owner = await read('A1 LOGIN {300000}\r\nA2 NOOP\r\n');
    expect(owner.rejections[0]).toEqual({
      tag: 'A1',
      status: 'BAD',
      code: 'TOOBIG',
      text: `Literal of 300000 octets is larger than the ${IMAP_LIMITS.bufferedLiteralOctets} allowed here`,
      fatal: false,
    });
    expect(owner.events.some((e) => e.type === 'continue')).toBe(false);
    const capped = await read('A1 LOGIN {20}\r\n', () => ({ mode: 'buffer', maxOctets: 10 }));
    expect(capped.rejections[0]?.text).toBe('Literal of 20 octets is larger than the 10 allowed here');
  });

  it('a failed command with a later synchronizing literal is answered at once (the client waits for "+")', async () => {
    const owner = await read('A1 LOGIN "a\\x" {5}\r\nA2 NOOP\r\n');
    expect(owner.events.map((e) => e.type)).toEqual(['rejected', 'command']);
  });

  it('a literal where the command name should be is BAD', async () => {
    const owner = await read('A1 {4+}\r\nNOOP\r\n');
    expect(owner.rejections[0]?.text).toBe('Expected a command name, found a literal');
    expect(owner.commands).toEqual([]);
  });

  it('a non-synchronizing literal of uncountable size is fatal: the stream cannot be resynchronised', async () => {
    const owner = await read('A1 APPEND INBOX {99999999999999999999+}\r\nA2 NOOP\r\n');
    expect(owner.rejections).toEqual([{ tag: 'A1', status: 'BAD', code: 'TOOBIG', text: 'Literal size is not a number we can count', fatal: true }]);
    expect(owner.commands).toEqual([]);
  });

  it('limits the number of literals in one command', async () => {
    const n = IMAP_LIMITS.literalsPerCommand + 1;
    const owner = await read(`A1 ID (${' {1+}\r\nx'.repeat(n)})\r\nA2 NOOP\r\n`);
    expect(owner.rejections[0]?.text).toBe(`More than ${IMAP_LIMITS.literalsPerCommand} literals in one command`);
    expect(owner.commands.map((c) => c.tag)).toEqual(['A2']);
  });

  it('a {n-} marker is not a literal (RFC 7888 has only {n+})', async () => {
    const owner = await read('A1 LOGIN {5-}\r\nA2 NOOP\r\n');
    expect(owner.rejections[0]?.text).toBe("A literal's {n} must end the line (byte 9)");
    expect(owner.commands.map((c) => c.tag)).toEqual(['A2']);
  });
});

describe('chunk boundaries', () => {
  const wire = Buffer.from(
    'A1 NOOP\r\nA2 APPEND "Th&AbA-ng b&AOE-o" (\\Seen) "04-Mar-2024 08:15:02 +0700" {11}\r\nhello\r\nworld ~{4+}\r\n\0\r\n\n\r\nA3 LOGIN {2+}\r\nab "c d"\nA4 UID FETCH 1 BODY.PEEK[HEADER.FIELDS (FROM)]<0.10>\r\n',
    'latin1',
  );

  it('gives the same events however the bytes are split (every offset, and every pair of offsets)', async () => {
    const expected = (await read(wire)).events;
    expect(expected.filter((e) => e.type === 'command')).toHaveLength(4);
    for (let i = 0; i <= wire.length; i++) {
      expect((await read([wire.subarray(0, i), wire.subarray(i)])).events, `split at ${i}`).toEqual(expected);
    }
    for (let i = 0; i <= wire.length; i += 7) {
      for (let j = i; j <= wire.length; j += 3) {
        const events = (await read([wire.subarray(0, i), wire.subarray(i, j), wire.subarray(j)])).events;
        expect(events, `split at ${i} and ${j}`).toEqual(expected);
      }
    }
  });

  it('streams a literal split at every offset into the same octets', async () => {
    const input = Buffer.from('A1 APPEND INBOX (\\Seen) {26}\r\nabcdefghijklmnopqrstuvwxyz\r\nA2 NOOP\r\n');
    for (let i = 0; i <= input.length; i++) {
      const got: Buffer[] = [];
      const sink = { write: (c: Buffer) => void got.push(Buffer.from(c)), end: () => Buffer.concat(got).toString(), abort: () => {} };
      const owner = await read([input.subarray(0, i), input.subarray(i)], () => ({ mode: 'stream', sink }));
      expect(owner.commands.map(summary), `split at ${i}`).toEqual([
        { tag: 'A1', name: 'APPEND', uid: false, args: ['INBOX', '(', '\\Seen', ')', '<abcdefghijklmnopqrstuvwxyz>'] },
        { tag: 'A2', name: 'NOOP', uid: false, args: [] },
      ]);
    }
  });

  it('gives the same events byte by byte', async () => {
    const expected = (await read(wire)).events;
    const bytes = [...wire].map((b) => Buffer.from([b]));
    expect((await read(bytes)).events).toEqual(expected);
  });
});

describe('overlong lines', () => {
  const limit = IMAP_LIMITS.lineOctets;

  it('answers BAD with the tag and resynchronises at the next line end without keeping the line', async () => {
    const long = `A1 LOGIN ${'x'.repeat(limit)} y\r\n`;
    const chunks = [long.slice(0, 1000), ...Array.from({ length: Math.ceil((long.length - 1000) / 4096) }, (_, i) => long.slice(1000 + i * 4096, 1000 + (i + 1) * 4096))];
    const owner = await read([...chunks, 'A2 NOOP\r\n']);
    expect(owner.rejections).toEqual([{ tag: 'A1', status: 'BAD', code: null, text: `Line longer than ${limit} octets`, fatal: false }]);
    expect(owner.commands.map((c) => c.tag)).toEqual(['A2']);
  });

  it('a line of exactly the limit (CRLF included) is read', async () => {
    const line = `A1 LOGIN "${'x'.repeat(limit - 15)}" y\r\n`;
    expect(Buffer.byteLength(line)).toBe(limit);
    expect((await read(line)).commands).toHaveLength(1);
    expect((await read(`A1 LOGIN "${'x'.repeat(limit - 14)}" y\r\n`)).rejections).toHaveLength(1);
  });

  it('an overlong line that ends in {n+} still has its literal skipped', async () => {
    const owner = await read(`A1 SEARCH ${'ALL '.repeat(limit / 4)} {5+}\r\nA9 NO\r\nA2 NOOP\r\n`);
    expect(owner.rejections.map((r) => r.tag)).toEqual(['A1']);
    expect(owner.commands.map((c) => c.tag)).toEqual(['A2']);
  });

  it('limits the whole text of a command across its lines', async () => {
    const part = `${'x'.repeat(60_000)} {1+}\r\ny`;
    const n = Math.ceil(IMAP_LIMITS.commandTextOctets / 60_000) + 1;
    const owner = await read(`A1 ID (${part.repeat(n)})\r\nA2 NOOP\r\n`);
    expect(owner.rejections[0]?.text).toBe(`Command text longer than ${IMAP_LIMITS.commandTextOctets} octets`);
    expect(owner.commands.map((c) => c.tag)).toEqual(['A2']);
  });
});

/** a sink that records writes and releases each one only when told */
class SlowSink implements LiteralSink {
  chunks: Buffer[] = [];
  ended = false;
  aborted: Error | null = null;
  private waiting: (() => void)[] = [];
  constructor(private readonly name: string) {}
  write(chunk: Buffer): Promise<void> {
    this.chunks.push(Buffer.from(chunk));
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  end(): string {
    this.ended = true;
    return `${this.name}:${Buffer.concat(this.chunks).toString('latin1')}`;
  }
  abort(reason: Error): void {
    this.aborted = reason;
    while (this.release());
  }
  release(): boolean {
    const next = this.waiting.shift();
    next?.();
    return next !== undefined;
  }
  get pending(): number {
    return this.waiting.length;
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('streamed literals', () => {
  it('pass octets to the sink as they arrive, and push waits for the sink (backpressure)', async () => {
    const sink = new SlowSink('blob');
    const owner = new Recorder((req) => (req.args.length > 0 ? { mode: 'stream', sink } : { mode: 'buffer' }));
    const reader = new CommandReader(owner);
    await reader.push(Buffer.from('A1 APPEND INBOX {10}\r\n'));
    expect(owner.events.map((e) => e.type)).toEqual(['literal', 'continue']);
    let done = false;
    const pushed = reader.push(Buffer.from('hello')).then(() => (done = true));
    await tick();
    expect(sink.chunks.map(String)).toEqual(['hello']);
    expect(done).toBe(false); // the sink has not accepted the chunk yet
    sink.release();
    await pushed;
    const second = reader.push(Buffer.from('world\r\nA2 NOOP\r\n'));
    await tick();
    expect(owner.commands).toEqual([]); // the command waits for the sink too
    sink.release();
    await second;
    expect(sink.ended).toBe(true);
    expect(owner.commands.map((c) => c.tag)).toEqual(['A1', 'A2']);
    expect(owner.commands[0]?.args[1]).toEqual({ kind: 'streamed', pos: 16, size: 10, binary: false, result: 'blob:helloworld' });
  });

  it('pushes made while one is pending are consumed in order', async () => {
    const sink = new SlowSink('s');
    const owner = new Recorder(() => ({ mode: 'stream', sink }));
    const reader = new CommandReader(owner);
    const all = Promise.all(['A1 APPEND X {4+}\r\nab', 'cd\r\nA2 NO', 'OP\r\n'].map((c) => reader.push(Buffer.from(c))));
    while (sink.release() || sink.pending === 0) {
      await tick();
      if (owner.commands.length === 2) break;
    }
    await all;
    expect(owner.commands.map((c) => c.tag)).toEqual(['A1', 'A2']);
    expect(Buffer.concat(sink.chunks).toString()).toBe('abcd');
  });

  it('a command that fails after a streamed literal aborts its sink', async () => {
    const sink = { write: () => {}, end: () => 'r', aborted: 0, abort() { this.aborted++; } };
    const owner = await read('A1 APPEND INBOX {3+}\r\nabc (\\Seen "x\\q")\r\n', () => ({ mode: 'stream', sink }));
    expect(owner.rejections).toHaveLength(1);
    expect(sink.aborted).toBe(1);
  });

  it('a sink that throws makes the command NO, with the error as the cause, and the rest is discarded', async () => {
    const boom = new Error('disk full');
    const sink = { write: () => Promise.reject(boom), end: () => 'never', abort: () => {} };
    const owner = await read('A1 APPEND INBOX {6+}\r\nabcdef\r\nA2 NOOP\r\n', () => ({ mode: 'stream', sink }));
    expect(owner.rejections).toEqual([{ tag: 'A1', status: 'NO', code: null, text: 'The literal could not be stored', fatal: false, cause: boom }]);
    expect(owner.commands.map((c) => c.tag)).toEqual(['A2']);
  });

  it('end() aborts the sink of a command cut short, and nothing more is read', async () => {
    const sink = new SlowSink('x');
    const owner = new Recorder(() => ({ mode: 'stream', sink }));
    const reader = new CommandReader(owner);
    void reader.push(Buffer.from('A1 APPEND INBOX {10+}\r\nabc'));
    await tick();
    expect(sink.chunks.map(String)).toEqual(['abc']);
    await reader.end();
    expect(sink.aborted?.message).toBe('The connection closed before the command was complete');
    await reader.push(Buffer.from('A2 NOOP\r\n'));
    expect(owner.commands).toEqual([]);
  });
});

describe('continuation lines and stream hand-over', () => {
  it('expectLine() hands the next line to line(): IDLE ... DONE (RFC 2177 §3)', async () => {
    let reader!: CommandReader;
    const owner = new Recorder();
    const command = owner.command.bind(owner);
    owner.command = (cmd) => {
      command(cmd);
      if (cmd.name === 'IDLE') reader.expectLine();
    };
    reader = new CommandReader(owner);
    await reader.push(Buffer.from('A1 IDLE\r\nDONE\r\nA2 NOOP\r\n'));
    expect(owner.events.map((e) => (e.type === 'line' && e.line.kind === 'line' ? `line:${e.line.bytes}` : e.type))).toEqual(['command', 'line:DONE', 'command']);
  });

  it('an overlong continuation line is reported as too long', async () => {
    let reader!: CommandReader;
    const owner = new Recorder();
    owner.command = () => reader.expectLine();
    reader = new CommandReader(owner);
    await reader.push(Buffer.from(`A1 AUTHENTICATE PLAIN\r\n${'x'.repeat(IMAP_LIMITS.lineOctets + 5)}\r\n`));
    expect(owner.events).toEqual([{ type: 'line', line: { kind: 'too-long', octets: IMAP_LIMITS.lineOctets + 7 } }]);
  });

  it('takeUnread() stops reading after COMPRESS/STARTTLS and returns the rest, queued pushes included', async () => {
    let reader!: CommandReader;
    const owner = new Recorder();
    let rest: Buffer | null = null;
    owner.command = async (cmd) => {
      owner.events.push({ type: 'command', command: cmd });
      await tick(); // the transport pushes more meanwhile
      if (cmd.name === 'STARTTLS') rest = reader.takeUnread();
    };
    reader = new CommandReader(owner);
    await Promise.all([reader.push(Buffer.from('A1 STARTTLS\r\nA2 INJECTED\r\n')), reader.push(Buffer.from('A3 MORE\r\n'))]);
    expect(owner.commands.map((c) => c.tag)).toEqual(['A1']);
    expect(String(rest)).toBe('A2 INJECTED\r\nA3 MORE\r\n');
    await reader.push(Buffer.from('A4 NOOP\r\n'));
    expect(owner.commands.map((c) => c.tag)).toEqual(['A1', 'A4']);
  });

  it('an owner error rejects push and every later push', async () => {
    const owner = new Recorder();
    owner.command = () => {
      throw new Error('owner bug');
    };
    const reader = new CommandReader(owner);
    await expect(reader.push(Buffer.from('A1 NOOP\r\n'))).rejects.toThrow('owner bug');
    await expect(reader.push(Buffer.from('A2 NOOP\r\n'))).rejects.toThrow('owner bug');
  });
});
