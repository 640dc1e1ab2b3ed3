import type { ViewReadsService } from '../../services/views/view-reads.service.js';
import type { ViewTemplatesService } from '../../services/views/view-templates.service.js';
import type { ViewsService } from '../../services/views/views.service.js';
import { attachmentDisposition } from '../content-disposition.js';
import { ifMatchVersion } from '../if-match.js';
import { Problem } from '../problem.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { ListQuery, PageOf } from '../schemas/common.schema.js';
import {
  ApplyTemplateBody,
  CreateViewBody,
  DuplicateViewBody,
  RefreshBody,
  SaveTemplateBody,
  TemplateBody,
  TemplateParams,
  UpdateViewBody,
  ViewBody,
  ViewDataBody,
  ViewDataQuery,
  ViewParams,
  ViewVersionBody,
  ViewVersionParams,
} from '../schemas/view.schema.js';

const API = '/api/v1/views';
const BY_ID = `${API}/:id`;
const TEMPLATES = '/api/v1/view-templates';

/** Collection routes name their workspace with X-Workspace-Id; `/views/:id` routes find it from the id. */
export function viewRoutes(
  views: ViewsService,
  reads: ViewReadsService,
  templates: ViewTemplatesService,
): AnyRoute[] {
  const item = { tag: 'views', scope: 'workspace', resourceParam: 'id', params: ViewParams } as const;
  return [
    defineRoute({
      method: 'get',
      path: API,
      summary: 'Views of the workspace the caller may see (X-Workspace-Id)',
      tag: 'views',
      scope: 'workspace',
      permission: 'views:read',
      query: ListQuery,
      responses: { 200: PageOf(ViewBody), 400: Problem, 404: Problem },
      handler: async ({ access, auth, query }) => ({
        body: await views.list(access, auth.userId, query.limit, query.cursor),
      }),
    }),
    defineRoute({
      method: 'post',
      path: API,
      summary:
        'Save a view over a mini-DB table or an external table, validated against its schema (X-Workspace-Id)',
      tag: 'views',
      scope: 'workspace',
      permission: 'views:manage',
      body: CreateViewBody,
      responses: { 201: ViewBody, 403: Problem, 404: Problem, 422: Problem, 503: Problem },
      handler: async ({ access, auth, body }) => ({
        status: 201,
        body: await views.create(access, auth.userId, body),
      }),
    }),
    defineRoute({
      method: 'get',
      path: BY_ID,
      summary: 'One view, with its status against the schema as it is now (broken: see problems)',
      ...item,
      permission: 'views:read',
      responses: { 200: ViewBody, 404: Problem },
      handler: async ({ access, auth, params }) => ({
        body: await views.get(access, auth.userId, params.id),
      }),
    }),
    defineRoute({
      method: 'put',
      path: BY_ID,
      summary: 'Replace a view (a new version); version in the body or If-Match: 409 when stale',
      ...item,
      permission: 'views:manage',
      body: UpdateViewBody,
      responses: { 200: ViewBody, 403: Problem, 404: Problem, 409: Problem, 422: Problem, 503: Problem },
      handler: async ({ access, auth, params, body, ctx }) => {
        const { version, ...input } = body;
        return {
          body: await views.update(access, auth.userId, params.id, input, version ?? ifMatchVersion(ctx)),
        };
      },
    }),
    defineRoute({
      method: 'delete',
      path: BY_ID,
      summary: 'Delete a view (and its versions and materialization)',
      ...item,
      permission: 'views:manage',
      responses: { 204: null, 403: Problem, 404: Problem },
      handler: async ({ access, auth, params }) => {
        await views.delete(access, auth.userId, params.id);
        return {};
      },
    }),
    defineRoute({
      method: 'get',
      path: `${BY_ID}/data`,
      summary:
        "The view's rows (and groups when grouped): ?filter= ANDed with the view's, ?sort= before the view's, ?fields=, keyset ?cursor=; ?format=csv or Accept: text/csv streams every row as CSV; 409 view_broken",
      ...item,
      permission: 'views:read',
      query: ViewDataQuery,
      responses: { 200: ViewDataBody, 400: Problem, 404: Problem, 409: Problem, 422: Problem, 503: Problem },
      handler: async ({ access, auth, params, query, ctx }) => {
        const csv =
          query.format === 'csv' || (query.format === undefined && ctx.accepts('json', 'csv') === 'csv');
        if (!csv) return { body: await reads.page(access, auth.userId, params.id, query) };
        const { name, stream } = await reads.csv(access, auth.userId, params.id, query);
        return {
          body: stream,
          headers: {
            'Content-Type': 'text/csv; charset=utf-8',
            'Content-Disposition': attachmentDisposition(`${name}.csv`),
            'X-Content-Type-Options': 'nosniff',
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${BY_ID}/versions`,
      summary: 'Every version of the view (number, full definition, actor, time), oldest first',
      ...item,
      permission: 'views:read',
      query: ListQuery,
      responses: { 200: PageOf(ViewVersionBody), 400: Problem, 404: Problem },
      handler: async ({ access, auth, params, query }) => ({
        body: await views.versions(access, auth.userId, params.id, query.limit, query.cursor),
      }),
    }),
    defineRoute({
      method: 'post',
      path: `${BY_ID}/versions/:version/restore`,
      summary: 'Restore a version: a new version equal to it (checked against the schema as it is now)',
      ...item,
      permission: 'views:manage',
      params: ViewVersionParams,
      responses: { 200: ViewBody, 403: Problem, 404: Problem, 422: Problem },
      handler: async ({ access, auth, params }) => ({
        body: await views.restore(access, auth.userId, params.id, params.version),
      }),
    }),
    defineRoute({
      method: 'post',
      path: `${BY_ID}/duplicate`,
      summary: 'A copy of the view (version 1), which the caller can edit',
      ...item,
      permission: 'views:manage',
      body: DuplicateViewBody,
      responses: { 201: ViewBody, 403: Problem, 404: Problem, 422: Problem },
      handler: async ({ access, auth, params, body }) => ({
        status: 201,
        body: await views.duplicate(access, auth.userId, params.id, body.name),
      }),
    }),
    defineRoute({
      method: 'post',
      path: `${BY_ID}/refresh`,
      summary: 'Read the source again now: a materialized view is rebuilt, cached pages are dropped',
      ...item,
      permission: 'views:manage',
      responses: { 200: RefreshBody, 403: Problem, 404: Problem, 409: Problem, 503: Problem },
      handler: async ({ access, auth, params }) => ({
        body: await reads.refresh(access, auth.userId, params.id),
      }),
    }),
    defineRoute({
      method: 'post',
      path: `${BY_ID}/save-as-template`,
      summary: "Save the view's definition (without its source) as a template of the workspace",
      ...item,
      permission: 'views:manage',
      body: SaveTemplateBody,
      responses: { 201: TemplateBody, 403: Problem, 404: Problem },
      handler: async ({ access, auth, params, body }) => ({
        status: 201,
        body: await templates.save(access, auth.userId, params.id, body),
      }),
    }),
    defineRoute({
      method: 'get',
      path: TEMPLATES,
      summary: 'View templates: the built-in ones and those saved in the workspace (X-Workspace-Id)',
      tag: 'views',
      scope: 'workspace',
      permission: 'views:read',
      responses: { 200: PageOf(TemplateBody), 400: Problem, 404: Problem },
      handler: async ({ access }) => ({ body: await templates.list(access) }),
    }),
    defineRoute({
      method: 'post',
      path: `${API}/from-template`,
      summary:
        'A new view from a template applied to a source; built-ins are built around a column (X-Workspace-Id)',
      tag: 'views',
      scope: 'workspace',
      permission: 'views:manage',
      body: ApplyTemplateBody,
      responses: { 201: ViewBody, 403: Problem, 404: Problem, 422: Problem },
      handler: async ({ access, auth, body }) => ({
        status: 201,
        body: await templates.apply(access, auth.userId, body),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: `${TEMPLATES}/:templateId`,
      summary: 'Delete a saved view template (X-Workspace-Id)',
      tag: 'views',
      scope: 'workspace',
      permission: 'views:manage',
      params: TemplateParams,
      responses: { 204: null, 403: Problem, 404: Problem },
      handler: async ({ access, auth, params }) => {
        await templates.delete(access, auth.userId, params.templateId);
        return {};
      },
    }),
  ];
}
