import { expect } from 'chai';
import { MemoryPresenceStore } from '../../../dataplane/src/realtime/presence/memory-presence.store.js';
import type { PresenceEntry } from '../../../dataplane/src/realtime/presence/presence-member.js';
import type { HeartbeatResult } from '../../../dataplane/src/realtime/presence/presence-store.js';
import { startPresenceUpkeep } from '../../../dataplane/src/realtime/presence/presence-upkeep.js';
import { FakeClock } from '../../support/fake-clock.js';

/** Lets the store's promises and the upkeep's continuations run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('startPresenceUpkeep', () => {
  let clock: FakeClock;
  let store: MemoryPresenceStore;
  beforeEach(() => {
    clock = new FakeClock();
    store = new MemoryPresenceStore({ replicaTtlMs: 3_000, now: () => clock.now() }); // heartbeats every 1 s
  });

  it('heartbeats at once and every heartbeatMs, so the replica stays listed', async () => {
    const upkeep = startPresenceUpkeep(store, 'r1', {}, clock);
    await upkeep.ready;
    await store.join('t1', { socketId: 's1', userId: 'u1', replicaId: 'r1' });
    for (let i = 0; i < 10; i++) {
      clock.advance(1_000);
      await settle();
    }
    expect(await store.list('t1')).to.have.length(1);
    upkeep.stop();
    clock.advance(3_000);
    expect(await store.list('t1')).to.deep.equal([]);
    expect(clock.timers).to.equal(0);
  });

  it('reports the members of a dead replica it swept, and what its heartbeat restored', async () => {
    const swept: PresenceEntry[][] = [];
    const restored: PresenceEntry[][] = [];
    await store.heartbeat('r2');
    await store.join('t1', { socketId: 's2', userId: 'u2', replicaId: 'r2' });
    const upkeep = startPresenceUpkeep(store, 'r1', { onSwept: (e) => swept.push(e) }, clock);
    await upkeep.ready;
    expect(swept).to.deep.equal([]);
    clock.advance(3_000); // r2 never heartbeats again
    await settle();
    expect(swept.map((entries) => entries.map((e) => e.member.socketId))).to.deep.equal([['s2']]);
    clock.advance(5_000);
    await settle();
    expect(swept).to.have.length(1);
    upkeep.stop();

    // r2 comes back: its own upkeep announces its members again.
    const back = startPresenceUpkeep(store, 'r2', { onRestored: (e) => restored.push(e) }, clock);
    await back.ready;
    expect(restored.map((entries) => entries.map((e) => e.member.socketId))).to.deep.equal([['s2']]);
    back.stop();
  });

  it('keeps going after a failed round, telling onError which task failed', async () => {
    let failures = 2;
    const flaky = new (class extends MemoryPresenceStore {
      override async heartbeat(replicaId: string): Promise<HeartbeatResult> {
        if (failures-- > 0) throw new Error('Connection is closed.');
        return super.heartbeat(replicaId);
      }
    })({ replicaTtlMs: 3_000, now: () => clock.now() });
    const errors: string[] = [];
    const upkeep = startPresenceUpkeep(
      flaky,
      'r1',
      { onError: (e, task) => errors.push(`${task}: ${String(e)}`) },
      clock,
    );
    await upkeep.ready;
    clock.advance(1_000);
    await settle();
    clock.advance(1_000);
    await settle();
    expect(errors).to.deep.equal([
      'heartbeat: Error: Connection is closed.',
      'heartbeat: Error: Connection is closed.',
    ]);
    await flaky.join('t1', { socketId: 's1', userId: 'u1', replicaId: 'r1' });
    expect(await flaky.list('t1')).to.have.length(1); // the third round heartbeated
    upkeep.stop();
  });
});
