import { expect } from 'chai';
import { CircuitBreaker } from '../../../dataplane/src/adapters/circuit-breaker.js';
import { BadRequestError, ConnectionUnavailableError } from '../../../dataplane/src/platform/errors.js';

const fail = () => Promise.reject(new Error('down'));
const succeed = () => Promise.resolve('ok');

function breaker(threshold = 3, coolDownMs = 1_000) {
  const clock = { now: 0 };
  const b = new CircuitBreaker('c1', {
    failureThreshold: threshold,
    coolDownMs,
    now: () => clock.now,
    isFailure: (e) => !(e instanceof BadRequestError),
  });
  return { b, clock };
}

async function failures(b: CircuitBreaker, n: number) {
  for (let i = 0; i < n; i++) await b.run(fail).catch(() => undefined);
}

describe('circuit breaker', () => {
  it('stays closed below the threshold and a success resets the count', async () => {
    const { b } = breaker(3);
    await failures(b, 2);
    expect(b.state).to.equal('closed');
    expect(b.consecutiveFailures).to.equal(2);
    expect(await b.run(succeed)).to.equal('ok');
    expect(b.consecutiveFailures).to.equal(0);
    await failures(b, 2);
    expect(b.state).to.equal('closed');
  });

  it('opens after N consecutive failures and then answers fast without calling', async () => {
    const { b } = breaker(3);
    await failures(b, 3);
    expect(b.state).to.equal('open');
    let called = false;
    const error = await b
      .run(async () => {
        called = true;
      })
      .catch((e: unknown) => e);
    expect(called).to.equal(false);
    expect(error).to.be.instanceOf(ConnectionUnavailableError);
    expect((error as ConnectionUnavailableError).code).to.equal('connection_unavailable');
    expect((error as ConnectionUnavailableError).status).to.equal(503);
    expect((error as ConnectionUnavailableError).retryAfterSeconds).to.equal(1);
  });

  it('turns half-open after the cool-down and a successful trial closes it', async () => {
    const { b, clock } = breaker(2, 1_000);
    await failures(b, 2);
    clock.now = 999;
    expect(b.state).to.equal('open');
    clock.now = 1_000;
    expect(b.state).to.equal('half-open');
    expect(await b.run(succeed)).to.equal('ok');
    expect(b.state).to.equal('closed');
  });

  it('a failed trial re-opens it for a whole new cool-down', async () => {
    const { b, clock } = breaker(2, 1_000);
    await failures(b, 2);
    clock.now = 1_500;
    await failures(b, 1);
    expect(b.state).to.equal('open');
    clock.now = 2_400;
    expect(b.state).to.equal('open');
    clock.now = 2_500;
    expect(b.state).to.equal('half-open');
  });

  it('lets exactly one trial through while half-open', async () => {
    const { b, clock } = breaker(1, 10);
    await failures(b, 1);
    clock.now = 10;
    let release!: () => void;
    const trial = b.run(() => new Promise<string>((resolve) => (release = () => resolve('trial'))));
    const second = await b.run(succeed).catch((e: unknown) => e);
    expect(second).to.be.instanceOf(ConnectionUnavailableError);
    release();
    expect(await trial).to.equal('trial');
    expect(b.state).to.equal('closed');
  });

  it('errors that are not failures of the source neither count nor fail a trial', async () => {
    const { b, clock } = breaker(1, 10);
    for (let i = 0; i < 5; i++)
      await b.run(() => Promise.reject(new BadRequestError('bad query'))).catch(() => 0);
    expect(b.state).to.equal('closed');
    await failures(b, 1);
    clock.now = 10;
    const error = await b
      .run(() => Promise.reject(new BadRequestError('bad query')))
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(BadRequestError);
    expect(b.state).to.equal('closed');
  });

  it('reset closes it', async () => {
    const { b } = breaker(1);
    await failures(b, 1);
    b.reset();
    expect(b.state).to.equal('closed');
    expect(await b.run(succeed)).to.equal('ok');
  });
});
