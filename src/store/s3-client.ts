import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../shared/logger.js';
import { BlobStoreError } from './blob-store.js';
import { amzDate, authorizationV4, encodeKeyPath, EMPTY_PAYLOAD_SHA256, type S3Credentials } from './s3-signature.js';

/** Where a bucket is and who we are to it (config `blobs.s3`). */
export interface S3Location extends S3Credentials {
  /** http(s)://host[:port] */
  endpoint: string;
  bucket: string;
  /** https://endpoint/bucket/key rather than https://bucket.endpoint/key */
  forcePathStyle: boolean;
}

export interface RetryPolicy {
  /** tries of one request, the first included */
  attempts: number;
  /** the wait before the second try; it doubles each time, with jitter */
  baseDelayMs: number;
  /** how long a request may take until the answer's headers arrive */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 200, timeoutMs: 60_000 };

export interface S3Request {
  /** the object's key; absent for the bucket itself */
  key?: string;
  headers?: Record<string, string>;
  /** made again for each try, since a stream is read once */
  body?: () => Buffer | Readable;
  /** lower-case hex SHA-256 of the body; the empty payload's when there is none */
  payloadHash?: string;
  /** statuses besides 2xx the caller handles itself (404 of HEAD, 416 of a range) */
  accept?: number[];
}

/**
 * The few requests of S3's REST API the blob store needs, over node's fetch, signed
 * with AWS Signature Version 4. Network errors and 5xx/429 answers are tried again with
 * backoff, a bounded number of times; any other refusal becomes a BlobStoreError naming
 * the bucket and key.
 */
export class S3Client {
  private readonly endpoint: URL;

  constructor(
    private readonly location: S3Location,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    private readonly log?: Logger,
  ) {
    this.endpoint = new URL(location.endpoint);
  }

  /** `s3://bucket/key`, as error messages name an object */
  describe(key?: string) {
    return `s3://${this.location.bucket}/${key ?? ''}`;
  }

  /** The URL of the bucket or of one key, path-style or virtual-hosted. */
  urlOf(key?: string): { url: string; host: string; path: string } {
    const objectPath = key === undefined ? '' : `/${key}`;
    const { protocol, host } = this.endpoint;
    if (this.location.forcePathStyle) {
      const path = encodeKeyPath(`/${this.location.bucket}${objectPath}`);
      return { url: `${protocol}//${host}${path}`, host, path };
    }
    const vhost = `${this.location.bucket}.${host}`;
    const path = encodeKeyPath(objectPath || '/');
    return { url: `${protocol}//${vhost}${path}`, host: vhost, path };
  }

  async send(method: 'GET' | 'HEAD' | 'PUT' | 'DELETE', req: S3Request = {}): Promise<Response> {
    const target = this.urlOf(req.key);
    const what = `${method} ${this.describe(req.key)}`;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.retry.attempts;
      let response: Response;
      try {
        response = await this.attempt(method, target, req);
      } catch (err) {
        const cause = networkCause(err);
        if (last) {
          throw new BlobStoreError('blob-store-unreachable', `the S3 service at ${this.endpoint.origin} did not answer ${what} after ${attempt} attempts: ${cause}`);
        }
        this.log?.warn({ err: cause, attempt, request: what }, 'S3 request failed; trying again');
        await this.backoff(attempt);
        continue;
      }
      if (response.ok || req.accept?.includes(response.status)) return response;
      const { code, message } = await errorOf(response);
      const transient = response.status >= 500 || response.status === 429;
      if (transient && !last) {
        this.log?.warn({ status: response.status, code, attempt, request: what }, 'S3 request refused for now; trying again');
        await this.backoff(attempt);
        continue;
      }
      const said = `${response.status} ${code}${message ? `: ${message}` : ''}`;
      if (transient) throw new BlobStoreError('blob-store-failed', `S3 answered ${what} with ${said} after ${attempt} attempts`);
      if (response.status === 403 || response.status === 401) {
        throw new BlobStoreError('blob-store-denied', `S3 refused ${what} (${said}); check blobs.s3.accessKeyId, blobs.s3.secretAccessKey and the bucket's permissions`);
      }
      // a HEAD answer has no body to name the error: a 404 of the bucket itself is NoSuchBucket
      if (code === 'NoSuchBucket' || (response.status === 404 && req.key === undefined)) throw new BlobStoreError('blob-store-failed', `the bucket "${this.location.bucket}" does not exist at ${this.endpoint.origin} (${what})`);
      if (response.status === 404) throw new BlobStoreError('blob-missing', `${this.describe(req.key)} is not in the bucket (${said})`);
      throw new BlobStoreError('blob-store-failed', `S3 refused ${what} with ${said}`);
    }
  }

  private async attempt(method: string, target: { url: string; host: string; path: string }, req: S3Request): Promise<Response> {
    const date = amzDate(new Date());
    const payloadHash = req.payloadHash ?? EMPTY_PAYLOAD_SHA256;
    const headers: Record<string, string> = { host: target.host, 'x-amz-date': date, 'x-amz-content-sha256': payloadHash };
    for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;
    const authorization = authorizationV4({ method, path: target.path, headers, payloadHash }, this.location, date);
    const { host: _host, ...sent } = headers; // fetch writes Host itself, from the URL
    const body = req.body?.();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${this.retry.timeoutMs} ms`)), this.retry.timeoutMs);
    try {
      return await fetch(target.url, {
        method,
        headers: { ...sent, authorization },
        body: body as RequestInit['body'],
        signal: controller.signal,
        redirect: 'manual',
        ...(body && !Buffer.isBuffer(body) ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (err) {
      // a file the request did not read to the end is closed now, not when collected
      if (body && !Buffer.isBuffer(body)) body.destroy();
      throw err;
    } finally {
      // the timeout covers the request and the answer's headers; a long body read is not cut short
      clearTimeout(timer);
    }
  }

  private backoff(attempt: number) {
    const delay = this.retry.baseDelayMs * 2 ** (attempt - 1);
    return sleep(delay / 2 + Math.random() * (delay / 2));
  }
}

/** The code and message of an S3 error answer (an XML <Error> document; HEAD answers have no body). */
async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const text = await response.text().catch(() => '');
  const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1] ?? '';
  return { code: field('Code') || response.statusText || 'Error', message: field('Message') };
}

/** fetch's "fetch failed" hides the reason in `cause` (ECONNREFUSED, a reset, the timeout). */
function networkCause(err: unknown): string {
  const e = err as Error & { cause?: Error & { code?: string } };
  if (e?.cause) return e.cause.code ? `${e.cause.code} (${e.cause.message})` : e.cause.message;
  return e?.message ?? String(err);
}
