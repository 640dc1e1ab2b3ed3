import { expect } from 'chai';
import { Cached } from '../../../dataplane/src/adapters/sql/cached.js';

describe('cached catalog value', () => {
  function setup(ttlMs = 1_000) {
    const clock = { now: 0 };
    let loads = 0;
    let fail = false;
    const cached = new Cached(
      async () => {
        loads += 1;
        if (fail) throw new Error('discovery failed');
        return `v${loads}`;
      },
      ttlMs,
      () => clock.now,
    );
    return { cached, clock, loads: () => loads, setFail: (f: boolean) => (fail = f) };
  }

  it('loads once for concurrent readers and serves the value until the TTL passes', async () => {
    const { cached, clock, loads } = setup();
    expect(await Promise.all([cached.get(), cached.get(), cached.get()])).to.deep.equal(['v1', 'v1', 'v1']);
    clock.now = 999;
    expect(await cached.get()).to.equal('v1');
    clock.now = 1_000;
    expect(await cached.get()).to.equal('v2');
    expect(loads()).to.equal(2);
  });

  it('does not keep a failed load, and refresh/prime/invalidate do what they say', async () => {
    const { cached, loads, setFail } = setup();
    setFail(true);
    expect(await cached.get().catch((e: Error) => e.message)).to.equal('discovery failed');
    setFail(false);
    expect(await cached.get()).to.equal('v2');
    expect(await cached.refresh()).to.equal('v3');
    cached.prime('primed');
    expect(await cached.get()).to.equal('primed');
    cached.invalidate();
    expect(await cached.get()).to.equal('v4');
    expect(loads()).to.equal(4);
  });
});
