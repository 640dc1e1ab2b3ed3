import type { AuditLogService } from '../../services/audit/audit-log.service.js';
import type { RevertService } from '../../services/audit/revert.service.js';
import { ifMatchVersion } from '../if-match.js';
import { Problem } from '../problem.js';
import { defineRoute, type AnyRoute } from '../route.js';
import {
  AuditLogPage,
  AuditLogQuery,
  BatchRevertBody,
  BatchRevertResult,
  HistoryQuery,
  RowHistoryParams,
  RowRevertBody,
  RowRevertParams,
  RowRevertResult,
  SchemaRevertBody,
  SchemaRevertParams,
  SchemaRevertResult,
  TableHistoryParams,
} from '../schemas/audit.schema.js';

/**
 * The audit log, histories and reverts. Row ids are not in the resource directory (rows are
 * too many to register), so the row routes, like the audit-log routes, take the workspace from
 * X-Workspace-Id (ADR 0009); table routes find it through the table id.
 */
export function auditRoutes(audit: AuditLogService, revert: RevertService): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/audit-logs',
      summary:
        'The workspace audit log (X-Workspace-Id), newest first: filter by actorId, resourceType, resourceId, action (or a prefix like row.), from/to',
      tag: 'audit',
      scope: 'workspace',
      permission: 'workspace:audit:read',
      query: AuditLogQuery,
      responses: { 200: AuditLogPage, 400: Problem, 403: Problem, 404: Problem, 422: Problem },
      handler: async ({ access, query }) => ({
        body: await audit.list(access, query, query.limit, query.cursor),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/audit-logs/revert',
      summary:
        "Undo row and schema changes in one transaction, newest first: listed entries, or one user's changes in a time range (X-Workspace-Id); schema changes need schema:manage on their table; dryRun (the default) writes nothing",
      tag: 'audit',
      scope: 'workspace',
      permission: 'audit:revert',
      body: BatchRevertBody,
      responses: { 200: BatchRevertResult, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      handler: async ({ access, auth, body }) => ({
        body: await revert.revertBatch(access, auth.userId, { ...body, dryRun: body.dryRun ?? true }),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/tables/:tableId/history',
      summary: "A table's schema changes and its rows' changes, newest first (archived tables too)",
      tag: 'audit',
      scope: 'workspace',
      permission: 'data:read',
      resourceParam: 'tableId',
      params: TableHistoryParams,
      query: HistoryQuery,
      responses: { 200: AuditLogPage, 400: Problem, 404: Problem, 422: Problem },
      handler: async ({ access, params, query }) => ({
        body: await audit.tableHistory(access, params.tableId, query, query.limit, query.cursor),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/tables/:tableId/schema/revert/:auditLogId',
      summary:
        'Revert a schema change of the table (column add, restore, delete or update; table update) as a new schema change',
      tag: 'audit',
      scope: 'workspace',
      permission: 'schema:manage',
      resourceParam: 'tableId',
      params: SchemaRevertParams,
      body: SchemaRevertBody,
      responses: { 200: SchemaRevertResult, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      handler: async ({ access, auth, params, body }) => ({
        body: await revert.revertSchema(access, auth.userId, params.tableId, params.auditLogId, body),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/rows/:rowId/history',
      summary: "A row's changes, newest first (X-Workspace-Id names the workspace)",
      tag: 'audit',
      scope: 'workspace',
      permission: 'data:read',
      params: RowHistoryParams,
      query: HistoryQuery,
      responses: { 200: AuditLogPage, 400: Problem, 404: Problem, 422: Problem },
      handler: async ({ access, params, query }) => ({
        body: await audit.rowHistory(access, params.rowId, query, query.limit, query.cursor),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/rows/:rowId/revert/:auditLogId',
      summary:
        'Bring a row back to the state of one of its entries (after a create or update, before a delete) as a new change; a deleted row comes back with its id (X-Workspace-Id; version in the body or If-Match)',
      tag: 'audit',
      scope: 'workspace',
      permission: 'data:write',
      params: RowRevertParams,
      body: RowRevertBody,
      responses: { 200: RowRevertResult, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      handler: async ({ access, auth, params, body, ctx }) => ({
        body: await revert.revertRow(access, auth.userId, params.rowId, params.auditLogId, {
          ...body,
          version: body.version ?? ifMatchVersion(ctx),
        }),
      }),
    }),
  ];
}
