import type { MembersService } from '../../services/workspaces/members.service.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { Problem } from '../problem.js';
import { ListQuery, PageOf, WorkspaceParams } from '../schemas/common.schema.js';
import { ChangeRoleBody, MemberParams, MemberView, TransferBody } from '../schemas/workspace.schema.js';

const API = '/api/v1/workspaces/:workspaceId';

export function memberRoutes(members: MembersService): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: `${API}/members`,
      summary: 'Members and their roles',
      tag: 'members',
      scope: 'workspace',
      permission: 'workspace:members:read',
      params: WorkspaceParams,
      query: ListQuery,
      responses: { 200: PageOf(MemberView), 404: Problem },
      handler: async ({ access, query }) => ({
        body: await members.list(access.workspace.id, query.limit, query.cursor),
      }),
    }),
    defineRoute({
      method: 'patch',
      path: `${API}/members/:userId`,
      summary: "Change a member's role",
      tag: 'members',
      scope: 'workspace',
      permission: 'workspace:members:manage',
      params: MemberParams,
      body: ChangeRoleBody,
      responses: { 200: MemberView, 403: Problem, 404: Problem, 409: Problem },
      handler: async ({ access, auth, params, body }) => ({
        body: await members.changeRole(access, auth.userId, params.userId, body.role),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: `${API}/members/:userId`,
      summary: 'Remove a member',
      tag: 'members',
      scope: 'workspace',
      permission: 'workspace:members:manage',
      params: MemberParams,
      responses: { 204: null, 403: Problem, 404: Problem, 409: Problem },
      handler: async ({ access, auth, params }) => {
        await members.remove(access, auth.userId, params.userId);
        return {};
      },
    }),
    defineRoute({
      method: 'post',
      path: `${API}/leave`,
      summary: 'Leave the workspace (the last owner cannot)',
      tag: 'members',
      scope: 'workspace',
      permission: 'workspace:read',
      params: WorkspaceParams,
      responses: { 204: null, 404: Problem, 409: Problem },
      handler: async ({ access, auth }) => {
        await members.leave(access, auth.userId);
        return {};
      },
    }),
    defineRoute({
      method: 'post',
      path: `${API}/transfer-ownership`,
      summary: 'Make another member the owner; you become an admin',
      tag: 'members',
      scope: 'workspace',
      permission: 'workspace:transfer',
      params: WorkspaceParams,
      body: TransferBody,
      responses: { 200: MemberView, 403: Problem, 404: Problem },
      handler: async ({ access, auth, body }) => ({
        body: await members.transferOwnership(access, auth.userId, body.userId),
      }),
    }),
  ];
}
