import Router from '@koa/router';
import type { Context } from 'koa';
import { AppError, NotAcceptableError, ForbiddenError, RateLimitedError } from '../platform/errors.js';
import { compileValidator } from '../http/validation.js';
import { SCOPE_OF_FORMAT } from '../services/view-apis/api-key.js';
import type { KeyLastUsed } from '../services/view-apis/key-last-used.js';
import type { PublicQueryParams } from '../services/view-apis/public-query.js';
import type { PublicRateLimits, RateState } from '../services/view-apis/public-rate-limits.js';
import { tightest } from '../services/view-apis/public-rate-limits.js';
import type { PublicRead, PublicReads } from '../services/view-apis/public-reads.service.js';
import type { PublishedApi, VerifiedKey } from '../services/view-apis/published-api.js';
import type { PublishedApis } from '../services/view-apis/published-apis.js';
import { ANONYMOUS, type UsageRecorder } from '../services/view-apis/usage-recorder.js';
import { applyCors, preflight } from './cors.js';
import { presentedKey } from './credentials.js';
import { toCsv } from './csv.js';
import type { PublicApiMetrics } from './public-api.metrics.js';
import { PublicDataQuery } from './public-query.schema.js';

export const PUBLIC_DATA_PATH = '/public/views/:slug/data';

export interface PublicApiDeps {
  published: PublishedApis;
  reads: PublicReads;
  limits: PublicRateLimits;
  usage: UsageRecorder;
  keysUsed: KeyLastUsed;
  metrics: PublicApiMetrics;
}

type Format = keyof typeof SCOPE_OF_FORMAT;

/**
 * GET /public/views/:slug/data and its CORS preflight, outside /api/v1 and its user auth: slug
 * → API, CORS, rate limit per IP, key, rate limit per key, representation, query, page. Every
 * answer carries RateLimit-* headers once a limit was counted; errors are problem+json through
 * the app's error funnel, recorded in the API's analytics like any answer.
 */
export function publicApiRouter(deps: PublicApiDeps): Router {
  const router = new Router();
  const validateQuery = compileValidator(PublicDataQuery, 'query');
  router.get(PUBLIC_DATA_PATH, async (ctx) => {
    const started = process.hrtime.bigint();
    const seen: { api?: PublishedApi; key?: VerifiedKey; read?: PublicRead } = {};
    let status = 500;
    try {
      await serve(ctx, deps, (query) => validateQuery(query), seen);
      status = ctx.status;
    } catch (error) {
      status = statusOf(error);
      throw error;
    } finally {
      if (seen.api) record(deps, seen.api, seen.key, seen.read, status, started);
    }
  });
  router.options(PUBLIC_DATA_PATH, async (ctx) => {
    const found = await deps.published.resolve(String(ctx.params.slug));
    if (found.kind === 'moved') return redirect(ctx, found.slug);
    preflight(ctx, found.api.corsOrigins);
  });
  return router;
}

async function serve(
  ctx: Context,
  deps: PublicApiDeps,
  validate: (query: unknown) => void,
  seen: { api?: PublishedApi; key?: VerifiedKey; read?: PublicRead },
): Promise<void> {
  const found = await deps.published.resolve(String(ctx.params.slug));
  if (found.kind === 'moved') return redirect(ctx, found.slug);
  const api = (seen.api = found.api);
  applyCors(ctx, api.corsOrigins);
  const limits: RateState[] = [await deps.limits.perIp(api, ctx.ip)];
  try {
    if (limits[0]?.allowed && api.auth === 'apiKey') {
      const key = (seen.key = await deps.published.verifyKey(api, presentedKey(ctx)));
      limits.push(await deps.limits.perKey(api, key.id));
    }
  } finally {
    setRateHeaders(ctx, tightest(limits));
  }
  const refused = limits.find((l) => !l.allowed);
  if (refused)
    throw new RateLimitedError('Too many requests to this API; slow down', refused.retryAfterSeconds);
  const format = negotiate(ctx);
  if (seen.key) {
    const scope = SCOPE_OF_FORMAT[format];
    if (!seen.key.scopes.includes(scope))
      throw new ForbiddenError(`This API key lacks the scope ${scope}`, 'insufficient_scope');
    deps.keysUsed.touch(api.schema, seen.key.id);
  }
  const query = { ...ctx.query };
  validate(query);
  const read = (seen.read = await deps.reads.read(api, query as unknown as PublicQueryParams));
  respond(ctx, api, read, format);
}

function respond(ctx: Context, api: PublishedApi, read: PublicRead, format: Format): void {
  // Every request revalidates (ETag), so no client or proxy serves data older than a commit.
  ctx.set('Cache-Control', api.auth === 'public' ? 'public, no-cache' : 'private, no-cache');
  ctx.vary('Accept');
  if (api.auth === 'apiKey') ctx.vary('Authorization, X-API-Key');
  ctx.set('X-Cache', read.outcome.toUpperCase());
  const etag = format === 'csv' ? `"${read.page.etag}-csv"` : `"${read.page.etag}"`;
  ctx.set('ETag', etag);
  if (matchesIfNoneMatch(ctx.get('if-none-match'), etag)) {
    ctx.status = 304;
    return;
  }
  ctx.status = 200;
  if (format === 'json') {
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = read.page.body;
    return;
  }
  const page = JSON.parse(read.page.body) as {
    data: { fields: Record<string, unknown> }[];
    nextCursor: string | null;
  };
  if (page.nextCursor) ctx.set('Link', `<${nextUrl(ctx, page.nextCursor)}>; rel="next"`);
  ctx.type = 'text/csv; charset=utf-8; header=present';
  ctx.body = toCsv(read.columns, page.data);
}

/**
 * RFC 9110 §13.1.2, weak comparison. Evaluated whatever the request's Cache-Control says (koa's
 * `fresh` treats `no-cache`, which fetch adds to conditional requests, as "send it all").
 */
function matchesIfNoneMatch(header: string, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** JSON unless the caller prefers CSV; 406 when it accepts neither. */
function negotiate(ctx: Context): Format {
  const chosen = ctx.accepts('application/json', 'text/csv');
  if (chosen === 'text/csv') return 'csv';
  if (chosen === 'application/json') return 'json';
  throw new NotAcceptableError('This API answers application/json or text/csv');
}

function setRateHeaders(ctx: Context, state: RateState | undefined): void {
  if (!state) return;
  ctx.set('RateLimit-Limit', String(state.limit));
  ctx.set('RateLimit-Remaining', String(state.remaining));
  ctx.set('RateLimit-Reset', String(state.resetSeconds));
}

/** An old slug: the same request at the current slug (308 keeps the method). */
function redirect(ctx: Context, slug: string): void {
  const search = ctx.querystring ? `?${ctx.querystring}` : '';
  ctx.redirect(`/public/views/${slug}/data${search}`);
  ctx.status = 308;
}

function nextUrl(ctx: Context, cursor: string): string {
  const params = new URLSearchParams(ctx.querystring);
  params.set('cursor', cursor);
  return `${ctx.protocol}://${ctx.host}${ctx.path}?${params.toString()}`;
}

function statusOf(error: unknown): number {
  if (error instanceof AppError) return error.status;
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : 500;
}

function record(
  deps: PublicApiDeps,
  api: PublishedApi,
  key: VerifiedKey | undefined,
  read: PublicRead | undefined,
  status: number,
  started: bigint,
): void {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  deps.usage.record({
    schema: api.schema,
    viewApiId: api.id,
    caller: key?.id ?? ANONYMOUS,
    status,
    ms: seconds * 1000,
    cache: read?.outcome,
  });
  deps.metrics.observe(api.slug, status, seconds, read?.outcome);
}
