import { expect } from 'chai';
import { ScopedCache } from '../../../dataplane/src/platform/scoped-cache.js';

const value = (n: number) => ({ n });
const loaded = (scope: string, n: number) => async () => ({ scope, value: value(n) });

describe('ScopedCache', () => {
  it('loads once and answers from memory until the scope is forgotten', async () => {
    const cache = new ScopedCache<{ n: number }>({ max: 10, ttlMs: 60_000 });
    let loads = 0;
    const load = async () => ({ scope: 'w1', value: value(++loads) });
    expect(await cache.getOrLoad('a', load)).to.deep.equal({ n: 1 });
    expect(await cache.getOrLoad('a', load)).to.deep.equal({ n: 1 });
    cache.forgetScope('w1');
    expect(await cache.getOrLoad('a', load)).to.deep.equal({ n: 2 });
    expect(loads).to.equal(2);
  });

  it('forgetting one scope keeps the others', async () => {
    const cache = new ScopedCache<{ n: number }>({ max: 10, ttlMs: 60_000 });
    await cache.getOrLoad('a', loaded('w1', 1));
    await cache.getOrLoad('b', loaded('w2', 2));
    cache.forgetScope('w1');
    expect(cache.get('a')).to.equal(undefined);
    expect(cache.get('b')).to.deep.equal({ n: 2 });
    cache.clear();
    expect(cache.get('b')).to.equal(undefined);
  });

  it('does not keep what a load returns when something was forgotten while it ran', async () => {
    const cache = new ScopedCache<{ n: number }>({ max: 10, ttlMs: 60_000 });
    let release!: () => void;
    const slow = cache.getOrLoad('a', async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return { scope: 'w1', value: value(1) }; // read before the change below committed
    });
    cache.forgetScope('w1');
    release();
    expect(await slow).to.deep.equal({ n: 1 }); // answered to its caller…
    expect(cache.get('a')).to.equal(undefined); // …but not kept
    await cache.getOrLoad('a', loaded('w1', 2));
    expect(cache.get('a')).to.deep.equal({ n: 2 });
  });

  it('keeps nothing from a load that throws', async () => {
    const cache = new ScopedCache<{ n: number }>({ max: 10, ttlMs: 60_000 });
    const failing = async (): Promise<{ scope: string; value: { n: number } }> => {
      throw new Error('not found');
    };
    let error: unknown;
    await cache.getOrLoad('a', failing).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal('not found');
    expect(cache.size).to.equal(0);
  });

  it('is bounded: the least recently used entry goes, and its scope index with it', async () => {
    const cache = new ScopedCache<{ n: number }>({ max: 2, ttlMs: 60_000 });
    await cache.getOrLoad('a', loaded('w1', 1));
    await cache.getOrLoad('b', loaded('w2', 2));
    cache.get('a');
    await cache.getOrLoad('c', loaded('w3', 3));
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).to.deep.equal([{ n: 1 }, undefined, { n: 3 }]);
    cache.forgetScope('w2'); // nothing left to forget: no error
    expect(cache.size).to.equal(2);
  });

  it('never answers an entry older than its time to live', async () => {
    const cache = new ScopedCache<{ n: number }>({ max: 10, ttlMs: 30 });
    await cache.getOrLoad('a', loaded('w1', 1));
    expect(cache.get('a')).to.deep.equal({ n: 1 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(cache.get('a')).to.equal(undefined);
  });
});
