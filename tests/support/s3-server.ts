import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import S3rver from 's3rver';
import { signatureV4 } from '../../src/store/s3-signature.js';

export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface TestS3Server {
  /** http://127.0.0.1:PORT: the checking front, which is what the blob store talks to */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** every request the front received, in order */
  requests: SeenRequest[];
  /** the next `n` requests (of `method`, when given) are answered 503 SlowDown, as a busy S3 does */
  failNext(n: number, method?: string): void;
  /** the stored bytes of a key, read from s3rver's own store; undefined when absent */
  object(key: string): Promise<Buffer | undefined>;
  keys(prefix?: string): Promise<string[]>;
  stop(): Promise<void>;
}

const xmlError = (code: string, message: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;

/**
 * s3rver (a local S3-compatible server) on 127.0.0.1, with the bucket "hopthu", behind a
 * front that does what s3rver leaves out and S3, MinIO and Ceph do: it checks the AWS
 * SigV4 signature against the secret key (403 SignatureDoesNotMatch), the body against
 * x-amz-content-sha256 and Content-MD5 (400), and can answer 503 on request.
 */
export async function startS3Server(): Promise<TestS3Server> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hopthu-s3-'));
  const bucket = 'hopthu';
  // s3rver knows this one key pair
  const accessKeyId = 'S3RVER';
  const secretAccessKey = 'S3RVER';
  const region = 'us-east-1';
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  const inner = await s3rver.run();
  const innerUrl = `http://127.0.0.1:${inner.port}`;
  const requests: SeenRequest[] = [];
  let failing = 0;
  let failingMethod: string | undefined;

  const front = http.createServer(async (req, res) => {
    const reply = (status: number, code: string, message: string) => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(req.method === 'HEAD' ? undefined : xmlError(code, message));
    };
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method!, path: req.url!, headers: req.headers });
      if (failing > 0 && (!failingMethod || failingMethod === req.method)) {
        failing--;
        return reply(503, 'SlowDown', 'Please reduce your request rate.');
      }
      const refusal = checkRequest(req, body, { accessKeyId, secretAccessKey });
      if (refusal) return reply(refusal.status, refusal.code, refusal.message);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length', 'transfer-encoding'].includes(name)),
      ) as Record<string, string>;
      const answer = await fetch(`${innerUrl}${req.url}`, { method: req.method!, headers, ...(body.length || req.method === 'PUT' ? { body } : {}) });
      const out: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (!['connection', 'transfer-encoding', 'keep-alive'].includes(name)) out[name] = value;
      });
      res.writeHead(answer.status, out);
      if (answer.body && req.method !== 'HEAD') Readable.fromWeb(answer.body as import('node:stream/web').ReadableStream).pipe(res);
      else res.end();
    } catch (err) {
      reply(500, 'InternalError', (err as Error).message);
    }
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;

  return {
    endpoint,
    bucket,
    accessKeyId,
    secretAccessKey,
    region,
    requests,
    failNext(n, method) {
      failing = n;
      failingMethod = method;
    },
    async object(key) {
      const found = await s3rver.store.getObject(bucket, key);
      if (!found) return undefined;
      const chunks: Buffer[] = [];
      for await (const c of found.content) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    },
    async keys(prefix = '') {
      return (await s3rver.store.listObjects(bucket, { prefix })).objects.map((o) => o.key);
    },
    async stop() {
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await s3rver.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What S3 checks of a request before it touches the bucket; undefined when the request passes. */
function checkRequest(req: http.IncomingMessage, body: Buffer, keys: { accessKeyId: string; secretAccessKey: string }) {
  const authorization = req.headers.authorization ?? '';
  const parts = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!parts) return { status: 403, code: 'AccessDenied', message: 'Anonymous access is forbidden for this operation' };
  const [, accessKeyId, , region, signedHeaders, signature] = parts as unknown as [string, string, string, string, string, string];
  if (accessKeyId !== keys.accessKeyId) return { status: 403, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
  const headers = Object.fromEntries(signedHeaders.split(';').map((name) => [name, String(req.headers[name] ?? '')]));
  const [pathPart, query = ''] = req.url!.split('?') as [string, string?];
  const expected = signatureV4({ method: req.method!, path: pathPart, query, headers, payloadHash }, { secretAccessKey: keys.secretAccessKey, region }, String(req.headers['x-amz-date']));
  if (expected !== signature) {
    return { status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' };
  }
  if (/^[0-9a-f]{64}$/.test(payloadHash) && createHash('sha256').update(body).digest('hex') !== payloadHash) {
    return { status: 400, code: 'XAmzContentSHA256Mismatch', message: "The provided 'x-amz-content-sha256' header does not match what was computed." };
  }
  const md5 = req.headers['content-md5'];
  if (md5 !== undefined && createHash('md5').update(body).digest('base64') !== md5) {
    return { status: 400, code: 'BadDigest', message: 'The Content-MD5 you specified did not match what we received.' };
  }
  if (req.method === 'PUT' && req.headers['content-length'] === undefined) {
    return { status: 411, code: 'MissingContentLength', message: 'You must provide the Content-Length HTTP header.' };
  }
  return undefined;
}
