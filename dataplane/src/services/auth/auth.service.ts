import type { Knex } from 'knex';
import { UniqueViolationError } from 'objection';
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
        const tokens = await this.openSession(uow.trx, user.id, client);
        return { user: toPublicUser(user), ...tokens };
      });
    } catch (error) {
      // Objection wraps driver errors (UniqueViolationError carries no pg `code`).
      if (isUniqueViolation(error) || error instanceof UniqueViolationError)
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
    const tokens = await this.openSession(this.knex, user.id, client);
    return { user: toPublicUser(user), ...tokens };
  }

  /** Rotation: the presented token dies, a new one is issued in the same session. Presenting a
   *  dead token again means it leaked: the whole session is revoked. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const outcome = await this.knex.transaction(async (trx) => {
      // Objection maps property names in results only: where clauses name the columns.
      const token = await RefreshToken.query(trx)
        .findOne({ token_hash: hashToken(refreshToken) })
        .forUpdate();
      if (!token) return { error: 'invalid' as const };
      const session = await Session.query(trx).findById(token.sessionId).forUpdate();
      if (!session || session.revokedAt) return { error: 'invalid' as const };
      if (token.usedAt) {
        await this.revokeSession(trx, session, 'refresh_token_reuse');
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
    await this.knex.transaction(async (trx) => {
      const session = await Session.query(trx).findById(claims.sessionId).forUpdate();
      if (session && !session.revokedAt) await this.revokeSession(trx, session, 'logout');
      await this.denyList.deny(claims.jti, claims.exp, trx);
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
    await this.knex.transaction(async (trx) => {
      const session = await Session.query(trx)
        .findOne({ id: sessionId, user_id: userId })
        .whereNull('revoked_at')
        .forUpdate();
      if (!session) throw new NotFoundError('Session');
      await this.revokeSession(trx, session, 'revoked_by_user');
    });
  }

  private async openSession(trx: Knex, userId: string, client: ClientInfo): Promise<TokenPair> {
    const session = await Session.query(trx).insertAndFetch({
      id: newId(),
      userId,
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 500) ?? null,
      expiresAt: this.refreshExpiry(),
    });
    const refreshToken = await this.issueRefreshToken(trx, session.id, userId);
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
  private async revokeSession(trx: Knex, session: Session, reason: string): Promise<void> {
    await Session.query(trx).patch({ revokedAt: new Date(), revokedReason: reason }).findById(session.id);
    await this.denyList.deny(`sid:${session.id}`, this.accessTokens.maxExpiry(), trx);
  }

  private refreshExpiry(): Date {
    return new Date(Date.now() + this.refreshTtlDays * 86_400_000);
  }
}
