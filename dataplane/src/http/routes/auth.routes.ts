import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../../platform/errors.js';
import { isUuid } from '../../platform/ids.js';
import { toPublicUser, type AuthService } from '../../services/auth/auth.service.js';
import type { WorkspacesService } from '../../services/workspaces/workspaces.service.js';
import { defineRoute, type AnyRoute } from '../route.js';
import {
  AuthResult,
  LoginBody,
  MeResult,
  RefreshBody,
  RegisterBody,
  SessionParams,
  SessionView,
  TokenPair,
} from '../schemas/auth.schema.js';
import { Problem } from '../problem.js';

const API = '/api/v1/auth';

export function authRoutes(auth: AuthService, workspaces: WorkspacesService): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: `${API}/register`,
      summary: 'Create an account and sign in',
      tag: 'auth',
      scope: 'public',
      body: RegisterBody,
      responses: { 201: AuthResult, 409: Problem, 422: Problem },
      handler: async ({ body, client }) => ({ status: 201, body: await auth.register(body, client) }),
    }),
    defineRoute({
      method: 'post',
      path: `${API}/login`,
      summary: 'Sign in with email and password',
      tag: 'auth',
      scope: 'public',
      body: LoginBody,
      responses: { 200: AuthResult, 401: Problem, 429: Problem },
      handler: async ({ body, client }) => ({ body: await auth.login(body, client) }),
    }),
    defineRoute({
      method: 'post',
      path: `${API}/refresh`,
      summary: 'Exchange a refresh token for a new pair (the old one dies)',
      tag: 'auth',
      scope: 'public',
      body: RefreshBody,
      responses: { 200: TokenPair, 401: Problem },
      handler: async ({ body }) => ({ body: await auth.refresh(body.refreshToken) }),
    }),
    defineRoute({
      method: 'post',
      path: `${API}/logout`,
      summary: 'End this session; the access token is refused from now on',
      tag: 'auth',
      scope: 'user',
      responses: { 204: null, 401: Problem },
      handler: async ({ auth: claims }) => {
        await auth.logout(claims);
        return {};
      },
    }),
    defineRoute({
      method: 'get',
      path: `${API}/me`,
      summary: 'The signed-in user and their workspaces with roles',
      tag: 'auth',
      scope: 'user',
      responses: { 200: MeResult, 401: Problem },
      handler: async ({ auth: claims }) => {
        const [user, page] = await Promise.all([
          auth.me(claims.userId),
          workspaces.listForUser(claims.userId, 1000, undefined),
        ]);
        return {
          body: {
            user: toPublicUser(user),
            workspaces: page.data.map((w) => ({ id: w.id, name: w.name, slug: w.slug, role: w.role })),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${API}/sessions`,
      summary: "The signed-in user's active sessions",
      tag: 'auth',
      scope: 'user',
      responses: {
        200: Type.Object({ data: Type.Array(SessionView), nextCursor: Type.Null() }),
        401: Problem,
      },
      handler: async ({ auth: claims }) => ({
        body: { data: await auth.listSessions(claims), nextCursor: null },
      }),
    }),
    defineRoute({
      method: 'delete',
      path: `${API}/sessions/:sessionId`,
      summary: 'Revoke one of your sessions (signs that device out)',
      tag: 'auth',
      scope: 'user',
      params: SessionParams,
      responses: { 204: null, 401: Problem, 404: Problem },
      handler: async ({ auth: claims, params }) => {
        if (!isUuid(params.sessionId)) throw new NotFoundError('Session');
        await auth.revokeSessionById(claims.userId, params.sessionId);
        return {};
      },
    }),
  ];
}
