import type { Socket } from 'socket.io';
import { toProblem } from '../http/middleware/errors.middleware.js';
import { NotFoundError, UnauthorizedError } from '../platform/errors.js';
import type { AccessTokens } from '../services/auth/access-tokens.js';
import type { WorkspaceAccessResolver } from '../services/workspaces/workspace-access.js';
import type { ClientToServer, InterServer, ServerToClient, SocketData } from './realtime-events.js';

export type LiveSocket = Socket<ClientToServer, ServerToClient, InterServer, SocketData>;

/** `/ws/<workspaceId>`: the namespace of one workspace. */
export const WORKSPACE_NAMESPACE = /^\/ws\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const workspaceNamespace = (workspaceId: string): string => `/ws/${workspaceId}`;

/** How often every socket's token is checked against the deny list (logout, revoked sessions). */
export const REVOCATION_CHECK_MS = 30_000;

/** An error socket.io sends the client as `connect_error`, its problem document as `data`. */
export function connectError(error: unknown): Error & { data: unknown } {
  const problem = toProblem(error);
  return Object.assign(new Error(problem.detail), { data: problem });
}

/**
 * The handshake: `auth.token` must be a valid access token (not expired, not revoked) of a
 * member of the namespace's workspace (in tenant mode, the tenant's). Runs again on every
 * reconnection, recovered ones included.
 */
export function handshakeAuth(tokens: AccessTokens, resolver: WorkspaceAccessResolver) {
  return async (socket: LiveSocket, next: (error?: Error) => void): Promise<void> => {
    try {
      const workspaceId = socket.nsp.name.slice('/ws/'.length);
      const token: unknown = (socket.handshake.auth as { token?: unknown }).token;
      if (typeof token !== 'string' || token === '')
        throw new UnauthorizedError('Send the access token as auth.token in the handshake');
      const claims = await tokens.verify(token);
      await resolver.resolve(workspaceId, claims.userId).catch((error: unknown) => {
        throw error instanceof NotFoundError ? new NotFoundError('Workspace') : error;
      });
      socket.data = {
        userId: claims.userId,
        sessionId: claims.sessionId,
        workspaceId,
        token,
        tokenExpiresAt: claims.exp,
      };
      next();
    } catch (error) {
      next(connectError(error));
    }
  };
}

/**
 * Keeps a socket's session honest after the handshake: at the token's expiry the client is told
 * (`auth:expired`) and disconnected unless it sent a fresh token (`auth:refresh`) before; a
 * revoked token disconnects it at the next check.
 */
export class SessionWatch {
  private expiry?: NodeJS.Timeout;

  constructor(
    private readonly socket: LiveSocket,
    private readonly tokens: AccessTokens,
  ) {
    this.arm();
  }

  /** A fresh token of the same user; resolves to its expiry. */
  async refresh(token: string): Promise<number> {
    const claims = await this.tokens.verify(token);
    if (claims.userId !== this.socket.data.userId)
      throw new UnauthorizedError('The new token belongs to another user', 'token_user_mismatch');
    this.socket.data.token = token;
    this.socket.data.sessionId = claims.sessionId;
    this.socket.data.tokenExpiresAt = claims.exp;
    this.arm();
    return claims.exp;
  }

  /**
   * What a failed check of the socket's token found: a token that no longer stands (the deny
   * list learnt of a logout) ends the session; anything else is the caller's to report.
   */
  ended(error: unknown): void {
    if (!(error instanceof UnauthorizedError)) throw error;
    this.end();
  }

  /** The session is over (logout, revocation, the user left the workspace). */
  end(): void {
    this.socket.emit('auth:expired');
    this.socket.disconnect(true);
  }

  stop(): void {
    clearTimeout(this.expiry);
  }

  private arm(): void {
    clearTimeout(this.expiry);
    const ms = this.socket.data.tokenExpiresAt * 1000 - Date.now();
    this.expiry = setTimeout(
      () => {
        this.socket.emit('auth:expired');
        this.socket.disconnect(true);
      },
      Math.max(0, ms),
    );
    this.expiry.unref();
  }
}
