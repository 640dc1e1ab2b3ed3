import { ValidationError } from '../../platform/errors.js';
import type { ConnectionsService } from '../../services/connections/connections.service.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { Problem } from '../problem.js';
import { ListQuery, PageOf, WorkspaceParams } from '../schemas/common.schema.js';
import {
  ConnectionParams,
  ConnectionQueryBody,
  ConnectionView,
  CreateConnectionBody,
  QueryResultBody,
  RotateKeysBody,
  RotationBody,
  SchemaBody,
  TestResultBody,
  UpdateConnectionBody,
} from '../schemas/connection.schema.js';

const API = '/api/v1/connections';
const BY_ID = `${API}/:id`;

/** Collection routes name their workspace with X-Workspace-Id; item routes find it from the id. */
export function connectionRoutes(connections: ConnectionsService): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: API,
      summary: 'Connections of the workspace (X-Workspace-Id)',
      tag: 'connections',
      scope: 'workspace',
      permission: 'connections:read',
      query: ListQuery,
      responses: { 200: PageOf(ConnectionView), 400: Problem, 403: Problem, 404: Problem },
      handler: async ({ access, query }) => ({
        body: await connections.list(access, query.limit, query.cursor),
      }),
    }),
    defineRoute({
      method: 'post',
      path: API,
      summary: 'Add an external PostgreSQL, MySQL or MongoDB connection (X-Workspace-Id)',
      tag: 'connections',
      scope: 'workspace',
      permission: 'connections:manage',
      body: CreateConnectionBody,
      responses: { 201: ConnectionView, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      handler: async ({ access, auth, body }) => ({
        status: 201,
        body: await connections.create(access, auth.userId, body),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/workspaces/:workspaceId/keys/rotate',
      summary: "Rotate the workspace's credential data key; optionally re-encrypt every stored credential",
      tag: 'connections',
      scope: 'workspace',
      permission: 'connections:manage',
      params: WorkspaceParams,
      body: RotateKeysBody,
      responses: { 200: RotationBody, 403: Problem, 404: Problem, 503: Problem },
      handler: async ({ access, auth, body }) => ({
        body: await connections.rotateKeys(access, auth.userId, body.reencrypt ?? false),
      }),
    }),
    defineRoute({
      method: 'get',
      path: BY_ID,
      summary: 'One connection (never its credentials)',
      tag: 'connections',
      scope: 'workspace',
      permission: 'connections:read',
      resourceParam: 'id',
      params: ConnectionParams,
      responses: { 200: ConnectionView, 403: Problem, 404: Problem },
      handler: async ({ access, params }) => ({ body: await connections.get(access, params.id) }),
    }),
    defineRoute({
      method: 'put',
      path: BY_ID,
      summary:
        'Change a connection (fields left out keep their value; 409 managed_by_operator for one the operator manages)',
      tag: 'connections',
      scope: 'workspace',
      permission: 'connections:manage',
      resourceParam: 'id',
      params: ConnectionParams,
      body: UpdateConnectionBody,
      responses: { 200: ConnectionView, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      handler: async ({ access, auth, params, body }) => ({
        body: await connections.update(access, auth.userId, params.id, body),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: BY_ID,
      summary: 'Remove a connection (409 managed_by_operator for one the operator manages)',
      tag: 'connections',
      scope: 'workspace',
      permission: 'connections:manage',
      resourceParam: 'id',
      params: ConnectionParams,
      responses: { 204: null, 403: Problem, 404: Problem, 409: Problem },
      handler: async ({ access, auth, params }) => {
        await connections.delete(access, auth.userId, params.id);
        return {};
      },
    }),
    defineRoute({
      method: 'post',
      path: `${BY_ID}/test`,
      summary: 'Try the connection now; the outcome becomes its status',
      tag: 'connections',
      scope: 'workspace',
      permission: 'connections:manage',
      resourceParam: 'id',
      params: ConnectionParams,
      responses: { 200: TestResultBody, 403: Problem, 404: Problem, 422: Problem },
      handler: async ({ access, params }) => ({ body: await connections.test(access, params.id) }),
    }),
    defineRoute({
      method: 'get',
      path: `${BY_ID}/schema`,
      summary: 'The discovered schema (cached)',
      tag: 'connections',
      scope: 'workspace',
      permission: 'connections:read',
      resourceParam: 'id',
      params: ConnectionParams,
      responses: { 200: SchemaBody, 403: Problem, 404: Problem, 503: Problem },
      handler: async ({ access, params }) => ({ body: await connections.schema(access, params.id) }),
    }),
    defineRoute({
      method: 'post',
      path: `${BY_ID}/schema/refresh`,
      summary: 'Discover the schema again now',
      tag: 'connections',
      scope: 'workspace',
      permission: 'connections:manage',
      resourceParam: 'id',
      params: ConnectionParams,
      responses: { 200: SchemaBody, 403: Problem, 404: Problem, 503: Problem },
      handler: async ({ access, params }) => ({ body: await connections.schema(access, params.id, true) }),
    }),
    defineRoute({
      method: 'post',
      path: `${BY_ID}/query`,
      summary: 'Query with the logical query plan; admins may send {sql} or {collection, pipeline}',
      tag: 'connections',
      scope: 'workspace',
      permission: 'connections:query',
      resourceParam: 'id',
      params: ConnectionParams,
      body: ConnectionQueryBody,
      responses: { 200: QueryResultBody, 403: Problem, 404: Problem, 422: Problem, 503: Problem },
      handler: async ({ access, auth, params, body }) => {
        if (body.sql !== undefined || body.pipeline !== undefined) {
          const result = await connections.rawQuery(access, auth.userId, params.id, body);
          return { body: { data: result.rows, nextCursor: null, truncated: result.truncated } };
        }
        if (!body.table)
          throw new ValidationError('body.table: is required', [{ path: '/table', message: 'is required' }]);
        const result = await connections.query(access, params.id, { ...body, table: body.table });
        return {
          body: {
            data: result.rows,
            nextCursor: result.nextCursor,
            ...(result.explain ? { explain: result.explain } : {}),
          },
        };
      },
    }),
  ];
}
