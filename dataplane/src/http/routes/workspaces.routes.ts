import type { WorkspacesService } from '../../services/workspaces/workspaces.service.js';
import { toWorkspaceView } from '../../services/workspaces/workspace-view.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { Problem } from '../problem.js';
import { ListQuery, PageOf, WorkspaceParams } from '../schemas/common.schema.js';
import { CreateWorkspaceBody, UpdateWorkspaceBody, WorkspaceView } from '../schemas/workspace.schema.js';

const API = '/api/v1/workspaces';

export function workspaceRoutes(workspaces: WorkspacesService): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: API,
      summary: 'Workspaces you are a member of, with your role',
      tag: 'workspaces',
      scope: 'user',
      query: ListQuery,
      responses: { 200: PageOf(WorkspaceView), 401: Problem },
      handler: async ({ auth, query }) => ({
        body: await workspaces.listForUser(auth.userId, query.limit, query.cursor),
      }),
    }),
    defineRoute({
      method: 'post',
      path: API,
      summary: 'Create a workspace (you become its owner)',
      tag: 'workspaces',
      scope: 'user',
      body: CreateWorkspaceBody,
      responses: { 201: WorkspaceView, 403: Problem, 409: Problem, 422: Problem },
      handler: async ({ auth, body }) => ({ status: 201, body: await workspaces.create(auth.userId, body) }),
    }),
    defineRoute({
      method: 'get',
      path: `${API}/:workspaceId`,
      summary: 'One workspace',
      tag: 'workspaces',
      scope: 'workspace',
      permission: 'workspace:read',
      params: WorkspaceParams,
      responses: { 200: WorkspaceView, 404: Problem },
      handler: async ({ access }) => ({ body: toWorkspaceView(access.workspace, access.role) }),
    }),
    defineRoute({
      method: 'put',
      path: `${API}/:workspaceId`,
      summary: 'Change name, description or settings (fields left out keep their value)',
      tag: 'workspaces',
      scope: 'workspace',
      permission: 'workspace:update',
      params: WorkspaceParams,
      body: UpdateWorkspaceBody,
      responses: { 200: WorkspaceView, 403: Problem, 404: Problem, 422: Problem },
      handler: async ({ access, auth, body }) => ({
        body: await workspaces.update(access, auth.userId, body),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: `${API}/:workspaceId`,
      summary: 'Delete the workspace and all its data',
      tag: 'workspaces',
      scope: 'workspace',
      permission: 'workspace:delete',
      params: WorkspaceParams,
      responses: { 204: null, 403: Problem, 404: Problem },
      handler: async ({ access, auth }) => {
        await workspaces.delete(access, auth.userId);
        return {};
      },
    }),
  ];
}
