import { expect } from 'chai';
import { backoffDelay, retryWithBackoff } from '../../../dataplane/src/adapters/retry.js';

describe('retry with back-off', () => {
  it('doubles the delay per retry, capped, with half of it jittered', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1_000, factor: 2 };
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, options, () => 0))).to.deep.equal([
      50, 100, 200, 400, 500, 500,
    ]);
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, options, () => 0.999999))).to.deep.equal([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(backoffDelay(2, options, () => 0.5)).to.equal(300);
  });

  it('retries until success and sleeps the back-off between attempts (fake sleep, no waiting)', async () => {
    const slept: number[] = [];
    let calls = 0;
    const value = await retryWithBackoff(
      async (attempt) => {
        calls += 1;
        if (attempt < 2) throw new Error(`fail ${attempt}`);
        return 'connected';
      },
      { attempts: 5, baseDelayMs: 100, sleep: async (ms) => void slept.push(ms), random: () => 0.5 },
    );
    expect(value).to.equal('connected');
    expect(calls).to.equal(3);
    expect(slept).to.deep.equal([75, 150]);
  });

  it('gives up after the configured attempts with the last error', async () => {
    const slept: number[] = [];
    let calls = 0;
    const error = await retryWithBackoff(
      async (attempt) => {
        calls += 1;
        throw new Error(`fail ${attempt}`);
      },
      {
        attempts: 4,
        baseDelayMs: 10,
        maxDelayMs: 25,
        sleep: async (ms) => void slept.push(ms),
        random: () => 0,
      },
    ).catch((e: Error) => e);
    expect(calls).to.equal(4);
    expect((error as Error).message).to.equal('fail 3');
    expect(slept).to.deep.equal([5, 10, 13]);
  });

  it('does not retry errors shouldRetry refuses', async () => {
    let calls = 0;
    const error = await retryWithBackoff(
      async () => {
        calls += 1;
        throw new Error('password authentication failed');
      },
      { attempts: 5, shouldRetry: () => false, sleep: async () => undefined },
    ).catch((e: Error) => e);
    expect(calls).to.equal(1);
    expect((error as Error).message).to.match(/password/);
  });
});
