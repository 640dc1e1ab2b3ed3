import Router from '@koa/router';
import type { Context } from 'koa';
import { UnauthorizedError } from '../platform/errors.js';
import type { AccessClaims, AccessTokens } from '../services/auth/access-tokens.js';
import type { AccessPolicy } from '../services/rbac/access-policy.js';
import type { WorkspaceAccess, WorkspaceAccessResolver } from '../services/workspaces/workspace-access.js';
import type { AnyRoute } from './route.js';
import { compileValidator, type Validator } from './validation.js';

export interface RouterDeps {
  accessTokens: AccessTokens;
  workspaces: WorkspaceAccessResolver;
  policy: AccessPolicy;
}

/** Mounts declared routes: authenticate → tenant context and permission → validate → handle. */
export function buildRouter(routes: AnyRoute[], deps: RouterDeps): Router {
  const router = new Router();
  for (const route of routes) {
    const validate = {
      params: route.params && compileValidator(route.params, 'params'),
      query: route.query && compileValidator(route.query, 'query'),
      body: route.body && compileValidator(route.body, 'body'),
    };
    router[route.method](route.path, async (ctx) => {
      const auth = route.scope === 'public' ? undefined : await authenticate(ctx, deps.accessTokens);
      const access =
        route.scope === 'workspace' && auth ? await authorize(ctx, route, auth, deps) : undefined;
      const params = checked(validate.params, { ...ctx.params });
      const query = checked(validate.query, { ...ctx.query });
      const body = checked(validate.body, ctx.request.body ?? {});
      const reply = await route.handler({
        params,
        query,
        body,
        auth,
        access,
        client: { ip: ctx.ip, userAgent: ctx.get('user-agent') || undefined },
        ctx,
      } as Parameters<AnyRoute['handler']>[0]);
      ctx.status = reply.status ?? (reply.body === undefined ? 204 : 200);
      if (reply.headers) ctx.set(reply.headers);
      if (reply.body !== undefined) ctx.body = reply.body;
    });
  }
  return router;
}

/** Whether a request goes to a route that streams its own raw body (see RouteSpec.rawBody). */
export function rawBodyMatcher(router: Router, routes: AnyRoute[]): (ctx: Context) => boolean {
  const raw = routes.filter((r) => r.rawBody).map((r) => `${r.method.toUpperCase()} ${r.path}`);
  const methods = new Set(raw.map((key) => key.split(' ')[0]));
  return (ctx) =>
    methods.has(ctx.method) &&
    router
      .match(ctx.path, ctx.method)
      .pathAndMethod.some((layer) => raw.includes(`${ctx.method} ${String(layer.path)}`));
}

function checked(validate: Validator | undefined, value: unknown): never {
  validate?.(value);
  return value as never;
}

async function authenticate(ctx: Context, tokens: AccessTokens): Promise<AccessClaims> {
  const header = ctx.get('authorization');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1])
    throw new UnauthorizedError(
      header ? 'Authorization must be "Bearer <accessToken>"' : 'Authentication required',
    );
  return tokens.verify(match[1]);
}

/**
 * The workspace comes from the path (`:workspaceId`, or a resource id that leads to it), else the
 * X-Workspace-Id header, else (tenant mode) the tenant.
 */
async function authorize(
  ctx: Context,
  route: AnyRoute,
  auth: AccessClaims,
  deps: RouterDeps,
): Promise<WorkspaceAccess> {
  const params = ctx.params as Record<string, string | undefined>;
  const resourceId = route.resourceParam ? params[route.resourceParam] : undefined;
  const access =
    resourceId !== undefined
      ? await deps.workspaces.resolveByResource(resourceId, auth.userId)
      : await deps.workspaces.resolve(
          params.workspaceId ?? (ctx.get('x-workspace-id') || undefined),
          auth.userId,
        );
  if (!route.permission)
    throw new Error(`route ${route.method} ${route.path} has workspace scope but no permission`);
  deps.policy.assert({ userId: auth.userId, role: access.role }, route.permission, {
    kind: 'workspace',
    id: access.workspace.id,
  });
  return access;
}
