import type { Static, TSchema } from '@sinclair/typebox';
import type { Context } from 'koa';
import type { AccessClaims } from '../services/auth/access-tokens.js';
import type { ClientInfo } from '../services/auth/auth.service.js';
import type { Permission } from '../services/rbac/permissions.js';
import type { WorkspaceAccess } from '../services/workspaces/workspace-access.js';

/**
 * How a route is reached: `public` needs nothing, `user` a valid access token, `workspace` also
 * membership of the workspace the request names, with the declared permission.
 */
export type Scope = 'public' | 'user' | 'workspace';

export interface HandlerArgs<P extends TSchema, Q extends TSchema, B extends TSchema, S extends Scope> {
  params: Static<P>;
  query: Static<Q>;
  body: Static<B>;
  auth: S extends 'public' ? undefined : AccessClaims;
  access: S extends 'workspace' ? WorkspaceAccess : undefined;
  client: ClientInfo;
  ctx: Context;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteSpec<P extends TSchema, Q extends TSchema, B extends TSchema, S extends Scope> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** koa-style path under /api/v1, e.g. `/workspaces/:workspaceId/members`. */
  path: string;
  summary: string;
  tag: string;
  scope: S;
  /** Required for `workspace` scope: the permission matrix entry this route needs. */
  permission?: S extends 'workspace' ? Permission : never;
  /** The path parameter holding a resource id that leads to the workspace (`/connections/:id`). */
  resourceParam?: S extends 'workspace' ? string : never;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * The body is not JSON but raw bytes the handler streams from `ctx.req` (uploads): the app
   * neither checks its Content-Type nor parses it. `mediaType` documents it in OpenAPI.
   */
  rawBody?: RawBody;
  /** Status → response schema (null: no body). Feeds the OpenAPI document. */
  responses: Record<number, TSchema | null>;
  handler(args: HandlerArgs<P, Q, B, S>): Promise<Reply>;
}

export interface RawBody {
  mediaType: string;
  description: string;
}

/** Erased form the router and the OpenAPI builder iterate over. */
export interface AnyRoute {
  method: RouteSpec<TSchema, TSchema, TSchema, Scope>['method'];
  path: string;
  summary: string;
  tag: string;
  scope: Scope;
  permission?: Permission;
  resourceParam?: string;
  params?: TSchema;
  query?: TSchema;
  body?: TSchema;
  rawBody?: RawBody;
  responses: Record<number, TSchema | null>;
  handler(args: HandlerArgs<TSchema, TSchema, TSchema, Scope>): Promise<Reply>;
}

/** Declares a route; inference gives the handler typed params, query and body. */
export function defineRoute<P extends TSchema, Q extends TSchema, B extends TSchema, S extends Scope>(
  spec: RouteSpec<P, Q, B, S>,
): AnyRoute {
  return spec as unknown as AnyRoute;
}
