import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import type { Db } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import type { RoleName, RoleScope } from '../identity/roles.js';

/** What a route handler stands on. */
export interface ApiDeps {
  config: Readonly<Config>;
  db: Db;
  redis: Redis;
  log: Logger;
}

/** The token a request came with: who acts, with which role and scope. */
export interface Principal {
  tokenId: number;
  tokenName: string;
  scope: RoleScope;
  /** the audit log's actor for this token's changes */
  actor: string;
}

/**
 * An answer that is a file, not JSON (an audit export): streamed as it is made, so its
 * size does not matter. A route that answers one declares its `download` content types.
 */
export class Download {
  constructor(
    readonly contentType: string,
    readonly filename: string,
    readonly body: Readable,
  ) {}
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P, Q, B> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  principal: Principal;
  deps: ApiDeps;
  /** the client's address (through trusted proxies) */
  ip: string;
}

/**
 * One API operation, as data: the registry feeds both the Fastify routes (which
 * validate with these schemas) and the OpenAPI document (generated from them).
 */
export interface ApiRoute<P = undefined, Q = undefined, B = undefined, R extends z.ZodType = z.ZodType> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** under /api/v1, in OpenAPI form: '/accounts/{address}' */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** the roles that may call it at all; the handler checks the scope on the resource */
  roles: readonly RoleName[];
  params?: P;
  query?: Q;
  body?: B;
  /** the success body; it is checked before it is sent, so the document never lies */
  response: R;
  /** for a route answering a Download: the content types it may have; `response` then describes the file as a string */
  download?: readonly string[];
  /** 200 unless said */
  status?: 200 | 201;
  /** the errors this route answers besides 401, 403, 429 (which every route may) */
  errors?: ReadonlyArray<400 | 404 | 409 | 413>;
  handler(input: RouteInput<P, Q, B>): Promise<z.input<R> | Download>;
}

/** a route of any types, as the registry holds them */
export type AnyApiRoute = ApiRoute<any, any, any, z.ZodType>;

/** Declares a route; only for type inference. */
export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType = z.ZodType,
>(route: ApiRoute<P, Q, B, R>): AnyApiRoute {
  return route as AnyApiRoute;
}
