import { expect } from 'chai';
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { REDIS_URL } from '../../support/databases.js';
import { registerUser, startTestApp, type TestApp, type TestResponse } from '../../support/test-app.js';

/** Every failure is application/problem+json with the full RFC 9457 shape and a stable code. */
function expectProblem(res: TestResponse, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
  expect(res.body).to.include({ status, code });
  for (const key of ['type', 'title', 'detail']) expect(res.body[key]).to.be.a('string').with.length.above(0);
}

/** 429 rate_limited with a Retry-After of whole seconds within the limiter's window. */
function expectRateLimited(res: TestResponse, maxSeconds: number): number {
  expectProblem(res, 429, 'rate_limited');
  const retryAfter = res.headers.get('retry-after');
  expect(retryAfter).to.match(/^\d+$/);
  expect(Number(retryAfter)).to.be.within(1, maxSeconds);
  return Number(retryAfter);
}

const WRONG = 'definitely not the password';
const FREE_FAILURES = 2;
const PER_IP = 5;
const THROTTLE_ENV = {
  LOGIN_FREE_FAILURES: String(FREE_FAILURES),
  LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: String(PER_IP),
  TRUST_PROXY: 'true',
};

/** A random client address (sent as X-Forwarded-For), so tests never share an IP budget. */
const freshIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
let emailCounter = 0;
const unknownEmail = () => `ghost-${Date.now().toString(36)}-${emailCounter++}@example.test`;

/**
 * The throttle behaviour, against whichever limiter the app was started with. `used` collects
 * the emails and IPs the tests touched (the Redis suite removes their keys afterwards).
 */
function throttleBehaviour(appOf: () => TestApp, used: { emails: string[]; ips: string[] }): void {
  const login = (email: string, password: string, ip = freshIp()) => {
    used.emails.push(email.toLowerCase());
    used.ips.push(ip);
    return appOf().request('POST', '/api/v1/auth/login', {
      body: { email, password },
      headers: { 'x-forwarded-for': ip },
    });
  };
  const register = async (name: string) => {
    const user = await registerUser(appOf(), name);
    used.emails.push(user.email);
    return user;
  };

  it('limits login attempts per IP: 429 with Retry-After, even with the right password', async () => {
    const user = await register('perip');
    const ip = freshIp();
    for (let i = 0; i < PER_IP; i++)
      expectProblem(await login(unknownEmail(), WRONG, ip), 401, 'invalid_credentials');
    expectRateLimited(await login(user.email, user.password, ip), 60);
    expectRateLimited(await login(unknownEmail(), WRONG, ip), 60);
    // Another address has its own budget.
    const elsewhere = await login(user.email, user.password);
    expect(elsewhere.status, JSON.stringify(elsewhere.body)).to.equal(200);
  });

  it(`backs an account off after ${FREE_FAILURES} failures, from any IP, leaving other accounts alone`, async () => {
    const user = await register('backoff');
    const bystander = await register('bystander');
    const ip = freshIp();
    for (let i = 0; i < FREE_FAILURES; i++)
      expectProblem(await login(user.email, WRONG, ip), 401, 'invalid_credentials');
    expectRateLimited(await login(user.email, user.password, ip), 1);
    expectRateLimited(await login(user.email.toUpperCase(), user.password), 1);
    const other = await login(bystander.email, bystander.password, ip);
    expect(other.status, JSON.stringify(other.body)).to.equal(200);
  });

  it('backs off unknown emails exactly like real accounts', async () => {
    const user = await register('realone');
    const ghost = unknownEmail();
    for (let i = 0; i < FREE_FAILURES; i++) {
      const real = await login(user.email, WRONG);
      const fake = await login(ghost, WRONG);
      expectProblem(real, 401, 'invalid_credentials');
      expect(fake.body).to.deep.equal(real.body);
    }
    const realLocked = await login(user.email, user.password);
    const fakeLocked = await login(ghost, WRONG);
    expectRateLimited(realLocked, 1);
    expectRateLimited(fakeLocked, 1);
    expect(fakeLocked.body).to.deep.equal(realLocked.body);
  });

  it('resets the failure count on a successful login', async () => {
    const user = await register('reset');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < FREE_FAILURES - 1; i++)
        expectProblem(await login(user.email, WRONG), 401, 'invalid_credentials');
      const ok = await login(user.email, user.password);
      expect(ok.status, `round ${round}: ${JSON.stringify(ok.body)}`).to.equal(200);
    }
  });

  it('lets the right password in once the back-off has passed, and keeps counting failures until then', async () => {
    const user = await register('waits');
    for (let i = 0; i < FREE_FAILURES; i++) await login(user.email, WRONG);
    const first = expectRateLimited(await login(user.email, user.password), 1);
    await sleep(first * 1000 + 250);
    // Waiting does not forgive: the next failure locks the account again at once, for longer.
    expectProblem(await login(user.email, WRONG), 401, 'invalid_credentials');
    const second = expectRateLimited(await login(user.email, user.password), 2);
    await sleep(second * 1000 + 250);
    const ok = await login(user.email, user.password);
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    // ...and success started the count afresh.
    expectProblem(await login(user.email, WRONG), 401, 'invalid_credentials');
    expect((await login(user.email, user.password)).status).to.equal(200);
  });
}

describe('auth: login throttling with the in-process limiter', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp(THROTTLE_ENV);
  });
  after(() => app.stop());

  throttleBehaviour(() => app, { emails: [], ips: [] });
});

describe('auth: login throttling ignores X-Forwarded-For unless TRUST_PROXY is set', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '3' });
  });
  after(() => app.stop());

  it('counts forged X-Forwarded-For addresses against the real peer address', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await app.request('POST', '/api/v1/auth/login', {
        body: { email: unknownEmail(), password: WRONG },
        headers: { 'x-forwarded-for': freshIp() },
      });
      expectProblem(res, 401, 'invalid_credentials');
    }
    const res = await app.request('POST', '/api/v1/auth/login', {
      body: { email: unknownEmail(), password: WRONG },
      headers: { 'x-forwarded-for': freshIp() },
    });
    expectRateLimited(res, 60);
  });
});

describe('auth: login throttling with the Redis limiter', () => {
  const used = { emails: [] as string[], ips: [] as string[] };
  let app: TestApp;
  let redis: Redis;
  before(async () => {
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    app = await startTestApp({ ...THROTTLE_ENV, REDIS_URL });
  });
  after(async () => {
    await app.stop();
    const keys = [
      ...used.ips.map((ip) => `lt:rl:login_ip:${ip}`),
      ...used.emails.flatMap((e) => [`lt:rl:login_fail:${e}`, `lt:rl:login_lock:${e}`]),
    ];
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    redis.disconnect();
  });

  throttleBehaviour(() => app, used);

  it('keeps its counters in Redis', async () => {
    const ip = freshIp();
    const email = unknownEmail();
    used.ips.push(ip);
    used.emails.push(email);
    await app.request('POST', '/api/v1/auth/login', {
      body: { email, password: WRONG },
      headers: { 'x-forwarded-for': ip },
    });
    expect(await redis.exists(`lt:rl:login_ip:${ip}`)).to.equal(1);
    expect(await redis.exists(`lt:rl:login_fail:${email}`)).to.equal(1);
  });

  it('shares budgets and back-off between two dataplanes on the same Redis', async () => {
    const second = await startTestApp({ ...THROTTLE_ENV, REDIS_URL });
    try {
      const attempt = (target: TestApp, email: string, password: string, ip: string) => {
        used.ips.push(ip);
        used.emails.push(email.toLowerCase());
        return target.request('POST', '/api/v1/auth/login', {
          body: { email, password },
          headers: { 'x-forwarded-for': ip },
        });
      };
      const ip = freshIp();
      for (let i = 0; i < PER_IP; i++)
        expect((await attempt(app, unknownEmail(), WRONG, ip)).status).to.equal(401);
      expectRateLimited(await attempt(second, unknownEmail(), WRONG, ip), 60);

      const user = await registerUser(second, 'shared');
      used.emails.push(user.email);
      for (let i = 0; i < FREE_FAILURES; i++)
        expect((await attempt(app, user.email, WRONG, freshIp())).status).to.equal(401);
      expectRateLimited(await attempt(second, user.email, user.password, freshIp()), 1);
    } finally {
      await second.stop();
    }
  });
});
