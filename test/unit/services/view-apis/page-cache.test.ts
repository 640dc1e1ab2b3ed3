import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { MemoryCache } from '../../../../dataplane/src/platform/cache.js';
import { MemoryLock } from '../../../../dataplane/src/platform/distributed-lock.js';
import { createLogger } from '../../../../dataplane/src/platform/logger.js';
import { PageCache } from '../../../../dataplane/src/services/view-apis/page-cache.js';

const log = createLogger('silent');
const policy = { ttlSeconds: 60, staleSeconds: 60 };

/** A load that counts its calls and takes a while, so concurrent callers overlap. */
function counted(body = '{"data":[]}', ms = 30) {
  const load = async () => {
    load.calls++;
    await sleep(ms);
    return body;
  };
  load.calls = 0;
  return load;
}

describe('PageCache', () => {
  it('loads once, then hits; the ETag is the body’s', async () => {
    const cache = new PageCache(new MemoryCache(), new MemoryLock(), log);
    const load = counted('{"a":1}');
    const first = await cache.get('k', policy, load);
    const second = await cache.get('k', policy, load);
    expect([first.outcome, second.outcome]).to.deep.equal(['miss', 'hit']);
    expect(second.page).to.deep.equal(first.page);
    expect(first.page.body).to.equal('{"a":1}');
    expect(first.page.etag).to.match(/^[A-Za-z0-9_-]{27}$/);
    expect(load.calls).to.equal(1);
  });

  it('concurrent misses share one load; a failed load caches nothing and fails them all', async () => {
    const cache = new PageCache(new MemoryCache(), new MemoryLock(), log);
    const load = counted();
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.get('k', policy, load)));
    expect(load.calls).to.equal(1);
    expect(results.every((r) => r.outcome === 'miss')).to.equal(true);
    let failures = 0;
    const failing = async () => {
      failures++;
      await sleep(10);
      throw new Error('boom');
    };
    const settled = await Promise.allSettled(
      Array.from({ length: 5 }, () => cache.get('f', policy, failing)),
    );
    expect(settled.every((s) => s.status === 'rejected')).to.equal(true);
    expect(failures).to.equal(1);
    const retried = counted();
    expect((await cache.get('f', policy, retried)).outcome).to.equal('miss');
    expect(retried.calls).to.equal(1);
  });

  it('serves a stale copy to everyone while one refresh runs, then the new copy', async () => {
    const store = new MemoryCache();
    const cache = new PageCache(store, new MemoryLock(), log);
    const short = { ttlSeconds: 0.05, staleSeconds: 60 };
    await cache.get('k', short, counted('"old"'));
    await sleep(80);
    const load = counted('"new"', 50);
    const results = await Promise.all(Array.from({ length: 100 }, () => cache.get('k', short, load)));
    expect(results.every((r) => r.outcome === 'stale' && r.page.body === '"old"')).to.equal(true);
    await sleep(80);
    expect(load.calls).to.equal(1);
    expect((await cache.get('k', policy, load)).page.body).to.equal('"new"');
  });

  it('a failed refresh keeps the stale copy', async () => {
    const cache = new PageCache(new MemoryCache(), new MemoryLock(), log);
    const short = { ttlSeconds: 0.02, staleSeconds: 60 };
    await cache.get('k', short, counted('"kept"'));
    await sleep(40);
    const stale = await cache.get('k', short, async () => {
      throw new Error('source down');
    });
    expect([stale.outcome, stale.page.body]).to.deep.equal(['stale', '"kept"']);
    await sleep(20);
    expect((await cache.get('k', short, counted('"later"'))).page.body).to.equal('"kept"');
  });

  it('across replicas (one cache, one lock): one loads, the other waits for its copy', async () => {
    const store = new MemoryCache();
    const lock = new MemoryLock();
    const a = new PageCache(store, lock, log);
    const b = new PageCache(store, lock, log);
    const load = counted('"shared"', 80);
    const results = await Promise.all([
      ...Array.from({ length: 20 }, () => a.get('k', policy, load)),
      ...Array.from({ length: 20 }, () => b.get('k', policy, load)),
    ]);
    expect(load.calls).to.equal(1);
    expect(results.every((r) => r.page.body === '"shared"')).to.equal(true);
  });

  it('across replicas: a stale copy is refreshed by one of them only', async () => {
    const store = new MemoryCache();
    const lock = new MemoryLock();
    const replicas = [new PageCache(store, lock, log), new PageCache(store, lock, log)];
    const short = { ttlSeconds: 0.05, staleSeconds: 60 };
    await replicas[0]?.get('k', short, counted());
    await sleep(80);
    const load = counted('"fresh"', 50);
    await Promise.all(replicas.flatMap((r) => Array.from({ length: 10 }, () => r.get('k', short, load))));
    await sleep(80);
    expect(load.calls).to.equal(1);
  });

  it('refresh() answers the new copy, or undefined when another holds the lock', async () => {
    const lock = new MemoryLock();
    const cache = new PageCache(new MemoryCache(), lock, log);
    const first = await cache.refresh('k', policy, counted('"r"'));
    expect(first?.body).to.equal('"r"');
    // Warming a copy still fresh: refreshed, since it is the copy the caller saw.
    const warmed = await cache.refresh('k', policy, counted('"w"'), first?.freshUntil);
    expect(warmed?.body).to.equal('"w"');
    const token = await lock.acquire('k', 1000);
    expect(token).to.be.a('string');
    expect(await cache.refresh('k', policy, counted('"s"'))).to.equal(undefined);
  });

  it('a refresh that finds the copy refreshed since its caller saw it loads nothing', async () => {
    const store = new MemoryCache();
    const lock = new MemoryLock();
    const [a, b] = [new PageCache(store, lock, log), new PageCache(store, lock, log)];
    const seen = await a.refresh('k', policy, counted('"old"'));
    await sleep(5);
    await a.refresh('k', policy, counted('"new"'), seen?.freshUntil); // replica a refreshed it
    const late = counted('"again"');
    const result = await b.refresh('k', policy, late, seen?.freshUntil); // b saw the old copy
    expect([late.calls, result?.body]).to.deep.equal([0, '"new"']);
  });
});
