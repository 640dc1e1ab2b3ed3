import { expect } from 'chai';
import { RedisCache } from '../../../dataplane/src/platform/cache.js';
import { RedisLock } from '../../../dataplane/src/platform/distributed-lock.js';
import { ServiceUnavailableError } from '../../../dataplane/src/platform/errors.js';
import { createRedis } from '../../../dataplane/src/platform/redis.js';
import { RedisVersionCounters } from '../../../dataplane/src/platform/version-counters.js';
import { eventually } from '../../support/eventually.js';
import { PrivateRedis } from '../../support/private-redis.js';

describe('Redis clients that lost their server', () => {
  it('refuse at once with 503 redis_unavailable instead of queueing, and work again once it is back', async () => {
    const server = await PrivateRedis.start();
    const redis = createRedis(server.url, 'lost-connection-test');
    redis.on('error', () => undefined);
    try {
      const cache = new RedisCache(redis);
      const counters = new RedisVersionCounters(redis);
      const lock = new RedisLock(redis);
      await cache.set('k', 'v', 60);
      expect(await cache.get('k')).to.equal('v');

      await server.kill();
      await eventually(async () => expect(redis.status).to.be.oneOf(['reconnecting', 'close']));
      for (const call of [
        () => cache.get('k'),
        () => counters.bump(['c']),
        () => counters.read(['c']),
        () => lock.acquire('l', 1000),
      ]) {
        const error = await call().then(
          () => expect.fail('a lost connection must refuse'),
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(ServiceUnavailableError);
        expect(error).to.include({ code: 'redis_unavailable', status: 503 });
      }

      await server.restart();
      await eventually(async () => expect(redis.status).to.equal('ready'));
      await cache.set('k', 'again', 60);
      expect(await cache.get('k')).to.equal('again');
    } finally {
      redis.disconnect();
      await server.kill();
    }
  });
});
