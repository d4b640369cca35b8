import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { amzDate, authorizationV4, encodeKeyPath, EMPTY_PAYLOAD_SHA256 } from '../../../src/store/s3-signature.js';

// The worked examples of AWS's "Signature Calculations for the Authorization Header:
// Transferring Payload in a Single Chunk" (Amazon S3 API reference): virtual-hosted
// addressing of bucket "examplebucket", the documentation's example key pair.
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1' };
const date = '20130524T000000Z';

describe('AWS Signature Version 4', () => {
  it('x-amz-date is the basic ISO 8601 form in UTC', () => {
    expect(amzDate(new Date(Date.UTC(2013, 4, 24, 0, 0, 0, 123)))).toBe(date);
  });

  it('signs the GET Object example (with Range) as AWS documents it', () => {
    const headers = { host: 'examplebucket.s3.amazonaws.com', range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY_PAYLOAD_SHA256, 'x-amz-date': date };
    expect(authorizationV4({ method: 'GET', path: '/test.txt', headers, payloadHash: EMPTY_PAYLOAD_SHA256 }, credentials, date)).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('signs the PUT Object example, whose key needs percent-encoding, as AWS documents it', () => {
    const payloadHash = createHash('sha256').update('Welcome to Amazon S3.').digest('hex');
    expect(payloadHash).toBe('44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
    const headers = {
      date: 'Fri, 24 May 2013 00:00:00 GMT',
      host: 'examplebucket.s3.amazonaws.com',
      'x-amz-content-sha256': payloadHash,
      'x-amz-date': date,
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    };
    expect(encodeKeyPath('/test$file.text')).toBe('/test%24file.text');
    expect(authorizationV4({ method: 'PUT', path: encodeKeyPath('/test$file.text'), headers, payloadHash }, credentials, date)).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,' +
        'Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    );
  });
});
