import { expect } from 'chai';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../../operator/src/runtime/backoff.js';

describe('operator runtime: back-off', () => {
  const at = (random: number) => ({ ...DEFAULT_BACKOFF, random: () => random });

  it('doubles from 5 ms per consecutive failure', () => {
    const ceilings = [1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, at(0.999999)));
    expect(ceilings.map(Math.round)).to.deep.equal([5, 10, 20, 40, 80, 2560]);
  });

  it('is capped at 5 minutes, however many failures', () => {
    expect(backoffDelay(17, at(0.999999))).to.be.closeTo(300_000, 1);
    expect(backoffDelay(10_000, at(0.999999))).to.be.closeTo(300_000, 1);
  });

  it('jitters between half the ceiling and the ceiling', () => {
    expect(backoffDelay(3, at(0))).to.equal(10);
    expect(backoffDelay(3, at(0.5))).to.equal(15);
    const seen = Array.from({ length: 200 }, () => backoffDelay(4));
    expect(Math.min(...seen)).to.be.at.least(20);
    expect(Math.max(...seen)).to.be.below(40);
    expect(new Set(seen).size).to.be.greaterThan(100);
  });
});
