import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import { newId } from '../../platform/ids.js';
import { UnauthorizedError } from '../../platform/errors.js';
import type { DenyList } from './deny-list.js';

export interface AccessClaims {
  userId: string;
  sessionId: string;
  jti: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

const ISSUER = 'live-tables';

/** Tokens whose signature was checked, by token text: a signature, once valid, stays valid. */
const VERIFIED_TOKENS = 10_000;

/** Short-lived HS256 JWTs: `sub` user, `sid` session, `jti` for denial at logout. */
export class AccessTokens {
  /** A KeyObject, built once: given a string, jsonwebtoken tries to parse it as a PEM public key
   *  on every verify before falling back to HMAC, which costs more than the HMAC itself. */
  private readonly key: KeyObject;
  private readonly verified = new LRUCache<string, AccessClaims>({ max: VERIFIED_TOKENS });

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly denyList: DenyList,
  ) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  issue(userId: string, sessionId: string): { token: string; claims: AccessClaims } {
    const jti = newId();
    const token = jwt.sign({ sid: sessionId }, this.key, {
      algorithm: 'HS256',
      subject: userId,
      jwtid: jti,
      issuer: ISSUER,
      expiresIn: this.ttlSeconds,
    });
    const exp = Math.floor(Date.now() / 1000) + this.ttlSeconds;
    return { token, claims: { userId, sessionId, jti, exp } };
  }

  /**
   * The claims of a valid token. Its signature and claims are checked once, then remembered;
   * expiry and the deny list (logout, revoked sessions) are checked on every call.
   */
  async verify(token: string): Promise<AccessClaims> {
    const claims = this.verified.get(token) ?? this.checkSignature(token);
    if (claims.exp * 1000 <= Date.now()) throw new UnauthorizedError('Access token expired', 'token_expired');
    if (await this.denyList.isDenied(claims.jti, claims.sessionId))
      throw new UnauthorizedError('Access token was revoked', 'token_revoked');
    return claims;
  }

  private checkSignature(token: string): AccessClaims {
    let payload: jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER }) as jwt.JwtPayload;
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError)
        throw new UnauthorizedError('Access token expired', 'token_expired');
      throw new UnauthorizedError('Access token is invalid', 'invalid_token');
    }
    const { sub, sid, jti, exp } = payload;
    if (
      typeof sub !== 'string' ||
      typeof sid !== 'string' ||
      typeof jti !== 'string' ||
      typeof exp !== 'number'
    ) {
      throw new UnauthorizedError('Access token is invalid', 'invalid_token');
    }
    const claims = { userId: sub, sessionId: sid, jti, exp };
    this.verified.set(token, claims);
    return claims;
  }

  /** Latest expiry of any access token issued now; session denials must outlive it. */
  maxExpiry(): number {
    return Math.floor(Date.now() / 1000) + this.ttlSeconds;
  }
}
