/**
 * A small authoritative DNS server for tests and benchmarks: UDP and TCP on one free
 * 127.0.0.1 port, answers from an in-memory zone table that tests change with set().
 *
 *   unknown name                    -> NXDOMAIN (RFC 1035 §4.1.1 RCODE 3)
 *   known name (or one with names below it), no record of that type -> NOERROR, no answers
 *   'servfail'                      -> SERVFAIL (resolvers report a temporary error)
 *   'drop'                          -> no answer at all (the client times out)
 *
 * TTLs default to 0 so c-ares' query cache never serves a record a test has replaced.
 * No SOA is sent with negative answers, so they are not cached either (RFC 2308 §5).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet, Question } from 'dns-packet';

export type DnsRecord =
  | { type: 'A'; address: string; ttl?: number }
  | { type: 'AAAA'; address: string; ttl?: number }
  | { type: 'MX'; exchange: string; priority: number; ttl?: number }
  /** A string is split into 255-byte character-strings (RFC 1035 §3.3.14); an array is sent as given. */
  | { type: 'TXT'; text: string | string[]; ttl?: number }
  | { type: 'PTR'; target: string; ttl?: number }
  | { type: 'CNAME'; target: string; ttl?: number };

export type ZoneEntry = DnsRecord[] | 'servfail' | 'drop';
export type Zones = Record<string, ZoneEntry>;

export interface TestDnsServer {
  port: number;
  /** `127.0.0.1:PORT`, ready for createResolver({ servers: [address] }). */
  address: string;
  set(name: string, entry: ZoneEntry): void;
  remove(name: string): void;
  /** Queries answered or dropped so far. */
  readonly queryCount: number;
  stop(): Promise<void>;
}

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3 } as const;
const CLASSIC_UDP_LIMIT = 512; // RFC 1035 §4.2.1
const MAX_CNAME_HOPS = 8;

const normalize = (name: string) => name.toLowerCase().replace(/\.$/, '');

function txtChunks(text: string | string[]): Buffer[] {
  if (Array.isArray(text)) return text.map((t) => Buffer.from(t));
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) chunks.push(bytes.subarray(i, i + 255));
  return chunks.length ? chunks : [Buffer.alloc(0)];
}

function toAnswer(name: string, record: DnsRecord): Answer {
  const ttl = record.ttl ?? 0;
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return { type: record.type, name, ttl, data: record.address };
    case 'MX':
      return { type: 'MX', name, ttl, data: { exchange: record.exchange, preference: record.priority } };
    case 'TXT':
      return { type: 'TXT', name, ttl, data: txtChunks(record.text) };
    case 'PTR':
    case 'CNAME':
      return { type: record.type, name, ttl, data: record.target };
  }
}

export async function startDnsServer(zones: Zones = {}): Promise<TestDnsServer> {
  const table = new Map<string, ZoneEntry>();
  const set = (name: string, entry: ZoneEntry) => void table.set(normalize(name), entry);
  for (const [name, entry] of Object.entries(zones)) set(name, entry);
  let queryCount = 0;

  /** A name exists if it has an entry or any name below it does (an empty non-terminal). */
  const exists = (name: string) => {
    if (table.has(name)) return true;
    for (const key of table.keys()) if (key.endsWith(`.${name}`)) return true;
    return false;
  };

  /** The response for one query, or null to stay silent. */
  function answer(query: DecodedPacket, transport: 'udp' | 'tcp'): Buffer | null {
    const question: Question | undefined = query.questions?.[0];
    const opt = query.additionals?.find((a) => a.type === 'OPT');
    const rd = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
    const response = (rcode: number, answers: Answer[] = []): Packet => ({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | rd | rcode,
      questions: question ? [question] : [],
      answers,
      // RFC 6891 §6.1.1: answer EDNS with EDNS
      additionals: opt ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
    });
    if (!question) return dnsPacket.encode(response(RCODE.NOERROR));

    const answers: Answer[] = [];
    let name = question.name;
    let rcode: number = RCODE.NOERROR;
    for (let hop = 0; hop < MAX_CNAME_HOPS; hop++) {
      const entry = table.get(normalize(name));
      if (entry === 'drop') return null;
      if (entry === 'servfail') return dnsPacket.encode(response(RCODE.SERVFAIL));
      if (!entry) {
        if (hop === 0 && !exists(normalize(name))) rcode = RCODE.NXDOMAIN;
        break;
      }
      const cname = entry.find((r) => r.type === 'CNAME');
      // RFC 1034 §3.6.2: a CNAME answers every type at its owner name; follow it
      if (cname && cname.type === 'CNAME' && question.type !== 'CNAME') {
        answers.push(toAnswer(name, cname));
        name = cname.target;
        continue;
      }
      for (const record of entry) if (record.type === question.type) answers.push(toAnswer(name, record));
      break;
    }

    const packet = response(rcode, answers);
    // RFC 6891 §6.2.3: over UDP, up to the size the client advertised, never less than 512
    const limit = transport === 'tcp' ? Infinity : Math.max(CLASSIC_UDP_LIMIT, opt?.type === 'OPT' ? opt.udpPayloadSize : 0);
    if (dnsPacket.encodingLength(packet) > limit) {
      // RFC 1035 §4.2.1 / RFC 7766 §5: too big for UDP, set TC so the client retries over TCP
      return dnsPacket.encode({ ...packet, answers: [], flags: (packet.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE });
    }
    return dnsPacket.encode(packet);
  }

  function handle(raw: Buffer, transport: 'udp' | 'tcp'): Buffer | null {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(raw);
    } catch {
      return null; // not DNS; a real server would answer FORMERR, tests gain nothing from it
    }
    queryCount++;
    return answer(query, transport);
  }

  const onUdp = (udp: dgram.Socket) => (msg: Buffer, rinfo: dgram.RemoteInfo) => {
    const reply = handle(msg, 'udp');
    if (reply) udp.send(reply, rinfo.port, rinfo.address);
  };

  const sockets = new Set<net.Socket>();
  const onTcp = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      // RFC 1035 §4.2.2: each TCP message is prefixed with a two-byte length
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const length = pending.readUInt16BE(0);
        const reply = handle(pending.subarray(2, 2 + length), 'tcp');
        pending = pending.subarray(2 + length);
        if (reply) {
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(reply.length);
          socket.write(Buffer.concat([prefix, reply]));
        }
      }
    });
  };

  const { udp, tcp, port } = await listenOnFreePort(onUdp, onTcp);
  return {
    port,
    address: `127.0.0.1:${port}`,
    set,
    remove: (name) => void table.delete(normalize(name)),
    get queryCount() {
      return queryCount;
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

/** Bind UDP on a free port, then TCP on the same number; start over if TCP's is taken. */
async function listenOnFreePort(
  onUdp: (udp: dgram.Socket) => (msg: Buffer, rinfo: dgram.RemoteInfo) => void,
  onTcp: (socket: net.Socket) => void,
): Promise<{ udp: dgram.Socket; tcp: net.Server; port: number }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const udp = dgram.createSocket('udp4');
    udp.on('message', onUdp(udp));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => {
        udp.off('error', reject);
        resolve();
      });
    });
    const port = udp.address().port;
    const tcp = net.createServer(onTcp);
    const listening = await new Promise<boolean>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(false) : reject(err));
      tcp.once('error', onError);
      tcp.listen(port, '127.0.0.1', () => {
        tcp.off('error', onError);
        resolve(true);
      });
    });
    if (listening) return { udp, tcp, port };
    await new Promise<void>((resolve) => udp.close(() => resolve()));
  }
  throw new Error('no port free for both UDP and TCP on 127.0.0.1 after 10 attempts');
}
