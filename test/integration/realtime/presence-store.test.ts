import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { createRedis, type Redis } from '../../../dataplane/src/platform/redis.js';
import { MemoryPresenceStore } from '../../../dataplane/src/realtime/presence/memory-presence.store.js';
import {
  usersOf,
  type JoiningMember,
  type PresenceEntry,
  type PresenceMember,
} from '../../../dataplane/src/realtime/presence/presence-member.js';
import { presenceStore } from '../../../dataplane/src/realtime/presence/presence-store.factory.js';
import {
  PresenceUnavailableError,
  type PresenceStore,
} from '../../../dataplane/src/realtime/presence/presence-store.js';
import { RedisPresenceStore } from '../../../dataplane/src/realtime/presence/redis-presence.store.js';
import { caught } from '../../support/caught.js';
import { REDIS_URL } from '../../support/databases.js';
import { eventually } from '../../support/eventually.js';
import { FakeClock } from '../../support/fake-clock.js';

const RA = 'replica-a';
const RB = 'replica-b';
const TYPING_TTL_MS = 2_000;

/**
 * Two replicas' views of one presence store: `a` holds the sockets of replica RA, `b` those of
 * RB. The fake clock drives timestamps and typing expiry in both implementations.
 */
interface Replicas {
  a: PresenceStore;
  b: PresenceStore;
  clock: FakeClock;
  /** Returns once RA's heartbeat has lapsed, RB's still holding. */
  lapseA(): Promise<void>;
  close(): Promise<void>;
}

const member = (replicaId: string, userId: string, extra: Partial<JoiningMember> = {}): JoiningMember => ({
  socketId: `s-${randomUUID()}`,
  userId,
  replicaId,
  ...extra,
});

const sockets = (members: readonly PresenceMember[]) => members.map((m) => m.socketId);
const entryKeys = (entries: readonly PresenceEntry[]) =>
  entries.map((e) => `${e.resourceId} ${e.member.socketId}`).sort();

/** The presence contract, run against both stores. */
function describePresenceStore(name: string, create: () => Promise<Replicas>): void {
  describe(`PresenceStore contract: ${name}`, () => {
    let a: PresenceStore;
    let b: PresenceStore;
    let clock: FakeClock;
    let replicas: Replicas;
    const res = () => `table:${randomUUID()}`;

    beforeEach(async () => {
      replicas = await create();
      ({ a, b, clock } = replicas);
      await a.heartbeat(RA);
      await b.heartbeat(RB);
    });
    afterEach(() => replicas.close());

    it('answers a join with the members after it, the joiner included, oldest first, as others list them', async () => {
      const table = res();
      const ann = member(RA, 'u-ann', { displayName: 'Ann' });
      const bob = member(RB, 'u-bob');
      const first = await a.join(table, ann);
      expect(first).to.deep.equal([
        { ...ann, status: 'active', joinedAt: clock.now(), lastActiveAt: clock.now() },
      ]);
      clock.advance(10);
      const second = await b.join(table, bob);
      expect(sockets(second)).to.deep.equal([ann.socketId, bob.socketId]);
      expect(second[1]).to.include({ status: 'active', joinedAt: clock.now(), replicaId: RB });
      expect(await a.list(table)).to.deep.equal(second);
      expect(await b.list(res())).to.deep.equal([]);
    });

    it('keeps resources apart, and a user with two tabs as two members', async () => {
      const [table, view] = [res(), res()];
      const tab1 = member(RA, 'u-ann');
      const tab2 = member(RB, 'u-ann');
      await a.join(table, tab1);
      await a.join(view, tab1);
      await b.join(table, tab2);
      const members = await b.list(table);
      expect(sockets(members).sort()).to.deep.equal([tab1.socketId, tab2.socketId].sort());
      expect(usersOf(members).map((u) => [u.userId, u.members.length])).to.deep.equal([['u-ann', 2]]);

      expect((await a.leave(table, tab1.socketId))?.socketId).to.equal(tab1.socketId);
      expect(sockets(await b.list(table))).to.deep.equal([tab2.socketId]);
      expect(sockets(await b.list(view))).to.deep.equal([tab1.socketId]);
    });

    it('returns the member a leave removed once, then undefined', async () => {
      const table = res();
      const ann = member(RA, 'u-ann');
      await a.join(table, ann);
      expect(await a.leave(table, ann.socketId)).to.include({ socketId: ann.socketId, userId: 'u-ann' });
      expect(await a.leave(table, ann.socketId)).to.equal(undefined);
      expect(await b.leave(table, 'no-such-socket')).to.equal(undefined);
      expect(await b.list(table)).to.deep.equal([]);
    });

    it('replaces the member of a socket that joins again', async () => {
      const table = res();
      const ann = member(RA, 'u-ann', { displayName: 'Ann' });
      await a.join(table, ann);
      clock.advance(5);
      const again = await a.join(table, { ...ann, displayName: 'Ann B.', status: 'idle' });
      expect(again).to.have.length(1);
      expect(again[0]).to.include({ displayName: 'Ann B.', status: 'idle', joinedAt: clock.now() });
    });

    it('takes a disconnected socket off every resource once, from any replica', async () => {
      const [t1, t2, t3] = [res(), res(), res()];
      const ann = member(RA, 'u-ann');
      const bob = member(RB, 'u-bob');
      for (const table of [t1, t2, t3]) await a.join(table, ann);
      await b.join(t1, bob);

      const left = await a.leaveAll(ann.socketId);
      expect(entryKeys(left)).to.deep.equal([t1, t2, t3].map((t) => `${t} ${ann.socketId}`).sort());
      expect(left.every((e) => e.member.userId === 'u-ann')).to.equal(true);
      expect(await a.leaveAll(ann.socketId)).to.deep.equal([]);
      expect(sockets(await b.list(t1))).to.deep.equal([bob.socketId]);
      expect(await b.list(t2)).to.deep.equal([]);

      // The socket's own replica need not be the one that cleans up.
      const carl = member(RA, 'u-carl');
      await a.join(t2, carl);
      expect(entryKeys(await b.leaveAll(carl.socketId))).to.deep.equal([`${t2} ${carl.socketId}`]);
      expect(await a.list(t2)).to.deep.equal([]);
    });

    it('updates cursor, status and activity; null clears; an absent socket is undefined and never joins', async () => {
      const table = res();
      const ann = member(RA, 'u-ann');
      await a.join(table, ann);
      clock.advance(100);
      const moved = await a.update(table, ann.socketId, {
        cursor: { rowId: 'r1', columnId: 'c1' },
        lastActiveAt: clock.now(),
      });
      expect(moved).to.deep.include({ cursor: { rowId: 'r1', columnId: 'c1' }, lastActiveAt: clock.now() });
      expect((await b.list(table))[0]).to.deep.equal(moved);

      const idle = await a.update(table, ann.socketId, { status: 'idle', cursor: { rowId: 'r2' } });
      expect(idle).to.deep.include({ status: 'idle', cursor: { rowId: 'r2' } });
      const cleared = await a.update(table, ann.socketId, { cursor: null });
      expect(cleared).to.not.have.property('cursor');
      expect(await b.list(table)).to.deep.equal([cleared]);

      expect(await b.update(table, 'no-such-socket', { status: 'away' })).to.equal(undefined);
      expect(await a.update(res(), ann.socketId, { status: 'away' })).to.equal(undefined);
      expect(sockets(await a.list(table))).to.deep.equal([ann.socketId]);
    });

    it('shows typing until the typing TTL passes without a renewal', async () => {
      const table = res();
      const ann = member(RA, 'u-ann');
      await a.join(table, ann);
      const typing = { rowId: 'r1', columnId: 'c-notes' };
      expect(await a.update(table, ann.socketId, { typing })).to.deep.include({ typing });
      clock.advance(TYPING_TTL_MS - 500);
      // Another change does not renew it.
      await a.update(table, ann.socketId, { cursor: { rowId: 'r1' } });
      expect((await b.list(table))[0]).to.deep.include({ typing });
      clock.advance(500);
      expect((await b.list(table))[0]).to.not.have.property('typing');
      expect(await a.update(table, ann.socketId, { status: 'idle' })).to.not.have.property('typing');

      // Typing again renews it for a whole TTL.
      await a.update(table, ann.socketId, { typing });
      clock.advance(TYPING_TTL_MS - 1);
      await a.update(table, ann.socketId, { typing });
      clock.advance(TYPING_TTL_MS - 1);
      expect((await b.list(table))[0]).to.deep.include({ typing, cursor: { rowId: 'r1' } });
      expect(await a.update(table, ann.socketId, { typing: null })).to.not.have.property('typing');
      expect((await b.list(table))[0]).to.not.have.property('typing');
    });

    it('hides a lapsed replica’s members at once; sweep deletes them, reported once though two replicas sweep together', async () => {
      const [t1, t2] = [res(), res()];
      const ann = member(RA, 'u-ann');
      const bob = member(RB, 'u-bob');
      await a.join(t1, ann);
      await a.join(t2, ann);
      await b.join(t1, bob);
      expect(await b.list(t1)).to.have.length(2);

      await replicas.lapseA();
      expect(sockets(await b.list(t1))).to.deep.equal([bob.socketId]);
      expect(await b.list(t2)).to.deep.equal([]);

      const [byA, byB] = await Promise.all([a.sweep(), b.sweep()]);
      const swept = [...byA, ...byB];
      expect(entryKeys(swept)).to.deep.equal([`${t1} ${ann.socketId}`, `${t2} ${ann.socketId}`].sort());
      expect(swept[0]?.member).to.include({ userId: 'u-ann', replicaId: RA });
      expect(await b.sweep()).to.deep.equal([]);
      expect(await b.leave(t1, ann.socketId)).to.equal(undefined);
      expect(sockets(await b.list(t1))).to.deep.equal([bob.socketId]);
    });

    it('gives a replica that heartbeats again after a sweep its members back, once', async () => {
      const table = res();
      const ann = member(RA, 'u-ann');
      await a.join(table, ann);
      await replicas.lapseA();
      expect(entryKeys(await b.sweep())).to.deep.equal([`${table} ${ann.socketId}`]);

      const back = await a.heartbeat(RA);
      expect(entryKeys(back.restored)).to.deep.equal([`${table} ${ann.socketId}`]);
      expect(back.removed).to.deep.equal([]);
      expect(sockets(await b.list(table))).to.deep.equal([ann.socketId]);
      expect(await a.heartbeat(RA)).to.deep.equal({ restored: [], removed: [] });
      expect(await b.sweep()).to.deep.equal([]);
    });

    it('lists no members of a replica that never heartbeated, and sweeps them', async () => {
      const table = res();
      const ghost = member('replica-never', 'u-ghost');
      expect(await a.join(table, ghost)).to.deep.equal([]);
      expect(entryKeys(await b.sweep())).to.deep.equal([`${table} ${ghost.socketId}`]);
    });

    it('expects heartbeats every third of the replica TTL', () => {
      expect(a.timing.heartbeatMs).to.equal(Math.floor(a.timing.replicaTtlMs / 3));
      expect(a.timing.typingTtlMs).to.equal(TYPING_TTL_MS);
    });
  });
}

describePresenceStore('MemoryPresenceStore', async () => {
  const clock = new FakeClock();
  const replicaTtlMs = 60_000;
  const store = new MemoryPresenceStore({ replicaTtlMs, typingTtlMs: TYPING_TTL_MS, now: () => clock.now() });
  return {
    a: store,
    b: store,
    clock,
    lapseA: async () => {
      clock.advance(replicaTtlMs + 1);
      await store.heartbeat(RB);
    },
    close: async () => undefined,
  };
});

describePresenceStore('RedisPresenceStore', async () => {
  const clock = new FakeClock();
  const clients: Redis[] = [
    createRedis(REDIS_URL, 'presence-test-a'),
    createRedis(REDIS_URL, 'presence-test-b'),
  ];
  const [one, two] = clients as [Redis, Redis];
  const keyPrefix = `lt:test-presence:${randomUUID()}:`;
  const options = { keyPrefix, now: () => clock.now(), replicaTtlMs: 60_000, typingTtlMs: TYPING_TTL_MS };
  return {
    a: new RedisPresenceStore(one, options),
    b: new RedisPresenceStore(two, options),
    clock,
    // RA's heartbeat key runs out by its own TTL (Redis's clock), cut short to 50 ms.
    lapseA: async () => {
      expect(await one.pexpire(`${keyPrefix}alive:${RA}`, 50)).to.equal(1);
      await sleep(100);
    },
    close: async () => {
      await deleteKeys(one, keyPrefix);
      await Promise.all(clients.map((c) => c.quit()));
    },
  };
});

async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  if (keys.length > 0) await redis.del(...keys);
}

describe('RedisPresenceStore', () => {
  let redis: Redis;
  let keyPrefix: string;
  beforeEach(() => {
    redis = createRedis(REDIS_URL, 'presence-test');
    keyPrefix = `lt:test-presence:${randomUUID()}:`;
  });
  afterEach(async () => {
    await deleteKeys(redis, keyPrefix);
    await redis.quit();
  });

  it('keeps a heartbeat key with the replica TTL, and no other key once everyone left', async () => {
    const store = new RedisPresenceStore(redis, { keyPrefix, replicaTtlMs: 10_000 });
    await store.heartbeat(RA);
    const ttl = await redis.pttl(`${keyPrefix}alive:${RA}`);
    expect(ttl).to.be.within(1, 10_000);

    const ann = member(RA, 'u-ann');
    await store.join('t1', ann);
    await store.join('t2', ann);
    await store.join('t2', member(RA, 'u-bob'));
    // alive, replicas, replica, two res hashes, two sock sets
    expect(await keysUnder(redis, keyPrefix)).to.have.length(7);
    await store.leaveAll(ann.socketId);
    const bob = (await store.list('t2'))[0] as PresenceMember;
    await store.leave('t2', bob.socketId);
    expect(await keysUnder(redis, keyPrefix)).to.deep.equal([
      `${keyPrefix}alive:${RA}`,
      `${keyPrefix}replicas`,
    ]);
  });

  it('leaves no key of a dead replica behind once swept', async () => {
    const dying = new RedisPresenceStore(redis, { keyPrefix, replicaTtlMs: 100 });
    const sweeper = new RedisPresenceStore(redis, { keyPrefix, replicaTtlMs: 60_000 });
    await dying.heartbeat(RA);
    await sweeper.heartbeat(RB);
    await dying.join('t1', member(RA, 'u-ann'));
    await dying.join('t2', member(RA, 'u-bob'));
    await sleep(200);
    expect(await sweeper.sweep()).to.have.length(2);
    expect(await keysUnder(redis, keyPrefix)).to.deep.equal([
      `${keyPrefix}alive:${RB}`,
      `${keyPrefix}replicas`,
    ]);
    expect(await redis.smembers(`${keyPrefix}replicas`)).to.deep.equal([RB]);
  });

  it('drops, on its first heartbeat, what a former run under the same replica id left', async () => {
    const former = new RedisPresenceStore(redis, { keyPrefix });
    await former.heartbeat(RA);
    const ann = member(RA, 'u-ann');
    await former.join('t1', ann);

    const restarted = new RedisPresenceStore(redis, { keyPrefix });
    const kept = member(RA, 'u-bob');
    await restarted.join('t1', kept); // joined before its first heartbeat: kept, not "restored"
    const first = await restarted.heartbeat(RA);
    expect(entryKeys(first.removed)).to.deep.equal([`t1 ${ann.socketId}`]);
    expect(first.restored).to.deep.equal([]);
    expect(sockets(await restarted.list('t1'))).to.deep.equal([kept.socketId]);
  });

  it('fails fast while its connection is lost; the next heartbeat puts Redis back in line', async () => {
    const proxy = await tcpProxy(new URL(REDIS_URL));
    const cut = createRedis(proxy.url, 'presence-test-outage');
    cut.on('error', () => undefined);
    try {
      const replica = new RedisPresenceStore(cut, { keyPrefix, replicaTtlMs: 60_000 });
      const observer = new RedisPresenceStore(redis, { keyPrefix });
      const [ann, bob, carl] = [member(RA, 'u-ann'), member(RA, 'u-bob'), member(RA, 'u-carl')];
      await replica.heartbeat(RA);
      await replica.join('t1', ann);
      await replica.join('t1', bob);

      await proxy.cut();
      await eventually(async () => expect(cut.status).to.not.equal('ready'));
      const failures = await Promise.all([
        caught(replica.leave('t1', bob.socketId)),
        caught(replica.join('t1', carl)),
        caught(replica.update('t1', ann.socketId, { cursor: { rowId: 'r9' } })),
        caught(replica.heartbeat(RA)),
      ]);
      for (const failure of failures) expect(failure).to.be.instanceOf(PresenceUnavailableError);
      // Meanwhile Redis still shows bob, who left, and not carl, who joined.
      expect(sockets(await observer.list('t1')).sort()).to.deep.equal([ann.socketId, bob.socketId].sort());

      await proxy.restore();
      await eventually(async () => expect(cut.status).to.equal('ready'));
      const back = await replica.heartbeat(RA);
      expect(entryKeys(back.removed)).to.deep.equal([`t1 ${bob.socketId}`]);
      expect(entryKeys(back.restored)).to.deep.equal([`t1 ${carl.socketId}`]);
      const listed = await observer.list('t1');
      expect(sockets(listed).sort()).to.deep.equal([ann.socketId, carl.socketId].sort());
      expect(listed.find((m) => m.socketId === ann.socketId)).to.deep.include({ cursor: { rowId: 'r9' } });
    } finally {
      cut.disconnect();
      await proxy.cut();
    }
  });

  it('rejects with the ioredis error, without hanging, when Redis was never reachable', async () => {
    // Nothing listens on port 1: the client's retries run out (createRedis allows two).
    const down = createRedis('redis://127.0.0.1:1', 'presence-test-down');
    down.on('error', () => undefined);
    try {
      const store = new RedisPresenceStore(down, { keyPrefix });
      const error = await caught(store.join('t1', member(RA, 'u-ann')));
      expect(error).to.be.instanceOf(Error);
      expect(error).to.not.be.instanceOf(PresenceUnavailableError);
      expect((error as Error).name).to.equal('MaxRetriesPerRequestError');
    } finally {
      down.disconnect();
    }
  });

  it('is what the factory makes with a Redis client, the memory store without', () => {
    expect(presenceStore(redis)).to.be.instanceOf(RedisPresenceStore);
    expect(presenceStore(undefined, { replicaTtlMs: 9_000 })).to.be.instanceOf(MemoryPresenceStore);
    expect(presenceStore(undefined, { replicaTtlMs: 9_000 }).timing).to.deep.equal({
      replicaTtlMs: 9_000,
      heartbeatMs: 3_000,
      typingTtlMs: 5_000,
    });
  });
});

/** A TCP proxy to Redis that the test can cut (refusing connections) and restore on the same port. */
async function tcpProxy(
  target: URL,
): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void> }> {
  const open = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = async () => {
    const listening = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 6379), target.hostname);
      for (const socket of [client, upstream]) {
        open.add(socket);
        socket.on('close', () => open.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    listening.listen(port, '127.0.0.1');
    await once(listening, 'listening');
    port = (listening.address() as net.AddressInfo).port;
    server = listening;
  };
  await listen();
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: async () => {
      const closing = server;
      server = undefined;
      for (const socket of open) socket.destroy();
      if (closing) await new Promise((resolve) => closing.close(resolve));
    },
    restore: listen,
  };
}
