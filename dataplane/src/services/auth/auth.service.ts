import type { Knex } from 'knex';
import { ConflictError, NotFoundError, UnauthorizedError } from '../../platform/errors.js';
import { hashToken, newId, newOpaqueToken } from '../../platform/ids.js';
import { isUniqueViolation } from '../../store/pg-errors.js';
import { Session } from '../../store/models/session.model.js';
import { RefreshToken } from '../../store/models/refresh-token.model.js';
import { User } from '../../store/models/user.model.js';
import type { TransactionRunner, UnitOfWork } from '../unit-of-work.js';
import type { AccessClaims, AccessTokens } from './access-tokens.js';
import type { DenyList } from './deny-list.js';
import type { LoginThrottle } from './login-throttle.js';
import { assertPasswordAcceptable, type PasswordHasher } from './password-policy.js';

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  createdAt: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

export interface ClientInfo {
  ip: string;
  userAgent: string | undefined;
}

export interface SessionView {
  id: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  current: boolean;
}

/** Runs inside the registration transaction (tenant mode uses it to make the owner). */
export type RegistrationHook = (uow: UnitOfWork, user: User) => Promise<void>;

export const toPublicUser = (u: User): PublicUser => ({
  id: u.id,
  email: u.email,
  name: u.name,
  createdAt: u.createdAt.toISOString(),
});

export class AuthService {
  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
    private readonly hasher: PasswordHasher,
    private readonly accessTokens: AccessTokens,
    private readonly denyList: DenyList,
    private readonly throttle: LoginThrottle,
    private readonly refreshTtlDays: number,
    private readonly onRegistered: RegistrationHook = async () => undefined,
  ) {}

  async register(input: { email: string; password: string; name: string }, client: ClientInfo) {
    const email = input.email.trim().toLowerCase();
    assertPasswordAcceptable(input.password, email);
    const passwordHash = await this.hasher.hash(input.password);
    try {
      return await this.tx.run(null, async (uow) => {
        const user = await User.query(uow.trx).insertAndFetch({
          id: newId(),
          email,
          name: input.name.trim(),
          passwordHash,
        });
        await uow.audit({
          workspaceId: null,
          action: 'user.register',
          resourceType: 'user',
          resourceId: user.id,
          after: toPublicUser(user),
        });
        await this.onRegistered(uow, user);
        const tokens = await this.openSession(uow, user.id, client);
        return { user: toPublicUser(user), ...tokens };
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError('An account with this email already exists', 'email_taken');
      throw error;
    }
  }

  async login(input: { email: string; password: string }, client: ClientInfo) {
    const email = input.email.trim().toLowerCase();
    await this.throttle.beforeAttempt(client.ip, email);
    const user = await User.query(this.knex).findOne({ email });
    if (!(await this.hasher.verify(input.password, user?.passwordHash)) || !user) {
      await this.throttle.recordFailure(email);
      throw new UnauthorizedError('Email or password is wrong', 'invalid_credentials');
    }
    await this.throttle.recordSuccess(email);
    const tokens = await this.tx.run(user.id, (uow) => this.openSession(uow, user.id, client));
    return { user: toPublicUser(user), ...tokens };
  }

  /** Rotation: the presented token dies, a new one is issued in the same session. Presenting a
   *  dead token again means it leaked: the whole session is revoked. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const outcome = await this.tx.run(null, async (uow) => {
      const { trx } = uow;
      // Objection maps property names in results only: where clauses name the columns.
      const token = await RefreshToken.query(trx)
        .findOne({ token_hash: hashToken(refreshToken) })
        .forUpdate();
      if (!token) return { error: 'invalid' as const };
      const session = await Session.query(trx).findById(token.sessionId).forUpdate();
      if (!session || session.revokedAt) return { error: 'invalid' as const };
      if (token.usedAt) {
        await this.revokeSession(uow, session, 'refresh_token_reuse');
        return { error: 'reused' as const };
      }
      if (token.expiresAt.getTime() <= Date.now()) return { error: 'invalid' as const };
      await RefreshToken.query(trx).patch({ usedAt: new Date() }).findById(token.id);
      const next = await this.issueRefreshToken(trx, session.id, session.userId);
      await Session.query(trx)
        .patch({ lastUsedAt: new Date(), expiresAt: this.refreshExpiry() })
        .findById(session.id);
      return {
        pair: { accessToken: this.accessTokens.issue(session.userId, session.id).token, refreshToken: next },
      };
    });
    if (outcome.error === 'reused') {
      throw new UnauthorizedError(
        'Refresh token was already used; the session has been revoked',
        'refresh_token_reused',
      );
    }
    if (outcome.error)
      throw new UnauthorizedError('Refresh token is invalid or expired', 'invalid_refresh_token');
    return outcome.pair;
  }

  async logout(claims: AccessClaims): Promise<void> {
    await this.tx.run(claims.userId, async (uow) => {
      const session = await Session.query(uow.trx).findById(claims.sessionId).forUpdate();
      if (session && !session.revokedAt) await this.revokeSession(uow, session, 'logout');
      await this.denyList.deny(claims.jti, claims.exp, uow.trx);
    });
  }

  async me(userId: string): Promise<User> {
    const user = await User.query(this.knex).findById(userId);
    if (!user) throw new UnauthorizedError('The account of this token no longer exists', 'invalid_token');
    return user;
  }

  async listSessions(claims: AccessClaims): Promise<SessionView[]> {
    const sessions = await Session.query(this.knex)
      .where({ user_id: claims.userId })
      .whereNull('revoked_at')
      .where('expires_at', '>', new Date())
      .orderBy('last_used_at', 'desc');
    return sessions.map((s) => ({
      id: s.id,
      ip: s.ip,
      userAgent: s.userAgent,
      createdAt: s.createdAt.toISOString(),
      lastUsedAt: s.lastUsedAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      current: s.id === claims.sessionId,
    }));
  }

  async revokeSessionById(userId: string, sessionId: string): Promise<void> {
    await this.tx.run(userId, async (uow) => {
      const session = await Session.query(uow.trx)
        .findOne({ id: sessionId, user_id: userId })
        .whereNull('revoked_at')
        .forUpdate();
      if (!session) throw new NotFoundError('Session');
      await this.revokeSession(uow, session, 'revoked_by_user');
    });
  }

  private async openSession(uow: UnitOfWork, userId: string, client: ClientInfo): Promise<TokenPair> {
    const session = await Session.query(uow.trx).insertAndFetch({
      id: newId(),
      userId,
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 500) ?? null,
      expiresAt: this.refreshExpiry(),
    });
    const refreshToken = await this.issueRefreshToken(uow.trx, session.id, userId);
    await uow.audit({
      workspaceId: null,
      action: 'session.create',
      resourceType: 'session',
      resourceId: session.id,
      actorId: userId,
      after: { ip: session.ip, userAgent: session.userAgent },
    });
    return { accessToken: this.accessTokens.issue(userId, session.id).token, refreshToken };
  }

  private async issueRefreshToken(trx: Knex, sessionId: string, userId: string): Promise<string> {
    const token = newOpaqueToken();
    await RefreshToken.query(trx).insert({
      id: newId(),
      sessionId,
      userId,
      tokenHash: hashToken(token),
      expiresAt: this.refreshExpiry(),
    });
    return token;
  }

  /** Kills the session's refresh tokens and every access token issued in it. */
  private async revokeSession(uow: UnitOfWork, session: Session, reason: string): Promise<void> {
    await Session.query(uow.trx).patch({ revokedAt: new Date(), revokedReason: reason }).findById(session.id);
    await this.denyList.deny(`sid:${session.id}`, this.accessTokens.maxExpiry(), uow.trx);
    await uow.audit({
      workspaceId: null,
      action: 'session.revoke',
      resourceType: 'session',
      resourceId: session.id,
      actorId: session.userId,
      after: { reason },
    });
    // Sockets holding this session's tokens end at once (realtime), not at their next check.
    uow.emit('session.revoked', null, { sessionId: session.id, userId: session.userId });
  }

  private refreshExpiry(): Date {
    return new Date(Date.now() + this.refreshTtlDays * 86_400_000);
  }
}
