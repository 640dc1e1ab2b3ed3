import type { Context } from 'koa';
import { ForbiddenError } from '../platform/errors.js';

/** What a browser may send and read across origins. */
const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';
const ALLOWED_HEADERS = 'Accept, Authorization, X-API-Key, If-None-Match, X-Request-Id';
const EXPOSED_HEADERS =
  'ETag, Link, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Cache, X-Request-Id';
/** How long a browser may keep a preflight's answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS per API: its `cors.origins` (exact origins, or `*`). A request from any other origin
 * is refused with 403 `origin_not_allowed` before it costs a query; requests without Origin
 * (servers, curl, same-origin pages) pass. Answers always say they vary by Origin.
 */
export function applyCors(ctx: Context, origins: readonly string[]): void {
  ctx.vary('Origin');
  const origin = ctx.get('origin');
  if (!origin || origin === `${ctx.protocol}://${ctx.host}`) return;
  const allowed = allowedOrigin(origin, origins);
  if (!allowed)
    throw new ForbiddenError(`Origin ${origin.slice(0, 200)} may not call this API`, 'origin_not_allowed');
  ctx.set('Access-Control-Allow-Origin', allowed);
  ctx.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
}

/** The answer to a preflight (OPTIONS with Access-Control-Request-Method). */
export function preflight(ctx: Context, origins: readonly string[]): void {
  ctx.vary('Access-Control-Request-Method');
  ctx.vary('Access-Control-Request-Headers');
  applyCors(ctx, origins);
  ctx.set('Access-Control-Allow-Methods', ALLOWED_METHODS);
  ctx.set('Access-Control-Allow-Headers', ALLOWED_HEADERS);
  ctx.set('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
  ctx.set('Allow', ALLOWED_METHODS);
  ctx.status = 204;
}

function allowedOrigin(origin: string, origins: readonly string[]): string | undefined {
  if (origins.includes('*')) return '*';
  const normalized = origin.toLowerCase();
  return origins.includes(normalized) ? origin : undefined;
}
