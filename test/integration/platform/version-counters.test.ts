import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createRedis, type Redis } from '../../../dataplane/src/platform/redis.js';
import {
  MemoryVersionCounters,
  RedisVersionCounters,
  type VersionCounters,
} from '../../../dataplane/src/platform/version-counters.js';
import { REDIS_URL } from '../../support/databases.js';

/** The contract every VersionCounters honours; run once per implementation. */
function describeCounters(name: string, create: () => { counters: VersionCounters; close(): Promise<void> }) {
  describe(`VersionCounters contract: ${name}`, () => {
    let fixture: ReturnType<typeof create>;
    before(() => {
      fixture = create();
    });
    after(() => fixture.close());

    it('reads a stable version until a bump, and a new one after each bump', async () => {
      const { counters } = fixture;
      const [first] = await counters.read(['a']);
      expect(await counters.read(['a'])).to.deep.equal([first]);
      await counters.bump(['a']);
      const [second] = await counters.read(['a']);
      expect(second).to.not.equal(first);
      await counters.bump(['a']);
      expect((await counters.read(['a']))[0]).to.not.be.oneOf([first, second]);
    });

    it('keeps counters apart and reads several in one call, in order', async () => {
      const { counters } = fixture;
      const before = await counters.read(['x', 'y', 'z']);
      await counters.bump(['y']);
      const after = await counters.read(['x', 'y', 'z']);
      expect(after[0]).to.equal(before[0]);
      expect(after[1]).to.not.equal(before[1]);
      expect(after[2]).to.equal(before[2]);
      expect(await counters.read([])).to.deep.equal([]);
    });
  });
}

describeCounters('MemoryVersionCounters', () => ({
  counters: new MemoryVersionCounters(),
  close: async () => undefined,
}));

const prefix = `lt:test:versions:${randomUUID()}:`;
let clients: Redis[] = [];
async function dropKeys(redis: Redis): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
}

describeCounters('RedisVersionCounters', () => {
  const redis = createRedis(REDIS_URL, 'test-versions');
  clients.push(redis);
  return {
    counters: new RedisVersionCounters(redis, prefix),
    close: async () => {
      await dropKeys(redis);
      await Promise.all(clients.map((c) => c.quit()));
      clients = [];
    },
  };
});

describe('RedisVersionCounters specifics', () => {
  let a: Redis;
  let b: Redis;
  before(() => {
    a = createRedis(REDIS_URL, 'test-versions-a');
    b = createRedis(REDIS_URL, 'test-versions-b');
  });
  after(async () => {
    await dropKeys(a);
    await Promise.all([a.quit(), b.quit()]);
  });

  it('two replicas see each other’s bumps at once', async () => {
    const one = new RedisVersionCounters(a, prefix);
    const two = new RedisVersionCounters(b, prefix);
    const [before] = await two.read(['shared']);
    await one.bump(['shared']);
    const [after] = await two.read(['shared']);
    expect(after).to.not.equal(before);
    expect(await one.read(['shared'])).to.deep.equal([after]);
  });

  it('a lost counter comes back with a new epoch, never repeating an old version', async () => {
    const counters = new RedisVersionCounters(a, prefix);
    await counters.bump(['lost']);
    const [before] = await counters.read(['lost']);
    await a.del(`${prefix}lost`);
    await counters.bump(['lost']);
    const [after] = await counters.read(['lost']);
    expect(after).to.not.equal(before);
    expect(after?.split('.')[0]).to.not.equal(before?.split('.')[0]);
  });
});
