import type { Context } from 'koa';
import type { ApiKeysService } from '../../services/view-apis/api-keys.service.js';
import type { ViewApiAnalytics } from '../../services/view-apis/view-api-analytics.service.js';
import type { ViewApiView as ApiView } from '../../services/view-apis/view-api.js';
import type { ViewApisService } from '../../services/view-apis/view-apis.service.js';
import { Problem } from '../problem.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { ListQuery, PageOf } from '../schemas/common.schema.js';
import {
  AnalyticsQuery,
  AnalyticsView,
  ApiKeyBody,
  ApiKeyParams,
  ApiKeyView,
  IssuedApiKeyView,
  PublishedView,
  ViewApiBody,
  ViewApiParams,
  ViewApiView,
} from '../schemas/view-api.schema.js';

const API = '/api/v1/views/:id/api';

/** Where the API answers, as the caller reached this server (behind a proxy: TRUST_PROXY). */
const withUrl = (ctx: Context, api: ApiView) => ({
  ...api,
  url: `${ctx.protocol}://${ctx.host}/public/views/${api.slug}/data`,
});

/** Publishing a view as a public API, its keys and its analytics (views:publish, admins). */
export function viewApiRoutes(
  apis: ViewApisService,
  keys: ApiKeysService,
  analytics: ViewApiAnalytics,
): AnyRoute[] {
  const common = {
    tag: 'view apis',
    scope: 'workspace',
    permission: 'views:publish',
    resourceParam: 'id',
  } as const;
  return [
    defineRoute({
      ...common,
      method: 'get',
      path: API,
      summary: "The view's public API: slug, URL, auth mode, cache, rate limit and CORS settings",
      params: ViewApiParams,
      responses: { 200: ViewApiView, 403: Problem, 404: Problem },
      handler: async ({ access, auth, params, ctx }) => ({
        body: withUrl(ctx, await apis.get(access, auth.userId, params.id)),
      }),
    }),
    defineRoute({
      ...common,
      method: 'post',
      path: API,
      summary:
        'Publish the view at /public/views/:slug/data (auth apiKey: the first key is in the answer, shown once)',
      params: ViewApiParams,
      body: ViewApiBody,
      responses: { 201: PublishedView, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      handler: async ({ access, auth, params, body, ctx }) => {
        const { api, apiKey } = await apis.create(access, auth.userId, params.id, body);
        return {
          status: 201,
          body: { ...withUrl(ctx, api), ...(apiKey ? { apiKey: apiKey.key, apiKeyId: apiKey.id } : {}) },
        };
      },
    }),
    defineRoute({
      ...common,
      method: 'put',
      path: API,
      summary:
        'Replace the settings; a new slug renames the API (the old slug answers 308 to the new one for 30 days)',
      params: ViewApiParams,
      body: ViewApiBody,
      responses: { 200: ViewApiView, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      handler: async ({ access, auth, params, body, ctx }) => ({
        body: withUrl(ctx, await apis.update(access, auth.userId, params.id, body)),
      }),
    }),
    defineRoute({
      ...common,
      method: 'delete',
      path: API,
      summary: 'Withdraw the public API: its slugs answer 404 at once, its keys and analytics go',
      params: ViewApiParams,
      responses: { 204: null, 403: Problem, 404: Problem },
      handler: async ({ access, auth, params }) => {
        await apis.delete(access, auth.userId, params.id);
        return {};
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: `${API}/keys`,
      summary: 'API keys of the view API (prefix, scopes, expiry, revocation, last use; never the secret)',
      params: ViewApiParams,
      query: ListQuery,
      responses: { 200: PageOf(ApiKeyView), 400: Problem, 403: Problem, 404: Problem },
      handler: async ({ access, auth, params, query }) => ({
        body: await keys.list(access, auth.userId, params.id, query.limit, query.cursor),
      }),
    }),
    defineRoute({
      ...common,
      method: 'post',
      path: `${API}/keys`,
      summary: 'Issue an API key: lt_<prefix>_<secret>, shown in this answer only (stored as a SHA-256)',
      params: ViewApiParams,
      body: ApiKeyBody,
      responses: { 201: IssuedApiKeyView, 403: Problem, 404: Problem, 422: Problem },
      handler: async ({ access, auth, params, body }) => ({
        status: 201,
        body: await keys.create(access, auth.userId, params.id, body),
      }),
    }),
    defineRoute({
      ...common,
      method: 'delete',
      path: `${API}/keys/:keyId`,
      summary: 'Revoke an API key: refused at once (on other replicas within a Redis round trip)',
      params: ApiKeyParams,
      responses: { 204: null, 403: Problem, 404: Problem },
      handler: async ({ access, auth, params }) => {
        await keys.revoke(access, auth.userId, params.id, params.keyId);
        return {};
      },
    }),
    defineRoute({
      ...common,
      method: 'get',
      path: `${API}/analytics`,
      summary: 'Usage per key and UTC day: requests, errors, latency histogram, cache hits, misses and stale',
      params: ViewApiParams,
      query: AnalyticsQuery,
      responses: { 200: AnalyticsView, 403: Problem, 404: Problem, 422: Problem },
      handler: async ({ access, auth, params, query }) => ({
        body: await analytics.read(access, auth.userId, params.id, query.from, query.to),
      }),
    }),
  ];
}
