import type { BulkRequest, BulkRows } from '../../services/rows/bulk-rows.js';
import type { RowsService } from '../../services/rows/rows.service.js';
import { ifMatchVersion } from '../if-match.js';
import { Problem } from '../problem.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { IdParams } from '../schemas/base.schema.js';
import {
  BulkBody,
  BulkResult,
  CreateRowBody,
  DeleteRowQuery,
  FieldKeyQuery,
  LockBody,
  LockView,
  RowListQuery,
  RowPage,
  RowParams,
  ResolveRowBody,
  RowView,
  UpdateRowBody,
} from '../schemas/row.schema.js';

export function rowRoutes(rows: RowsService, bulk: BulkRows): AnyRoute[] {
  const update = (method: 'put' | 'patch') =>
    defineRoute({
      method,
      path: '/api/v1/tables/:tableId/rows/:rowId',
      summary:
        method === 'patch'
          ? 'Change some fields of a row (version in the body or If-Match; a stale one follows the ' +
            "table's conflictPolicy: merged when no field written changed since, else 409 with both sides)"
          : 'Replace every field of a row (version in the body or If-Match; stale: 409 with both sides ' +
            'unless the table lets the last write win)',
      tag: 'rows',
      scope: 'workspace',
      permission: 'data:write',
      resourceParam: 'tableId',
      params: RowParams,
      query: FieldKeyQuery,
      body: UpdateRowBody,
      responses: { 200: RowView, 400: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      handler: async ({ access, auth, params, query, body, ctx }) => ({
        body: await rows.update(
          access,
          auth.userId,
          params.tableId,
          params.rowId,
          { fields: body.fields, version: body.version ?? ifMatchVersion(ctx) },
          method === 'patch' ? 'patch' : 'replace',
          query.fieldKey,
        ),
      }),
    });
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/tables/:id/rows',
      summary:
        'Rows: ?filter= (JSON tree), ?sort=-due,priority, ?search=, ?fields=, keyset ?cursor=, ?count=',
      tag: 'rows',
      scope: 'workspace',
      permission: 'data:read',
      resourceParam: 'id',
      params: IdParams,
      query: RowListQuery,
      responses: { 200: RowPage, 400: Problem, 404: Problem, 422: Problem },
      handler: async ({ access, params, query }) => ({
        body: await rows.list(access, params.id, query, query.count, query.fieldKey),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/tables/:id/rows',
      summary: 'Create a row',
      tag: 'rows',
      scope: 'workspace',
      permission: 'data:write',
      resourceParam: 'id',
      params: IdParams,
      query: FieldKeyQuery,
      body: CreateRowBody,
      responses: { 201: RowView, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      handler: async ({ access, auth, params, query, body }) => ({
        status: 201,
        body: await rows.create(access, auth.userId, params.id, body.fields, query.fieldKey),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/tables/:id/rows/bulk',
      summary: 'Create, update, upsert or delete up to 10 000 rows, all or nothing',
      tag: 'rows',
      scope: 'workspace',
      permission: 'data:write',
      resourceParam: 'id',
      params: IdParams,
      query: FieldKeyQuery,
      body: BulkBody,
      responses: { 200: BulkResult, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      handler: async ({ access, auth, params, query, body }) => ({
        body: { data: await bulk.run(access, auth.userId, params.id, body as BulkRequest, query.fieldKey) },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/tables/:tableId/rows/:rowId',
      summary: 'One row',
      tag: 'rows',
      scope: 'workspace',
      permission: 'data:read',
      resourceParam: 'tableId',
      params: RowParams,
      query: FieldKeyQuery,
      responses: { 200: RowView, 404: Problem },
      handler: async ({ access, params, query }) => ({
        body: await rows.get(access, params.tableId, params.rowId, query.fieldKey),
      }),
    }),
    update('patch'),
    update('put'),
    defineRoute({
      method: 'delete',
      path: '/api/v1/tables/:tableId/rows/:rowId',
      summary: 'Delete a row (?version= or If-Match: 409 when stale); revertable from its history',
      tag: 'rows',
      scope: 'workspace',
      permission: 'data:write',
      resourceParam: 'tableId',
      params: RowParams,
      query: DeleteRowQuery,
      responses: { 204: null, 400: Problem, 403: Problem, 404: Problem, 409: Problem },
      handler: async ({ access, auth, params, query, ctx }) => {
        await rows.delete(
          access,
          auth.userId,
          params.tableId,
          params.rowId,
          query.version ?? ifMatchVersion(ctx),
        );
        return {};
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/tables/:tableId/rows/:rowId/resolve',
      summary:
        'Settle a version conflict against the version seen in its `theirs`: keep theirs, or write ' +
        'mine or merged fields (409 when the row moved again)',
      tag: 'rows',
      scope: 'workspace',
      permission: 'data:write',
      resourceParam: 'tableId',
      params: RowParams,
      query: FieldKeyQuery,
      body: ResolveRowBody,
      responses: { 200: RowView, 400: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      handler: async ({ access, auth, params, query, body }) => ({
        body: await rows.resolve(access, auth.userId, params.tableId, params.rowId, body, query.fieldKey),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/tables/:tableId/rows/:rowId/lock',
      summary: 'Hold a row for a multi-step edit (TTL); other writers get 409 row_locked',
      tag: 'rows',
      scope: 'workspace',
      permission: 'data:write',
      resourceParam: 'tableId',
      params: RowParams,
      body: LockBody,
      responses: { 200: LockView, 403: Problem, 404: Problem, 409: Problem },
      handler: async ({ access, auth, params, body }) => ({
        body: await rows.lock(access, auth.userId, params.tableId, params.rowId, body.ttlSeconds ?? 60),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/tables/:tableId/rows/:rowId/lock',
      summary: 'Release a row lock you hold',
      tag: 'rows',
      scope: 'workspace',
      permission: 'data:write',
      resourceParam: 'tableId',
      params: RowParams,
      responses: { 204: null, 403: Problem, 404: Problem },
      handler: async ({ access, auth, params }) => {
        await rows.unlock(access, auth.userId, params.tableId, params.rowId);
        return {};
      },
    }),
  ];
}
