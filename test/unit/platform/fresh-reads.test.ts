import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { FreshReads } from '../../../dataplane/src/platform/fresh-reads.js';
import { caught } from '../../support/caught.js';

describe('FreshReads', () => {
  it('runs at most one read and one queued read per key, however many callers', async () => {
    const reads = new FreshReads<number>();
    let started = 0;
    const load = async () => {
      const n = ++started;
      await sleep(20);
      return n;
    };
    const first = reads.read('k', load);
    const others = Array.from({ length: 50 }, () => reads.read('k', load));
    expect(await first).to.equal(1);
    expect(new Set(await Promise.all(others))).to.deep.equal(new Set([2]));
    expect(started).to.equal(2);
  });

  it('never answers a caller with a read that began before it arrived', async () => {
    const reads = new FreshReads<number>();
    let value = 0;
    const load = async () => {
      const seen = value; // what was committed when this read began
      await sleep(20);
      return seen;
    };
    const early = reads.read('k', load);
    await sleep(5);
    value = 1; // committed after the first read began
    const late = reads.read('k', load);
    expect(await early).to.equal(0);
    expect(await late).to.equal(1);
  });

  it('keys are independent; a failed read fails only its own callers', async () => {
    const reads = new FreshReads<string>();
    const failing = reads.read('a', async () => {
      throw new Error('down');
    });
    const other = reads.read('b', async () => 'b');
    expect(((await caught(failing)) as Error).message).to.equal('down');
    expect(await other).to.equal('b');
    expect(await reads.read('a', async () => 'again')).to.equal('again');
  });
});
