import { expect } from 'chai';
import { AdapterRegistry, type AdapterRegistryOptions } from '../../../dataplane/src/adapters/registry.js';
import { BadRequestError, ConnectionUnavailableError } from '../../../dataplane/src/platform/errors.js';
import { FakeAdapter, settingsFor } from './fake-adapter.js';

function setup(options: Partial<AdapterRegistryOptions> = {}) {
  const clock = { now: 0 };
  const created: FakeAdapter[] = [];
  const slept: number[] = [];
  const registry = new AdapterRegistry({
    factory: (settings) => {
      const adapter = new FakeAdapter(settings);
      created.push(adapter);
      return adapter;
    },
    now: () => clock.now,
    retry: { attempts: 3, baseDelayMs: 100, sleep: async (ms) => void slept.push(ms), random: () => 0 },
    breaker: { failureThreshold: 2, coolDownMs: 5_000 },
    ...options,
  });
  const raw = (id: string) => registry.get(settingsFor(id)).executeRawQuery({ sql: 'select 1' });
  return { registry, clock, created, slept, raw };
}

describe('adapter registry', () => {
  it('creates one adapter per connection id lazily and connects it once', async () => {
    const { registry, created, raw } = setup();
    const handle = registry.get(settingsFor('a'));
    expect(created).to.have.length(0);
    await Promise.all([raw('a'), raw('a'), handle.discoverSchema()]);
    expect(created).to.have.length(1);
    expect(created[0]?.connects).to.equal(1);
    await raw('b');
    expect(registry.openIds()).to.deep.equal(['a', 'b']);
  });

  it('replaces the pool when the settings of a connection change', async () => {
    const { registry, created } = setup();
    await registry.get(settingsFor('a')).connect();
    await registry.get(settingsFor('a', { password: 'rotated' })).connect();
    expect(created).to.have.length(2);
    expect(created[0]?.disconnects).to.equal(1);
    expect(registry.openIds()).to.deep.equal(['a']);
  });

  it('evicts the least recently used pool beyond the cap', async () => {
    const { registry, created, raw } = setup({ maxOpen: 2 });
    await raw('a');
    await raw('b');
    await raw('a'); // b is now the least recently used
    await raw('c');
    expect(registry.openIds()).to.deep.equal(['a', 'c']);
    expect(created.find((c) => c.settings.id === 'b')?.disconnects).to.equal(1);
    await raw('b'); // reopened on demand
    expect(registry.openIds()).to.deep.equal(['c', 'b']);
  });

  it('never evicts a pool with a query in flight (the cap is soft then)', async () => {
    const { registry, created, raw } = setup({ maxOpen: 1 });
    await registry.get(settingsFor('a')).connect();
    let release!: () => void;
    (created[0] as FakeAdapter).hold = new Promise((resolve) => (release = resolve));
    const running = raw('a');
    await raw('b');
    expect(registry.openIds()).to.deep.equal(['a', 'b']);
    release();
    await running;
    await raw('c');
    expect(registry.openIds()).to.deep.equal(['c']);
  });

  it('closes pools idle longer than idleMs, and the handle reopens them', async () => {
    const { registry, clock, created, raw } = setup({ idleMs: 1_000 });
    await raw('a');
    clock.now = 600;
    await raw('b');
    clock.now = 1_000;
    expect(await registry.closeIdle()).to.deep.equal(['a']);
    expect(registry.openIds()).to.deep.equal(['b']);
    clock.now = 1_600;
    expect(await registry.closeIdle()).to.deep.equal(['b']);
    expect(created.map((c) => c.disconnects)).to.deep.equal([1, 1]);
    expect(await raw('a')).to.deep.equal({ rows: [{ id: 'a' }], truncated: false });
    expect(created).to.have.length(3);
  });

  it('retries connect with back-off, then succeeds', async () => {
    const { registry, created, slept, raw } = setup({
      factory: (settings) => {
        const adapter = new FakeAdapter(settings);
        adapter.down = true;
        const connect = adapter.connect.bind(adapter);
        adapter.connect = () => {
          adapter.down = adapter.connects < 2;
          return connect();
        };
        created.push(adapter);
        return adapter;
      },
    });
    expect(await raw('a')).to.deep.equal({ rows: [{ id: 'a' }], truncated: false });
    expect(created[0]?.connects).to.equal(3);
    expect(slept).to.deep.equal([50, 100]);
    expect(registry.breakerState('a')).to.equal('closed');
  });

  it('a connect that keeps failing is retried, then counted once by the breaker, which opens', async () => {
    const { registry, created, slept, raw } = setup({
      factory: (settings) => {
        const adapter = new FakeAdapter(settings);
        adapter.down = true;
        created.push(adapter);
        return adapter;
      },
    });
    for (let i = 0; i < 2; i++) {
      const error = await raw('a').catch((e: Error) => e);
      expect(error).to.be.instanceOf(Error).and.not.instanceOf(ConnectionUnavailableError);
    }
    expect(created[0]?.connects).to.equal(6);
    expect(slept).to.deep.equal([50, 100, 50, 100]);
    expect(registry.breakerState('a')).to.equal('open');
    const fast = await raw('a').catch((e: unknown) => e);
    expect(fast).to.be.instanceOf(ConnectionUnavailableError);
    expect(created[0]?.connects).to.equal(6);
    expect(registry.health.get('a')).to.include({ status: 'error' });
  });

  it('the breaker half-opens after its cool-down and closes on a good trial', async () => {
    const source = { down: true };
    const { registry, clock, created, raw } = setup({
      factory: (settings) => {
        const adapter = new FakeAdapter(settings);
        const connect = adapter.connect.bind(adapter);
        adapter.connect = () => {
          adapter.down = source.down;
          return connect();
        };
        created.push(adapter);
        return adapter;
      },
    });
    await raw('a').catch(() => undefined);
    await raw('a').catch(() => undefined);
    expect(registry.breakerState('a')).to.equal('open');
    clock.now = 4_999;
    expect(await raw('a').catch((e: unknown) => e)).to.be.instanceOf(ConnectionUnavailableError);
    clock.now = 5_000;
    expect(registry.breakerState('a')).to.equal('half-open');
    source.down = false;
    expect(await raw('a')).to.deep.equal({ rows: [{ id: 'a' }], truncated: false });
    expect(registry.breakerState('a')).to.equal('closed');
    expect(created).to.have.length(1);
  });

  it('caller errors pass through without tripping the breaker', async () => {
    const { registry } = setup();
    const settings = settingsFor('a');
    for (let i = 0; i < 5; i++) {
      await registry
        .run(settings, () => Promise.reject(new BadRequestError('syntax error')))
        .catch((e: unknown) => expect(e).to.be.instanceOf(BadRequestError));
    }
    expect(registry.breakerState('a')).to.equal('closed');
  });

  it('keeps the last health status per connection, from tests and periodic checks', async () => {
    const { registry, clock, created } = setup();
    clock.now = 42;
    const result = await registry.get(settingsFor('a')).testConnection();
    expect(result).to.deep.equal({ ok: true, latencyMs: 1, serverVersion: 'fake 1' });
    expect(registry.health.get('a')).to.deep.equal({ status: 'ok', checkedAt: new Date(42), latencyMs: 1 });
    (created[0] as FakeAdapter).down = true;
    clock.now = 99;
    await registry.checkHealth();
    expect(registry.health.get('a')).to.deep.equal({
      status: 'error',
      checkedAt: new Date(99),
      latencyMs: 1,
      error: 'down',
    });
    await registry.forget('a');
    expect(registry.health.get('a')).to.equal(undefined);
  });

  it('closeAll closes every pool and stops the timers', async () => {
    const { registry, created, raw } = setup();
    registry.start({ idleSweepMs: 10_000, healthMs: 10_000 });
    await raw('a');
    await raw('b');
    await registry.closeAll();
    expect(registry.openIds()).to.deep.equal([]);
    expect(created.map((c) => c.disconnects)).to.deep.equal([1, 1]);
  });
});
