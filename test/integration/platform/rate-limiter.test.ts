import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { limiterFactory, type LimiterFactory } from '../../../dataplane/src/platform/rate-limiter.js';
import { createRedis, type Redis } from '../../../dataplane/src/platform/redis.js';
import { REDIS_URL } from '../../support/databases.js';

/** Awaits a promise that must reject with a RateLimiterRes and returns it. */
async function rejection(attempt: Promise<unknown>): Promise<RateLimiterRes> {
  try {
    await attempt;
  } catch (error) {
    expect(error, 'rejected with something other than RateLimiterRes').to.be.instanceOf(RateLimiterRes);
    return error as RateLimiterRes;
  }
  throw new Error('expected the limiter to reject');
}

interface LimiterFixture {
  factory: LimiterFactory;
  close(): Promise<void>;
}

/** The contract both limiter flavours honour; run once per implementation. */
function describeLimiter(name: string, create: () => LimiterFixture): void {
  describe(`rate limiter contract: ${name}`, () => {
    let fixture: LimiterFixture;
    // Each test gets a fresh prefix so nothing leaks between runs that share Redis.
    const spec = (points: number, durationSeconds = 60) => ({
      keyPrefix: `test:${randomUUID()}`,
      points,
      durationSeconds,
    });
    before(() => {
      fixture = create();
    });
    after(() => fixture.close());

    it('grants exactly `points` consumptions and counts down', async () => {
      const limiter = fixture.factory(spec(3));
      const remaining: number[] = [];
      for (let i = 0; i < 3; i++) remaining.push((await limiter.consume('ip:1')).remainingPoints);
      expect(remaining).to.deep.equal([2, 1, 0]);
    });

    it('rejects the next one with remainingPoints 0 and msBeforeNext within the window', async () => {
      const limiter = fixture.factory(spec(2, 60));
      await limiter.consume('ip:1');
      await limiter.consume('ip:1');
      const res = await rejection(limiter.consume('ip:1'));
      expect(res.remainingPoints).to.equal(0);
      expect(res.consumedPoints).to.be.greaterThan(2);
      expect(res.msBeforeNext).to.be.greaterThan(0).and.at.most(60_000);
    });

    it('counts keys separately', async () => {
      const limiter = fixture.factory(spec(1));
      await limiter.consume('user:a');
      await rejection(limiter.consume('user:a'));
      expect((await limiter.consume('user:b')).remainingPoints).to.equal(0);
    });

    it('consumes several points at once', async () => {
      const limiter = fixture.factory(spec(5));
      expect((await limiter.consume('k', 4)).remainingPoints).to.equal(1);
      await rejection(limiter.consume('k', 2));
    });

    it('limiters with different prefixes do not share counts', async () => {
      const one = fixture.factory(spec(1));
      const two = fixture.factory(spec(1));
      await one.consume('same-key');
      expect((await two.consume('same-key')).remainingPoints).to.equal(0);
    });

    it('get reports consumption and delete forgives it', async () => {
      const limiter = fixture.factory(spec(2));
      expect(await limiter.get('fresh')).to.equal(null);
      await limiter.consume('k');
      expect((await limiter.get('k'))?.consumedPoints).to.equal(1);
      await limiter.consume('k');
      await rejection(limiter.consume('k'));
      await limiter.delete('k');
      expect((await limiter.consume('k')).remainingPoints).to.equal(1);
    });

    it('grants again once the window has passed', async function () {
      this.timeout(10_000);
      const limiter = fixture.factory(spec(1, 1));
      await limiter.consume('k');
      const res = await rejection(limiter.consume('k'));
      await sleep(res.msBeforeNext + 250);
      expect((await limiter.consume('k')).remainingPoints).to.equal(0);
    });
  });
}

describeLimiter('in-process (limiterFactory(undefined))', () => ({
  factory: limiterFactory(undefined),
  close: async () => undefined,
}));

describeLimiter('Redis (limiterFactory(redis))', () => {
  const redis = createRedis(REDIS_URL, 'test-limiter');
  return { factory: limiterFactory(redis), close: async () => void (await redis.quit()) };
});

describe('Redis rate limiter across replicas', () => {
  let a: Redis;
  let b: Redis;
  before(() => {
    a = createRedis(REDIS_URL, 'test-limiter-a');
    b = createRedis(REDIS_URL, 'test-limiter-b');
  });
  after(async () => {
    await Promise.all([a.quit(), b.quit()]);
  });

  it('two processes with the same limiter share one budget', async () => {
    const spec = { keyPrefix: `test:${randomUUID()}`, points: 2, durationSeconds: 60 };
    const one = limiterFactory(a)(spec);
    const two = limiterFactory(b)(spec);
    await one.consume('ip:9');
    await two.consume('ip:9');
    await rejection(one.consume('ip:9'));
    await rejection(two.consume('ip:9'));
  });

  it('keeps its keys under lt:rl:<prefix>', async () => {
    const keyPrefix = `test:${randomUUID()}`;
    await limiterFactory(a)({ keyPrefix, points: 5, durationSeconds: 60 }).consume('ip:1');
    expect(await a.keys(`lt:rl:${keyPrefix}*`)).to.have.length(1);
  });
});

describe('in-process rate limiter replicas', () => {
  it('do not share a budget (each process counts its own)', async () => {
    const spec = { keyPrefix: `test:${randomUUID()}`, points: 1, durationSeconds: 60 };
    const one = limiterFactory(undefined)(spec);
    const two = limiterFactory(undefined)(spec);
    await one.consume('ip:1');
    expect((await two.consume('ip:1')).remainingPoints).to.equal(0);
  });
});
