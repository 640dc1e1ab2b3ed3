import type { ColumnsService } from '../../services/tables/columns.service.js';
import type { IndexesService } from '../../services/tables/indexes.service.js';
import type { TablesService } from '../../services/tables/tables.service.js';
import { Problem } from '../problem.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { BaseIdParams, IdParams } from '../schemas/base.schema.js';
import { ListQuery, PageOf } from '../schemas/common.schema.js';
import {
  CreateIndexBody,
  IndexView,
  ColumnSpecBody,
  ColumnView,
  CreateTableBody,
  ReorderColumnsBody,
  SchemaChangeView,
  TableColumnParams,
  TableListQuery,
  TableView,
  UpdateColumnBody,
  UpdateTableBody,
} from '../schemas/table.schema.js';
import type { ColumnUpdate } from '../../services/tables/columns.service.js';
import { Type } from '@sinclair/typebox';

const TABLE = '/api/v1/tables/:id';

export function tableRoutes(
  tables: TablesService,
  columns: ColumnsService,
  indexes: IndexesService,
): AnyRoute[] {
  const archive = (archived: boolean) =>
    defineRoute({
      method: 'post',
      path: `${TABLE}/${archived ? 'archive' : 'restore'}`,
      summary: archived ? 'Archive a table (restorable)' : 'Restore an archived table',
      tag: 'tables',
      scope: 'workspace',
      permission: 'schema:manage',
      resourceParam: 'id',
      params: IdParams,
      responses: { 200: TableView, 403: Problem, 404: Problem, 409: Problem },
      handler: async ({ access, auth, params }) => ({
        body: await tables.setArchived(access, auth.userId, params.id, archived),
      }),
    });
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/bases/:baseId/tables',
      summary: 'Tables of a base (?archived=true: the archived ones)',
      tag: 'tables',
      scope: 'workspace',
      permission: 'data:read',
      resourceParam: 'baseId',
      params: BaseIdParams,
      query: TableListQuery,
      responses: { 200: PageOf(TableView), 400: Problem, 404: Problem },
      handler: async ({ access, params, query }) => ({
        body: await tables.list(access, params.baseId, query.limit, query.cursor, query.archived ?? false),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/bases/:baseId/tables',
      summary: 'Create a table (a real PostgreSQL table) with its columns',
      tag: 'tables',
      scope: 'workspace',
      permission: 'schema:manage',
      resourceParam: 'baseId',
      params: BaseIdParams,
      body: CreateTableBody,
      responses: { 201: TableView, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      handler: async ({ access, auth, params, body }) => ({
        status: 201,
        body: await tables.create(access, auth.userId, params.baseId, body),
      }),
    }),
    defineRoute({
      method: 'get',
      path: TABLE,
      summary: 'One table with its columns',
      tag: 'tables',
      scope: 'workspace',
      permission: 'data:read',
      resourceParam: 'id',
      params: IdParams,
      responses: { 200: TableView, 404: Problem },
      handler: async ({ access, params }) => ({ body: await tables.get(access, params.id) }),
    }),
    defineRoute({
      method: 'get',
      path: `${TABLE}/changes`,
      summary: "The table's schema change log: one entry per schema version, oldest first",
      tag: 'tables',
      scope: 'workspace',
      permission: 'data:read',
      resourceParam: 'id',
      params: IdParams,
      query: ListQuery,
      responses: { 200: PageOf(SchemaChangeView), 400: Problem, 404: Problem },
      handler: async ({ access, params, query }) => ({
        body: await tables.changes(access, params.id, query.limit, query.cursor),
      }),
    }),
    defineRoute({
      method: 'put',
      path: TABLE,
      summary: 'Rename a table, change its description or settings',
      tag: 'tables',
      scope: 'workspace',
      permission: 'schema:manage',
      resourceParam: 'id',
      params: IdParams,
      body: UpdateTableBody,
      responses: { 200: TableView, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      handler: async ({ access, auth, params, body }) => ({
        body: await tables.update(access, auth.userId, params.id, body),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: TABLE,
      summary: 'Delete a table and its data for good (archive it to keep it restorable)',
      tag: 'tables',
      scope: 'workspace',
      permission: 'schema:manage',
      resourceParam: 'id',
      params: IdParams,
      responses: { 204: null, 403: Problem, 404: Problem },
      handler: async ({ access, auth, params }) => {
        await tables.delete(access, auth.userId, params.id);
        return {};
      },
    }),
    archive(true),
    archive(false),
    defineRoute({
      method: 'post',
      path: `${TABLE}/columns`,
      summary: 'Add a column',
      tag: 'tables',
      scope: 'workspace',
      permission: 'schema:manage',
      resourceParam: 'id',
      params: IdParams,
      body: ColumnSpecBody,
      responses: { 201: ColumnView, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      handler: async ({ access, auth, params, body }) => ({
        status: 201,
        body: await columns.add(access, auth.userId, params.id, body),
      }),
    }),
    defineRoute({
      method: 'post',
      path: `${TABLE}/columns/reorder`,
      summary: 'Put the columns in a new order',
      tag: 'tables',
      scope: 'workspace',
      permission: 'schema:manage',
      resourceParam: 'id',
      params: IdParams,
      body: ReorderColumnsBody,
      responses: {
        200: Type.Object({ data: Type.Array(ColumnView) }),
        403: Problem,
        404: Problem,
        422: Problem,
      },
      handler: async ({ access, auth, params, body }) => ({
        body: { data: await columns.reorder(access, auth.userId, params.id, body.columnIds) },
      }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/v1/tables/:tableId/columns/:columnId',
      summary: 'Rename, retype (data converted with ALTER … USING) or reconfigure a column',
      tag: 'tables',
      scope: 'workspace',
      permission: 'schema:manage',
      resourceParam: 'tableId',
      params: TableColumnParams,
      body: UpdateColumnBody,
      responses: { 200: ColumnView, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      handler: async ({ access, auth, params, body }) => ({
        body: await columns.update(
          access,
          auth.userId,
          params.tableId,
          params.columnId,
          body as ColumnUpdate,
        ),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/tables/:tableId/columns/:columnId',
      summary: 'Remove a column (its data is kept until purged, so the change can be reverted)',
      tag: 'tables',
      scope: 'workspace',
      permission: 'schema:manage',
      resourceParam: 'tableId',
      params: TableColumnParams,
      responses: { 204: null, 403: Problem, 404: Problem, 409: Problem },
      handler: async ({ access, auth, params }) => {
        await columns.delete(access, auth.userId, params.tableId, params.columnId);
        return {};
      },
    }),
    defineRoute({
      method: 'get',
      path: `${TABLE}/indexes`,
      summary: "The table's indexes (primary key, unique columns, sort indexes)",
      tag: 'tables',
      scope: 'workspace',
      permission: 'data:read',
      resourceParam: 'id',
      params: IdParams,
      responses: { 200: Type.Object({ data: Type.Array(IndexView) }), 404: Problem },
      handler: async ({ access, params }) => ({ body: { data: await indexes.list(access, params.id) } }),
    }),
    defineRoute({
      method: 'post',
      path: `${TABLE}/indexes`,
      summary: 'Build a sort index for a column (CONCURRENTLY: writers are not blocked)',
      tag: 'tables',
      scope: 'workspace',
      permission: 'schema:manage',
      resourceParam: 'id',
      params: IdParams,
      body: CreateIndexBody,
      responses: { 201: IndexView, 403: Problem, 404: Problem, 422: Problem },
      handler: async ({ access, auth, params, body }) => ({
        status: 201,
        body: await indexes.create(access, auth.userId, params.id, body.columnId, body.direction ?? 'asc'),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/tables/:tableId/indexes/:columnId',
      summary: "Drop a column's sort index (?direction=asc|desc, default asc)",
      tag: 'tables',
      scope: 'workspace',
      permission: 'schema:manage',
      resourceParam: 'tableId',
      params: Type.Object({ tableId: Type.String(), columnId: Type.String() }),
      query: Type.Object({
        direction: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' }),
      }),
      responses: { 204: null, 403: Problem, 404: Problem },
      handler: async ({ access, auth, params, query }) => {
        await indexes.drop(access, auth.userId, params.tableId, params.columnId, query.direction);
        return {};
      },
    }),
  ];
}
