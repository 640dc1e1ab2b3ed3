import { expect } from 'chai';
import {
  findCondition,
  isConditionTrue,
  sameConditions,
  setCondition,
  setConditions,
} from '../../../../operator/src/resources/conditions.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');

describe('operator conditions', () => {
  it('adds a condition with its transition time and the observed generation', () => {
    const list = setCondition(
      undefined,
      { type: 'Ready', status: 'False', reason: 'Provisioning', message: 'creating' },
      2,
      t0,
    );
    expect(list).to.deep.equal([
      {
        type: 'Ready',
        status: 'False',
        reason: 'Provisioning',
        message: 'creating',
        lastTransitionTime: t0.toISOString(),
        observedGeneration: 2,
      },
    ]);
  });

  it('keeps lastTransitionTime while the status stays, updating reason, message and generation', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'A', message: 'one' }, 1, t0);
    const second = setCondition(
      first,
      { type: 'Ready', status: 'False', reason: 'B', message: 'two' },
      2,
      t1,
    );
    expect(second[0]).to.deep.equal({
      type: 'Ready',
      status: 'False',
      reason: 'B',
      message: 'two',
      lastTransitionTime: t0.toISOString(),
      observedGeneration: 2,
    });
    expect(first[0]?.reason, 'the input is not changed').to.equal('A');
  });

  it('moves lastTransitionTime when the status changes', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'A', message: '' }, 1, t0);
    const second = setCondition(
      first,
      { type: 'Ready', status: 'True', reason: 'Ready', message: '' },
      1,
      t1,
    );
    expect(second[0]?.lastTransitionTime).to.equal(t1.toISOString());
  });

  it('keeps the order of other conditions and appends new types', () => {
    const list = setConditions(
      [],
      [
        { type: 'DatabaseReady', status: 'True', reason: 'SchemaCreated', message: '' },
        { type: 'DataPlaneAvailable', status: 'False', reason: 'Waiting', message: '' },
        { type: 'Ready', status: 'False', reason: 'Waiting', message: '' },
      ],
      4,
      t0,
    );
    const next = setCondition(
      list,
      { type: 'DataPlaneAvailable', status: 'True', reason: 'Available', message: '' },
      4,
      t1,
    );
    expect(next.map((c) => c.type)).to.deep.equal(['DatabaseReady', 'DataPlaneAvailable', 'Ready']);
    expect(isConditionTrue(next, 'DataPlaneAvailable')).to.equal(true);
    expect(isConditionTrue(next, 'Ready')).to.equal(false);
    expect(isConditionTrue(next, 'Missing')).to.equal(false);
    expect(findCondition(next, 'DatabaseReady')?.reason).to.equal('SchemaCreated');
  });

  it('caps the message at metav1.Condition’s 32768 characters', () => {
    const list = setCondition(
      [],
      { type: 'Ready', status: 'False', reason: 'Failed', message: 'x'.repeat(40_000) },
      1,
      t0,
    );
    expect(list[0]?.message).to.have.length(32768);
  });

  it('tells whether two lists say the same, whatever the key order', () => {
    const list = setCondition([], { type: 'Ready', status: 'True', reason: 'Ready', message: 'ok' }, 1, t0);
    const reordered = list.map((c) => Object.fromEntries(Object.entries(c).reverse()) as typeof c);
    expect(sameConditions(list, reordered)).to.equal(true);
    expect(
      sameConditions(
        list,
        setCondition(list, { type: 'Ready', status: 'True', reason: 'Ready', message: 'ok' }, 2, t1),
      ),
    ).to.equal(false);
    expect(sameConditions(undefined, [])).to.equal(true);
  });
});
