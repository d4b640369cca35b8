import { z } from 'zod';
import { HopthuError, UserError } from '../shared/errors.js';

/** A refusal of the admin API: an HTTP status and a stable code; the handler writes it as JSON. */
export class ApiError extends HopthuError {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    code: string,
    message: string,
    /** for 400: which input was wrong, e.g. 'body.quota_bytes' */
    readonly field?: string,
  ) {
    super(code, message);
  }
}

/** The one error body every route answers with. */
export const errorBody = z
  .strictObject({
    error: z.strictObject({
      code: z.string().describe("stable, machine-readable: 'invalid-request', 'no-such-account', 'out-of-scope' …"),
      message: z.string().describe('a sentence for people, saying what to change'),
      field: z.string().optional().describe("for 400: the input that was wrong, e.g. 'body.quota_bytes'"),
    }),
  });
export type ErrorBody = z.infer<typeof errorBody>;

/** The statuses every route may answer besides its own, and what they mean. */
export const COMMON_ERRORS: Record<number, string> = {
  400: 'the request is invalid: the message names the field',
  401: 'no API token, or an unknown, expired or revoked one',
  403: "the token's role or scope does not allow this",
  404: 'no such resource',
  409: 'the change conflicts with what exists',
  413: 'the request body is larger than api.bodyLimitBytes',
  429: "too many requests for this token; see Retry-After",
};

const FASTIFY_ERRORS: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body-too-large', 'the request body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported-media-type', 'send the request body as application/json'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid-json', 'the request says it has a JSON body but the body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid-json', 'the request body is not valid JSON'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid-request', 'the Content-Length does not match the body'],
};

/**
 * Turns anything a route threw into an ApiError. A UserError from the modules keeps its
 * code; its status follows the code: 'no-such-…' is 404, 'out-of-scope' 403, '…-exists' and 'address-taken'
 * are 409, the rest 400. Anything else is a fault of ours: 500, without internals.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof UserError) {
    const status = err.code.startsWith('no-such-') ? 404 : err.code === 'out-of-scope' ? 403 : /-exists$|^address-taken$/.test(err.code) ? 409 : 400;
    return new ApiError(status, err.code, err.message);
  }
  const fastifyCode = (err as { code?: unknown }).code;
  if (typeof fastifyCode === 'string') {
    const known = FASTIFY_ERRORS[fastifyCode];
    if (known) {
      const [status, code, message] = known;
      return new ApiError(status, code, message);
    }
  }
  return new ApiError(500, 'internal', 'the server failed to handle the request; the error is in its log');
}

export const forbidden = (message: string) => new ApiError(403, 'out-of-scope', message);
