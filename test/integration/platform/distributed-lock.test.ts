import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { MemoryLock, RedisLock, type Lock } from '../../../dataplane/src/platform/distributed-lock.js';
import { createRedis, type Redis } from '../../../dataplane/src/platform/redis.js';
import { REDIS_URL } from '../../support/databases.js';

/** The contract of both locks; the Redis one is shared by replicas (two clients here). */
function describeLock(
  name: string,
  create: () => Promise<{ a: Lock; b: Lock; close(): Promise<void> }>,
): void {
  describe(`Lock contract: ${name}`, () => {
    let a: Lock;
    let b: Lock;
    let close: () => Promise<void>;
    before(async () => {
      ({ a, b, close } = await create());
    });
    after(() => close());

    it('is taken by exactly one of many asking at once', async () => {
      const key = randomUUID();
      const tokens = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).acquire(key, 5_000)),
      );
      expect(tokens.filter((t) => t !== null)).to.have.length(1);
    });

    it('is free again once released, and only its holder’s token releases it', async () => {
      const key = randomUUID();
      const token = (await a.acquire(key, 5_000)) as string;
      await b.release(key, 'not the token');
      expect(await b.acquire(key, 5_000)).to.equal(null);
      await a.release(key, token);
      expect(await b.acquire(key, 5_000)).to.be.a('string');
    });

    it('frees itself after its time, so a dead holder blocks nobody', async () => {
      const key = randomUUID();
      expect(await a.acquire(key, 50)).to.be.a('string');
      expect(await b.acquire(key, 50)).to.equal(null);
      await sleep(80);
      const next = await b.acquire(key, 5_000);
      expect(next).to.be.a('string');
    });
  });
}

describeLock('MemoryLock', async () => {
  const lock = new MemoryLock();
  return { a: lock, b: lock, close: async () => undefined };
});

describeLock('RedisLock', async () => {
  const clients: Redis[] = [createRedis(REDIS_URL, 'lock-test-a'), createRedis(REDIS_URL, 'lock-test-b')];
  const [one, two] = clients as [Redis, Redis];
  return {
    a: new RedisLock(one, 'lt:test-lock:'),
    b: new RedisLock(two, 'lt:test-lock:'),
    close: async () => void (await Promise.all(clients.map((c) => c.quit()))),
  };
});
