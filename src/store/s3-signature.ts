import { createHash, createHmac } from 'node:crypto';

/** SHA-256 of no bytes: the payload hash of GET, HEAD and DELETE */
export const EMPTY_PAYLOAD_SHA256 = createHash('sha256').digest('hex');

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** What AWS Signature Version 4 covers of one request. */
export interface SignableRequest {
  method: string;
  /** the request path exactly as sent, already URI-encoded (see encodeKeyPath) */
  path: string;
  /** the canonical query string (names and values encoded, sorted); empty for object requests */
  query?: string;
  /** every signed header, lower-case names (host, x-amz-date and x-amz-content-sha256 among them) */
  headers: Record<string, string>;
  /** lower-case hex SHA-256 of the body, as sent in x-amz-content-sha256 */
  payloadHash: string;
}

/** `20130524T000000Z`: the x-amz-date form of a time */
export const amzDate = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/**
 * RFC 3986 unreserved characters stay, everything else is percent-encoded, slashes
 * included (AWS SigV4: "URI-encode each path segment"). S3 encodes the path once.
 */
export const encodeRfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `/bucket/a b/c` → `/bucket/a%20b/c`: each segment encoded, the slashes kept */
export const encodeKeyPath = (path: string) => path.split('/').map(encodeRfc3986).join('/');

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

/** The signing key of one day, region and service, which is all a secret key is used for. */
function signingKey(secretAccessKey: string, day: string, region: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), 's3'), 'aws4_request');
}

/**
 * The request's signature under AWS Signature Version 4 (AWS SigV4 "Create a canonical
 * request" → "Create a string to sign" → "Calculate the signature"). `date` is the
 * x-amz-date value. The server side of tests uses the same function to check one.
 */
export function signatureV4(req: SignableRequest, credentials: Omit<S3Credentials, 'accessKeyId'>, date: string): string {
  const names = Object.keys(req.headers).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(req.headers).map(([n, v]) => [n.toLowerCase(), v]));
  // canonical headers: lower-case name, value trimmed with inner runs of spaces made one
  const canonicalHeaders = names.map((n) => `${n}:${String(lower[n]).trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [req.method, req.path, req.query ?? '', canonicalHeaders, names.join(';'), req.payloadHash].join('\n');
  const day = date.slice(0, 8);
  const scope = `${day}/${credentials.region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonicalRequest)].join('\n');
  return hmac(signingKey(credentials.secretAccessKey, day, credentials.region), stringToSign).toString('hex');
}

/** The Authorization header value for a request whose headers already hold host, x-amz-date and x-amz-content-sha256. */
export function authorizationV4(req: SignableRequest, credentials: S3Credentials, date: string): string {
  const signed = Object.keys(req.headers).map((n) => n.toLowerCase()).sort().join(';');
  const scope = `${date.slice(0, 8)}/${credentials.region}/s3/aws4_request`;
  return `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope},SignedHeaders=${signed},Signature=${signatureV4(req, credentials, date)}`;
}
