import { expect } from 'chai';
import { createLogger } from '../../../../dataplane/src/platform/logger.js';
import { CacheWarmer } from '../../../../dataplane/src/services/view-apis/cache-warmer.js';

const log = createLogger('silent');
const params = (limit: number) => ({ limit });

describe('CacheWarmer', () => {
  it('refreshes the most used queries about to go stale, and none asked for once', async () => {
    const warmed: string[] = [];
    const warmer = new CacheWarmer(
      async (slug, p) => {
        warmed.push(`${slug}:${p.limit}`);
        return Date.now() + 60_000;
      },
      { tickMs: 1_000, top: 2 },
      log,
    );
    const now = Date.now();
    const soon = now + 500; // within a tick and a half
    for (let i = 0; i < 5; i++) warmer.note('a', 'busy', params(1), soon, 10_000);
    for (let i = 0; i < 3; i++) warmer.note('b', 'busy', params(2), soon, 10_000);
    for (let i = 0; i < 4; i++) warmer.note('c', 'busy', params(3), now + 9_000, 10_000); // not due yet
    warmer.note('d', 'once', params(4), soon, 10_000);
    await warmer.tick(now);
    // The top two by use are a (5) and c (4); c is not due, so only a is refreshed.
    expect(warmed).to.deep.equal(['busy:1']);
  });

  it('forgets a query whose API is gone, and lets use decay', async () => {
    const calls: string[] = [];
    const warmer = new CacheWarmer(
      async (slug) => {
        calls.push(slug);
        return slug === 'gone' ? undefined : Date.now();
      },
      { tickMs: 1_000, top: 10 },
      log,
    );
    const now = Date.now();
    for (let i = 0; i < 4; i++) warmer.note('g', 'gone', params(1), now, 10_000);
    for (let i = 0; i < 4; i++) warmer.note('k', 'kept', params(1), now, 10_000);
    await warmer.tick(now); // both warmed; use halves to 2
    await warmer.tick(now); // kept warmed again (2 ≥ 2); gone was forgotten; use halves to 1
    await warmer.tick(now); // used too little now: nothing
    expect([...calls].sort()).to.deep.equal(['gone', 'kept', 'kept']);
  });
});
