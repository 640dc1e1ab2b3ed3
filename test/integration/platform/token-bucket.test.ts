import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { createRedis, type Redis } from '../../../dataplane/src/platform/redis.js';
import {
  FallbackTokenBuckets,
  MemoryTokenBuckets,
  RedisTokenBuckets,
  tokenBuckets,
  type TokenBuckets,
} from '../../../dataplane/src/platform/token-bucket.js';
import { REDIS_URL } from '../../support/databases.js';

/** The contract of both token buckets; the Redis one is shared by replicas (two clients here). */
function describeBuckets(
  name: string,
  create: () => Promise<{ a: TokenBuckets; b: TokenBuckets; close(): Promise<void> }>,
): void {
  describe(`TokenBuckets contract: ${name}`, () => {
    let a: TokenBuckets;
    let b: TokenBuckets;
    let close: () => Promise<void>;
    before(async () => {
      ({ a, b, close } = await create());
    });
    after(() => close());

    it('lets a full bucket be spent at once, then refuses with the time to the next token', async () => {
      const key = randomUUID();
      const shape = { capacity: 3, refillPerSecond: 0.05 }; // a token every 20 s
      const taken = [];
      for (let i = 0; i < 3; i++) taken.push(await (i % 2 ? a : b).take(key, shape));
      expect(taken.map((t) => [t.allowed, t.remaining])).to.deep.equal([
        [true, 2],
        [true, 1],
        [true, 0],
      ]);
      const refused = await a.take(key, shape);
      expect(refused).to.include({ allowed: false, remaining: 0, retryAfterSeconds: 20, resetSeconds: 60 });
    });

    it('counts every taker of one key together: exactly capacity of many at once pass', async () => {
      const key = randomUUID();
      const shape = { capacity: 10, refillPerSecond: 0.001 };
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).take(key, shape)),
      );
      expect(results.filter((r) => r.allowed)).to.have.length(10);
    });

    it('refills evenly with time, never above capacity', async () => {
      const key = randomUUID();
      const shape = { capacity: 2, refillPerSecond: 20 }; // a token every 50 ms
      expect((await a.take(key, shape)).allowed).to.equal(true);
      expect((await a.take(key, shape)).allowed).to.equal(true);
      expect((await b.take(key, shape)).allowed).to.equal(false);
      await sleep(130); // two tokens and a half, but room for two
      const after = [await b.take(key, shape), await a.take(key, shape), await b.take(key, shape)];
      expect(after.map((r) => r.allowed)).to.deep.equal([true, true, false]);
    });

    it('keeps buckets of different keys apart', async () => {
      const shape = { capacity: 1, refillPerSecond: 0.001 };
      const [one, two] = [randomUUID(), randomUUID()];
      expect((await a.take(one, shape)).allowed).to.equal(true);
      expect((await a.take(one, shape)).allowed).to.equal(false);
      expect((await b.take(two, shape)).allowed).to.equal(true);
    });
  });
}

describeBuckets('MemoryTokenBuckets', async () => {
  const buckets = new MemoryTokenBuckets();
  return { a: buckets, b: buckets, close: async () => undefined };
});

describeBuckets('RedisTokenBuckets', async () => {
  const clients: Redis[] = [createRedis(REDIS_URL, 'bucket-test-a'), createRedis(REDIS_URL, 'bucket-test-b')];
  const [one, two] = clients as [Redis, Redis];
  // A fresh server may not know the script yet: the first call falls back to EVAL.
  await one.script('FLUSH');
  return {
    a: new RedisTokenBuckets(one, 'lt:test-bucket:'),
    b: new RedisTokenBuckets(two, 'lt:test-bucket:'),
    close: async () => void (await Promise.all(clients.map((c) => c.quit()))),
  };
});

describe('RedisTokenBuckets keys', () => {
  it('expire once the bucket would be full again, so idle callers leave nothing behind', async () => {
    const redis = createRedis(REDIS_URL, 'bucket-test-ttl');
    try {
      const key = randomUUID();
      await new RedisTokenBuckets(redis, 'lt:test-bucket:').take(key, { capacity: 5, refillPerSecond: 1 });
      const ttl = await redis.pttl(`lt:test-bucket:${key}`);
      expect(ttl).to.be.within(1_000, 2_000); // one token to refill (1 s) and a second of slack
    } finally {
      await redis.quit();
    }
  });
});

describe('tokenBuckets over a Redis that cannot be reached', () => {
  it('limits in process instead of failing, without waiting for the client', async () => {
    // Nothing listens on port 1: the client never becomes ready.
    const redis = createRedis('redis://127.0.0.1:1', 'bucket-test-down');
    redis.on('error', () => undefined);
    try {
      const buckets = tokenBuckets(redis);
      const shape = { capacity: 2, refillPerSecond: 0.01 };
      const states = [];
      for (let i = 0; i < 3; i++) states.push(await buckets.take('k', shape));
      expect(states.map((s) => s.allowed)).to.deep.equal([true, true, false]);
      expect(redis.status).to.not.equal('ready');
    } finally {
      redis.disconnect();
    }
  });

  it('falls back when a connected client loses its server mid-request', async () => {
    const failing: TokenBuckets = {
      take: () => Promise.reject(Object.assign(new Error('Connection is closed.'), { name: 'Error' })),
    };
    const fallbacks: Error[] = [];
    const buckets = new FallbackTokenBuckets(
      failing,
      new MemoryTokenBuckets(),
      () => true,
      (e) => fallbacks.push(e),
    );
    const state = await buckets.take('k', { capacity: 1, refillPerSecond: 1 });
    expect(state.allowed).to.equal(true);
    expect(fallbacks.map((e) => e.message)).to.deep.equal(['Connection is closed.']);

    const broken = new FallbackTokenBuckets(
      { take: () => Promise.reject(new Error('ERR Error running script')) },
      new MemoryTokenBuckets(),
      () => true,
    );
    await broken.take('k', { capacity: 1, refillPerSecond: 1 }).then(
      () => expect.fail('a script error must not be hidden'),
      (error: Error) => expect(error.message).to.match(/running script/),
    );
  });
});
