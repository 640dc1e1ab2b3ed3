import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { MemoryCache } from '../../../../dataplane/src/platform/cache.js';
import { UnauthorizedError } from '../../../../dataplane/src/platform/errors.js';
import { AccessTokens } from '../../../../dataplane/src/services/auth/access-tokens.js';
import { DenyList } from '../../../../dataplane/src/services/auth/deny-list.js';

const SECRET = 'unit-secret-unit-secret-unit-secret-0123';
const TTL = 600;

/** Records what DenyList persists; the checks themselves only read the cache. */
function fakeKnex(rows: { key: string; expires_at: Date }[]): Knex {
  const table = () => ({
    insert: (row: { key: string; expires_at: Date }) => ({
      onConflict: () => ({ merge: async () => void rows.push(row) }),
    }),
  });
  return table as unknown as Knex;
}

async function rejection(promise: Promise<unknown>): Promise<UnauthorizedError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.an.instanceOf(UnauthorizedError);
    return error as UnauthorizedError;
  }
  throw new Error('expected the token to be refused');
}

describe('AccessTokens', () => {
  let persisted: { key: string; expires_at: Date }[];
  let denyList: DenyList;
  let tokens: AccessTokens;
  const now = () => Math.floor(Date.now() / 1000);

  beforeEach(() => {
    persisted = [];
    denyList = new DenyList(new MemoryCache(), fakeKnex(persisted));
    tokens = new AccessTokens(SECRET, TTL, denyList);
  });

  it('issues an HS256 JWT whose claims verify back', async () => {
    const userId = randomUUID();
    const sessionId = randomUUID();
    const { token, claims } = tokens.issue(userId, sessionId);
    const header = JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString());
    expect(header.alg).to.equal('HS256');
    const decoded = jwt.decode(token) as jwt.JwtPayload;
    expect(decoded).to.include({ sub: userId, sid: sessionId, jti: claims.jti, iss: 'live-tables' });
    expect(Math.abs((decoded.exp as number) - claims.exp)).to.be.at.most(1);
    expect(claims.exp - now()).to.be.within(TTL - 2, TTL);
    expect(await tokens.verify(token)).to.deep.equal({
      userId,
      sessionId,
      jti: claims.jti,
      exp: decoded.exp,
    });
  });

  it('gives every token its own jti', () => {
    const a = tokens.issue(randomUUID(), randomUUID()).claims.jti;
    const b = tokens.issue(randomUUID(), randomUUID()).claims.jti;
    expect(a).to.not.equal(b);
  });

  it('refuses expired tokens with token_expired', async () => {
    const token = jwt.sign({ sid: randomUUID(), exp: now() - 10 }, SECRET, {
      subject: randomUUID(),
      jwtid: randomUUID(),
      issuer: 'live-tables',
    });
    expect((await rejection(tokens.verify(token))).code).to.equal('token_expired');
  });

  it('a token verified once is refused once it expires, and once it is denied', async () => {
    const sessionId = randomUUID();
    const short = jwt.sign({ sid: sessionId, exp: now() + 2 }, SECRET, {
      subject: randomUUID(),
      jwtid: randomUUID(),
      issuer: 'live-tables',
    });
    expect((await tokens.verify(short)).sessionId).to.equal(sessionId); // verified and remembered
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await rejection(tokens.verify(short))).code).to.equal('token_expired');

    const issued = tokens.issue(randomUUID(), randomUUID());
    await tokens.verify(issued.token);
    await denyList.deny(issued.claims.jti, issued.claims.exp);
    expect((await rejection(tokens.verify(issued.token))).code).to.equal('token_revoked');
  });

  it('refuses tokens that are not ours with invalid_token', async () => {
    const claims = () => ({ sid: randomUUID(), sub: randomUUID(), jti: randomUUID(), exp: now() + 60 });
    const without = (key: string) => Object.fromEntries(Object.entries(claims()).filter(([k]) => k !== key));
    const issued = tokens.issue(randomUUID(), randomUUID()).token;
    const [h, p, s] = issued.split('.');
    const noneHeader = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url');
    const cases: Record<string, string> = {
      garbage: 'garbage',
      empty: '',
      'another secret': jwt.sign(claims(), 'another-secret-another-secret-012345', { issuer: 'live-tables' }),
      'another issuer': jwt.sign(claims(), SECRET, { issuer: 'elsewhere' }),
      'no issuer': jwt.sign(claims(), SECRET),
      'another algorithm': jwt.sign(claims(), SECRET, { algorithm: 'HS512', issuer: 'live-tables' }),
      'alg none': `${noneHeader}.${p}.`,
      'a truncated signature': `${h}.${p}.${s?.slice(0, -4)}`,
      'no sid': jwt.sign(without('sid'), SECRET, { issuer: 'live-tables' }),
      'a numeric sub': jwt.sign({ ...claims(), sub: 42 }, SECRET, { issuer: 'live-tables' }),
      'no jti': jwt.sign(without('jti'), SECRET, { issuer: 'live-tables' }),
      'no exp': jwt.sign(without('exp'), SECRET, { issuer: 'live-tables' }),
    };
    for (const [what, token] of Object.entries(cases)) {
      const error = await rejection(tokens.verify(token));
      expect(error.code, what).to.equal('invalid_token');
    }
  });

  it('refuses a token denied by jti, and only that token', async () => {
    const sessionId = randomUUID();
    const denied = tokens.issue(randomUUID(), sessionId);
    const sibling = tokens.issue(randomUUID(), sessionId);
    await denyList.deny(denied.claims.jti, denied.claims.exp);
    expect((await rejection(tokens.verify(denied.token))).code).to.equal('token_revoked');
    expect((await tokens.verify(sibling.token)).jti).to.equal(sibling.claims.jti);
    expect(persisted.map((r) => r.key)).to.deep.equal([denied.claims.jti]);
    expect(persisted[0]?.expires_at.getTime()).to.equal(denied.claims.exp * 1000);
  });

  it('refuses every token of a denied session until the latest one could expire', async () => {
    const sessionId = randomUUID();
    const first = tokens.issue(randomUUID(), sessionId);
    const second = tokens.issue(randomUUID(), sessionId);
    const otherSession = tokens.issue(randomUUID(), randomUUID());
    await denyList.deny(`sid:${sessionId}`, tokens.maxExpiry());
    for (const t of [first, second])
      expect((await rejection(tokens.verify(t.token))).code).to.equal('token_revoked');
    expect(await tokens.verify(otherSession.token)).to.include({ sessionId: otherSession.claims.sessionId });
    expect(tokens.maxExpiry()).to.be.at.least(second.claims.exp);
  });

  it('does not record denials that are already past', async () => {
    const { token, claims } = tokens.issue(randomUUID(), randomUUID());
    await denyList.deny(claims.jti, now() - 1);
    expect(persisted).to.deep.equal([]);
    expect((await tokens.verify(token)).jti).to.equal(claims.jti);
  });
});
