import { Type } from '@sinclair/typebox';
import type { BaseCopiesService } from '../../services/bases/base-copies.service.js';
import type { BaseRolesService } from '../../services/bases/base-roles.service.js';
import type { BasesService } from '../../services/bases/bases.service.js';
import { Problem } from '../problem.js';
import { defineRoute, type AnyRoute } from '../route.js';
import {
  BaseMemberParams,
  BaseRoleBody,
  BaseRoleView,
  BaseView,
  CreateBaseBody,
  DuplicateBaseBody,
  FromTemplateBody,
  IdParams,
  SaveTemplateBody,
  TemplateView,
  UpdateBaseBody,
} from '../schemas/base.schema.js';
import { ListQuery, PageOf, WorkspaceParams } from '../schemas/common.schema.js';

export function baseRoutes(
  bases: BasesService,
  copies: BaseCopiesService,
  roles: BaseRolesService,
): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/workspaces/:workspaceId/bases',
      summary: 'Bases of a workspace',
      tag: 'bases',
      scope: 'workspace',
      permission: 'data:read',
      params: WorkspaceParams,
      query: ListQuery,
      responses: { 200: PageOf(BaseView), 400: Problem, 404: Problem },
      handler: async ({ access, query }) => ({ body: await bases.list(access, query.limit, query.cursor) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/workspaces/:workspaceId/bases',
      summary: 'Create a base',
      tag: 'bases',
      scope: 'workspace',
      permission: 'schema:manage',
      params: WorkspaceParams,
      body: CreateBaseBody,
      responses: { 201: BaseView, 403: Problem, 404: Problem, 422: Problem },
      handler: async ({ access, auth, body }) => ({
        status: 201,
        body: await bases.create(access, auth.userId, body),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/bases/:id',
      summary: 'One base',
      tag: 'bases',
      scope: 'workspace',
      permission: 'data:read',
      resourceParam: 'id',
      params: IdParams,
      responses: { 200: BaseView, 404: Problem },
      handler: async ({ access, params }) => ({ body: await bases.get(access, params.id) }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/v1/bases/:id',
      summary: 'Change a base (members left out keep their value)',
      tag: 'bases',
      scope: 'workspace',
      permission: 'schema:manage',
      resourceParam: 'id',
      params: IdParams,
      body: UpdateBaseBody,
      responses: { 200: BaseView, 403: Problem, 404: Problem, 422: Problem },
      handler: async ({ access, auth, params, body }) => ({
        body: await bases.update(access, auth.userId, params.id, body),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/bases/:id',
      summary: 'Delete a base with its tables and their data',
      tag: 'bases',
      scope: 'workspace',
      permission: 'schema:manage',
      resourceParam: 'id',
      params: IdParams,
      responses: { 204: null, 403: Problem, 404: Problem },
      handler: async ({ access, auth, params }) => {
        await bases.delete(access, auth.userId, params.id);
        return {};
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/workspaces/:workspaceId/templates',
      summary: 'Base templates: the built-in ones and those saved in this workspace',
      tag: 'bases',
      scope: 'workspace',
      permission: 'data:read',
      params: WorkspaceParams,
      responses: { 200: Type.Object({ data: Type.Array(TemplateView) }), 404: Problem },
      handler: async ({ access }) => ({ body: { data: await copies.templates(access) } }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/workspaces/:workspaceId/bases/from-template',
      summary: 'Create a base from a template (its tables, columns and starting rows)',
      tag: 'bases',
      scope: 'workspace',
      permission: 'schema:manage',
      params: WorkspaceParams,
      body: FromTemplateBody,
      responses: { 201: BaseView, 403: Problem, 404: Problem, 422: Problem },
      handler: async ({ access, auth, body }) => ({
        status: 201,
        body: await copies.fromTemplate(access, auth.userId, body.templateId, body.name),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/bases/:id/duplicate',
      summary: 'Duplicate a base: structure only, or with every row (withData)',
      tag: 'bases',
      scope: 'workspace',
      permission: 'schema:manage',
      resourceParam: 'id',
      params: IdParams,
      body: DuplicateBaseBody,
      responses: { 201: BaseView, 403: Problem, 404: Problem },
      handler: async ({ access, auth, params, body }) => ({
        status: 201,
        body: await copies.duplicate(access, auth.userId, params.id, body),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/bases/:id/save-as-template',
      summary: 'Save a base as a template of this workspace (optionally with up to 1000 rows per table)',
      tag: 'bases',
      scope: 'workspace',
      permission: 'schema:manage',
      resourceParam: 'id',
      params: IdParams,
      body: SaveTemplateBody,
      responses: { 201: TemplateView, 403: Problem, 404: Problem },
      handler: async ({ access, auth, params, body }) => ({
        status: 201,
        body: await copies.saveAsTemplate(access, auth.userId, params.id, body),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/bases/:id/members',
      summary: 'Base-level roles: members whose workspace role is narrowed on this base',
      tag: 'bases',
      scope: 'workspace',
      permission: 'workspace:members:read',
      resourceParam: 'id',
      params: IdParams,
      responses: { 200: Type.Object({ data: Type.Array(BaseRoleView) }), 404: Problem },
      handler: async ({ access, params }) => ({ body: { data: await roles.list(access, params.id) } }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/v1/bases/:id/members/:userId',
      summary: "Narrow a member's role on this base (never widens the workspace role)",
      tag: 'bases',
      scope: 'workspace',
      permission: 'workspace:members:manage',
      resourceParam: 'id',
      params: BaseMemberParams,
      body: BaseRoleBody,
      responses: { 200: BaseRoleView, 403: Problem, 404: Problem },
      handler: async ({ access, auth, params, body }) => ({
        body: await roles.set(access, auth.userId, params.id, params.userId, body.role),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/bases/:id/members/:userId',
      summary: "Remove a base-level role: the member's workspace role applies again",
      tag: 'bases',
      scope: 'workspace',
      permission: 'workspace:members:manage',
      resourceParam: 'id',
      params: BaseMemberParams,
      responses: { 204: null, 403: Problem, 404: Problem },
      handler: async ({ access, auth, params }) => {
        await roles.remove(access, auth.userId, params.id, params.userId);
        return {};
      },
    }),
  ];
}
