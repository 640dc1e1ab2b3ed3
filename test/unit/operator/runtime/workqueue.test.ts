import { expect } from 'chai';
import {
  WorkQueue,
  type ReconcileResult,
  type WorkQueueOptions,
} from '../../../../operator/src/runtime/workqueue.js';
import { deferred, FakeClock, settle } from './fake-clock.js';

/** A queue on a fake clock whose reconciles are recorded, and block while `gates` holds one for the key. */
function harness(
  options: Partial<WorkQueueOptions> & { fail?: (key: string, attempt: number) => boolean } = {},
) {
  const clock = new FakeClock();
  const runs: string[] = [];
  const running = new Map<string, number>();
  let maxPerKey = 0;
  let maxAtOnce = 0;
  const gates = new Map<string, Promise<void>>();
  const results = new Map<string, ReconcileResult>();
  const queue = new WorkQueue({
    clock,
    backoff: { random: () => 0.5 },
    ...options,
    async reconcile(key) {
      runs.push(key);
      running.set(key, (running.get(key) ?? 0) + 1);
      maxPerKey = Math.max(maxPerKey, ...running.values());
      maxAtOnce = Math.max(
        maxAtOnce,
        [...running.values()].reduce((a, b) => a + b, 0),
      );
      try {
        await gates.get(key);
        const attempt = runs.filter((k) => k === key).length;
        if (options.fail?.(key, attempt)) throw new Error(`${key} failed (attempt ${attempt})`);
        return results.get(key);
      } finally {
        running.set(key, (running.get(key) ?? 1) - 1);
      }
    },
  });
  return { clock, queue, runs, gates, results, stats: () => ({ maxPerKey, maxAtOnce }) };
}

describe('operator runtime: the work queue', () => {
  it('runs a key added several times while queued once (dedupe)', async () => {
    const { queue, runs, gates } = harness({ workers: 1 });
    const blocker = deferred();
    gates.set('busy', blocker.promise);
    queue.add('busy');
    queue.add('a');
    queue.add('a');
    queue.add('a');
    expect(queue.depth).to.equal(1);
    blocker.resolve();
    await queue.idle();
    expect(runs).to.deep.equal(['busy', 'a']);
  });

  it('runs one reconcile per key at a time; a key added while it runs runs once more after', async () => {
    const { queue, runs, gates, stats } = harness({ workers: 4 });
    const first = deferred();
    gates.set('a', first.promise);
    queue.add('a');
    await settle();
    queue.add('a');
    queue.add('a');
    expect(queue.depth, 'not queued while it runs').to.equal(0);
    gates.delete('a');
    first.resolve();
    await queue.idle();
    expect(runs).to.deep.equal(['a', 'a']);
    expect(stats().maxPerKey).to.equal(1);
  });

  it('runs different keys in parallel, up to the number of workers', async () => {
    const { queue, runs, gates, stats } = harness({ workers: 2 });
    const gate = deferred();
    for (const key of ['a', 'b', 'c']) gates.set(key, gate.promise);
    for (const key of ['a', 'b', 'c']) queue.add(key);
    await settle();
    expect(runs).to.deep.equal(['a', 'b']);
    expect(queue.depth).to.equal(1);
    gate.resolve();
    await queue.idle();
    expect(runs).to.deep.equal(['a', 'b', 'c']);
    expect(stats().maxAtOnce).to.equal(2);
  });

  it('retries a failing key with exponential back-off per key (5 ms·2^n, jittered), not before', async () => {
    const { queue, runs, clock } = harness({ fail: (key) => key === 'bad' });
    queue.add('bad');
    queue.add('good');
    await queue.idle();
    // random 0.5: three quarters of each ceiling (5, 10, 20, 40 ms).
    const expected = [3.75, 7.5, 15, 30];
    for (const [i, delay] of expected.entries()) {
      expect(queue.failures('bad')).to.equal(i + 1);
      expect(queue.pendingAt('bad')).to.equal(clock.now() + delay);
      await clock.advance(delay - 0.01);
      expect(
        runs.filter((k) => k === 'bad'),
        `not before ${delay} ms`,
      ).to.have.length(i + 1);
      await clock.advance(0.01);
      expect(runs.filter((k) => k === 'bad')).to.have.length(i + 2);
    }
    expect(runs.filter((k) => k === 'good')).to.have.length(1);
    expect(queue.failures('good')).to.equal(0);
  });

  it('caps the back-off at 5 minutes', async () => {
    const { queue, clock } = harness({ fail: () => true, backoff: { random: () => 0.999999 } });
    queue.add('bad');
    await queue.idle();
    for (let i = 0; i < 20; i++) await clock.advance((queue.pendingAt('bad') as number) - clock.now());
    expect(queue.failures('bad')).to.equal(21);
    expect((queue.pendingAt('bad') as number) - clock.now()).to.be.closeTo(300_000, 1);
  });

  it('resets the back-off after a success', async () => {
    const { queue, clock } = harness({ fail: (_key, attempt) => attempt !== 3 });
    queue.add('flaky');
    await queue.idle();
    await clock.advance(3.75);
    await clock.advance(7.5);
    expect(queue.failures('flaky'), 'third attempt succeeded').to.equal(0);
    expect(queue.pendingAt('flaky')).to.equal(undefined);
    queue.add('flaky');
    await queue.idle();
    expect(queue.failures('flaky')).to.equal(1);
    expect((queue.pendingAt('flaky') as number) - clock.now()).to.equal(3.75);
  });

  it('requeues after the delay a reconcile asks for (periodic rechecks)', async () => {
    const { queue, runs, clock, results } = harness();
    results.set('conn', { requeueAfterMs: 300_000 });
    queue.add('conn');
    await queue.idle();
    await clock.advance(299_999);
    expect(runs).to.deep.equal(['conn']);
    await clock.advance(1);
    expect(runs).to.deep.equal(['conn', 'conn']);
    expect(queue.pendingAt('conn')).to.equal(600_000);
  });

  it('keeps the earliest of several delays for one key', async () => {
    const { queue, runs, clock } = harness();
    queue.addAfter('k', 5000);
    queue.addAfter('k', 1000);
    queue.addAfter('k', 3000);
    expect(clock.pending).to.deep.equal([1000]);
    await clock.advance(10_000);
    expect(runs).to.deep.equal(['k']);
    queue.addAfter('k', 0);
    await queue.idle();
    expect(runs).to.deep.equal(['k', 'k']);
  });

  it('reports depth, each reconcile with its outcome and duration, and each retry', async () => {
    const events: string[] = [];
    const clock = new FakeClock();
    const gate = deferred();
    const queue = new WorkQueue({
      clock,
      workers: 1,
      backoff: { random: () => 0 },
      async reconcile(key) {
        await gate.promise;
        clock.current += 1500;
        if (key === 'bad') throw new Error('no');
      },
      hooks: {
        depth: (d) => events.push(`depth ${d}`),
        reconciled: (key, outcome, seconds) => events.push(`${key} ${outcome} ${seconds}s`),
        retry: (key, delay, failures, error) =>
          events.push(`retry ${key} in ${delay}ms #${failures} (${String(error)})`),
      },
    });
    queue.add('good');
    queue.add('bad');
    gate.resolve();
    await queue.idle();
    expect(events).to.deep.equal([
      'depth 1',
      'good success 1.5s',
      'depth 0',
      'bad error 1.5s',
      'retry bad in 2.5ms #1 (Error: no)',
    ]);
  });

  it('on shutdown takes no new work, drops queued and delayed keys, and waits for reconciles in flight', async () => {
    const { queue, runs, gates, clock } = harness({ workers: 1 });
    const inFlight = deferred();
    gates.set('a', inFlight.promise);
    queue.add('a');
    queue.add('b');
    queue.addAfter('c', 1000);
    await settle();
    let drained = false;
    const stopping = queue.shutdown().then(() => (drained = true));
    await settle();
    expect(drained, 'waits for a').to.equal(false);
    queue.add('d');
    inFlight.resolve();
    await stopping;
    expect(drained).to.equal(true);
    expect(clock.pending).to.deep.equal([]);
    await clock.advance(5000);
    expect(runs).to.deep.equal(['a']);
    expect(queue.depth).to.equal(0);
  });

  it('counts a reconcile that throws at once as a failure', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue({
      clock,
      reconcile: () => {
        throw new Error('sync');
      },
    });
    queue.add('x');
    await queue.idle();
    expect(queue.failures('x')).to.equal(1);
    expect(queue.pendingAt('x')).to.be.a('number');
  });
});
