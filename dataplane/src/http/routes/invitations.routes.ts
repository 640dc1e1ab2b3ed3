import type { InvitationsService } from '../../services/workspaces/invitations.service.js';
import { NotFoundError } from '../../platform/errors.js';
import { isUuid } from '../../platform/ids.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { Problem } from '../problem.js';
import { ListQuery, PageOf, WorkspaceParams } from '../schemas/common.schema.js';
import {
  InvitationParams,
  InvitationView,
  InviteBody,
  InviteResult,
  TokenParams,
  WorkspaceView,
} from '../schemas/workspace.schema.js';

export function invitationRoutes(invitations: InvitationsService): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/workspaces/:workspaceId/invite',
      summary: 'Invite someone by email (role defaults to the workspace setting)',
      tag: 'invitations',
      scope: 'workspace',
      permission: 'workspace:members:manage',
      params: WorkspaceParams,
      body: InviteBody,
      responses: { 201: InviteResult, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
      handler: async ({ access, auth, body }) => ({
        status: 201,
        body: await invitations.invite(access, auth.userId, body),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/workspaces/:workspaceId/invitations',
      summary: 'Open invitations',
      tag: 'invitations',
      scope: 'workspace',
      permission: 'workspace:members:manage',
      params: WorkspaceParams,
      query: ListQuery,
      responses: { 200: PageOf(InvitationView), 403: Problem, 404: Problem },
      handler: async ({ access, query }) => ({
        body: await invitations.listPending(access.workspace.id, query.limit, query.cursor),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/workspaces/:workspaceId/invitations/:invitationId',
      summary: 'Withdraw an open invitation',
      tag: 'invitations',
      scope: 'workspace',
      permission: 'workspace:members:manage',
      params: InvitationParams,
      responses: { 204: null, 403: Problem, 404: Problem },
      handler: async ({ access, auth, params }) => {
        if (!isUuid(params.invitationId)) throw new NotFoundError('Invitation');
        await invitations.revoke(access, auth.userId, params.invitationId);
        return {};
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/invitations/:token/accept',
      summary: 'Accept an invitation sent to your email; you join with its role',
      tag: 'invitations',
      scope: 'user',
      params: TokenParams,
      responses: { 200: WorkspaceView, 403: Problem, 404: Problem },
      handler: async ({ auth, params }) => ({ body: await invitations.accept(params.token, auth.userId) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/invitations/:token/decline',
      summary: 'Decline an invitation sent to your email',
      tag: 'invitations',
      scope: 'user',
      params: TokenParams,
      responses: { 204: null, 403: Problem, 404: Problem },
      handler: async ({ auth, params }) => {
        await invitations.decline(params.token, auth.userId);
        return {};
      },
    }),
  ];
}
