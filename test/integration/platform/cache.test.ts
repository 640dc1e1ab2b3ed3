import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import {
  BoundedMemoryCache,
  MemoryCache,
  RedisCache,
  type Cache,
} from '../../../dataplane/src/platform/cache.js';
import { createRedis, type Redis } from '../../../dataplane/src/platform/redis.js';
import { REDIS_URL } from '../../support/databases.js';

interface CacheFixture {
  cache: Cache;
  close(): Promise<void>;
}

/** The contract every Cache honours; run once per implementation. */
function describeCache(name: string, create: () => Promise<CacheFixture>): void {
  describe(`Cache contract: ${name}`, () => {
    let fixture: CacheFixture;
    let cache: Cache;
    before(async () => {
      fixture = await create();
      cache = fixture.cache;
    });
    after(() => fixture.close());

    it('answers null for a key never set', async () => {
      expect(await cache.get('never-set')).to.equal(null);
    });

    it('returns what was set', async () => {
      await cache.set('a', 'alpha', 60);
      expect(await cache.get('a')).to.equal('alpha');
    });

    it('overwrites on a second set', async () => {
      await cache.set('b', 'one', 60);
      await cache.set('b', 'two', 60);
      expect(await cache.get('b')).to.equal('two');
    });

    it('keeps keys apart', async () => {
      await cache.set('k1', 'v1', 60);
      await cache.set('k2', 'v2', 60);
      expect([await cache.get('k1'), await cache.get('k2')]).to.deep.equal(['v1', 'v2']);
    });

    it('stores values byte for byte: empty, unicode, JSON, large', async () => {
      const values = ['', 'ünïcødé 🚀 — 漢字', JSON.stringify({ a: [1, 'x'], b: null }), 'x'.repeat(100_000)];
      for (const [i, value] of values.entries()) {
        await cache.set(`v${i}`, value, 60);
        expect(await cache.get(`v${i}`)).to.equal(value);
      }
    });

    it('del removes a key, and deleting a missing key is fine', async () => {
      await cache.set('gone', 'x', 60);
      await cache.del('gone');
      expect(await cache.get('gone')).to.equal(null);
      await cache.del('never-existed');
    });

    it('forgets a value once its time to live has passed', async function () {
      this.timeout(10_000);
      await cache.set('short', 'x', 1);
      await cache.set('long', 'y', 60);
      expect(await cache.get('short')).to.equal('x');
      await sleep(1_500);
      expect(await cache.get('short')).to.equal(null);
      expect(await cache.get('long')).to.equal('y');
    });

    it('a new set renews the time to live', async function () {
      this.timeout(10_000);
      await cache.set('renewed', 'old', 1);
      await cache.set('renewed', 'new', 60);
      await sleep(1_500);
      expect(await cache.get('renewed')).to.equal('new');
    });
  });
}

describeCache('MemoryCache', async () => ({ cache: new MemoryCache(), close: async () => undefined }));

describeCache('BoundedMemoryCache', async () => ({
  cache: new BoundedMemoryCache(10_000_000),
  close: async () => undefined,
}));

describe('BoundedMemoryCache specifics', () => {
  it('keeps at most its size in characters, dropping the least recently used', async () => {
    const cache = new BoundedMemoryCache(1_000);
    await cache.set('a', 'x'.repeat(400), 60);
    await cache.set('b', 'y'.repeat(400), 60);
    expect(await cache.get('a')).to.have.length(400); // a is now the most recently used
    await cache.set('c', 'z'.repeat(400), 60);
    expect(await cache.get('b')).to.equal(null);
    expect(await cache.get('a')).to.have.length(400);
    expect(await cache.get('c')).to.have.length(400);
  });
});

describeCache('RedisCache', async () => {
  const redis = createRedis(REDIS_URL, 'test-cache');
  const prefix = `lt:test:cache:${randomUUID()}:`;
  return {
    cache: new RedisCache(redis, prefix),
    close: async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    },
  };
});

describe('RedisCache specifics', () => {
  let a: Redis;
  let b: Redis;
  const prefix = `lt:test:cache:${randomUUID()}:`;
  before(() => {
    a = createRedis(REDIS_URL, 'test-cache-a');
    b = createRedis(REDIS_URL, 'test-cache-b');
  });
  after(async () => {
    const keys = await a.keys(`${prefix}*`);
    if (keys.length) await a.del(...keys);
    await Promise.all([a.quit(), b.quit()]);
  });

  it('two replicas (two clients) see the same entries', async () => {
    const one = new RedisCache(a, prefix);
    const two = new RedisCache(b, prefix);
    await one.set('shared', 'from-one', 60);
    expect(await two.get('shared')).to.equal('from-one');
    await two.del('shared');
    expect(await one.get('shared')).to.equal(null);
  });

  it('stores under its prefix with a Redis expiry of at least one second', async () => {
    const cache = new RedisCache(a, prefix);
    await cache.set('ttl', 'x', 0.2);
    expect(await a.get(`${prefix}ttl`)).to.equal('x');
    const pttl = await a.pttl(`${prefix}ttl`);
    expect(pttl).to.be.greaterThan(0).and.at.most(1000);
  });

  it('caches with different prefixes do not collide', async () => {
    const one = new RedisCache(a, `${prefix}one:`);
    const two = new RedisCache(a, `${prefix}two:`);
    await one.set('k', '1', 60);
    expect(await two.get('k')).to.equal(null);
  });
});
