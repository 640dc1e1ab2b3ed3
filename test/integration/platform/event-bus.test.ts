import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  BUS_GAP,
  MemoryEventBus,
  RedisEventBus,
  type DomainEvent,
  type EventBus,
} from '../../../dataplane/src/platform/event-bus.js';
import { createLogger } from '../../../dataplane/src/platform/logger.js';
import { createRedis, type Redis } from '../../../dataplane/src/platform/redis.js';
import { REDIS_URL } from '../../support/databases.js';

const log = createLogger('silent');

function event(type: string, payload: Record<string, unknown> = {}): DomainEvent {
  return { type, workspaceId: randomUUID(), actorId: null, at: new Date().toISOString(), payload };
}

/** Collects events; `waitFor` resolves once `count` have arrived (mocha's timeout bounds it). */
class Inbox {
  readonly events: DomainEvent[] = [];
  private waiters: (() => void)[] = [];
  readonly handler = (e: DomainEvent): void => {
    this.events.push(e);
    for (const wake of this.waiters.splice(0)) wake();
  };
  async waitFor(count: number): Promise<DomainEvent[]> {
    while (this.events.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.events;
  }
  types(): string[] {
    return this.events.map((e) => e.type);
  }
}

interface BusFixture {
  /** A bus as one replica sees it; calling twice gives two replicas sharing the transport. */
  replica(): Promise<EventBus>;
  close(): Promise<void>;
}

/** The contract every EventBus honours; run once per implementation. */
function describeEventBus(name: string, create: () => BusFixture): void {
  describe(`EventBus contract: ${name}`, () => {
    let fixture: BusFixture;
    let bus: EventBus;
    before(async () => {
      fixture = create();
      bus = await fixture.replica();
    });
    after(() => fixture.close());

    it('delivers a published event, intact, to every subscriber', async () => {
      const [a, b, c] = [new Inbox(), new Inbox(), new Inbox()];
      const offs = [a, b, c].map((inbox) => bus.subscribe(inbox.handler));
      const sent = event('row.created', { rowId: 'r1', values: { name: 'Zoë 🚀', n: 1.5, none: null } });
      await bus.publish(sent);
      for (const inbox of [a, b, c]) expect(await inbox.waitFor(1)).to.deep.equal([sent]);
      offs.forEach((off) => off());
    });

    it('delivers events in the order they were published', async () => {
      const inbox = new Inbox();
      const off = bus.subscribe(inbox.handler);
      for (let i = 0; i < 20; i++) await bus.publish(event(`e${i}`));
      await inbox.waitFor(20);
      expect(inbox.types()).to.deep.equal(Array.from({ length: 20 }, (_, i) => `e${i}`));
      off();
    });

    it('stops delivering to a handler once it unsubscribes', async () => {
      const [gone, stays] = [new Inbox(), new Inbox()];
      const offGone = bus.subscribe(gone.handler);
      const offStays = bus.subscribe(stays.handler);
      await bus.publish(event('before'));
      await gone.waitFor(1);
      await stays.waitFor(1);
      offGone();
      await bus.publish(event('after'));
      await bus.publish(event('marker'));
      await stays.waitFor(3);
      expect(stays.types()).to.deep.equal(['before', 'after', 'marker']);
      expect(gone.types()).to.deep.equal(['before']);
      offStays();
    });

    it('a throwing or rejecting handler neither stops the others nor fails the publisher', async () => {
      const inbox = new Inbox();
      const offs = [
        bus.subscribe(() => {
          throw new Error('handler exploded');
        }),
        bus.subscribe(async () => {
          throw new Error('async handler exploded');
        }),
        bus.subscribe(inbox.handler),
      ];
      await bus.publish(event('first'));
      await bus.publish(event('second'));
      await inbox.waitFor(2);
      expect(inbox.types()).to.deep.equal(['first', 'second']);
      offs.forEach((off) => off());
    });

    it("has told this process's subscribers by the time publish returns", async () => {
      const seen: string[] = [];
      const off = bus.subscribe((e) => void seen.push(e.type));
      await bus.publish(event('told-at-once'));
      expect(seen).to.deep.equal(['told-at-once']);
      off();
    });

    it('waits for the handlers subscribed as awaited before publish returns, and for no other', async () => {
      let awaitedDone = false;
      let plainDone = false;
      const offs = [
        bus.subscribe(
          async () => {
            await new Promise((resolve) => setTimeout(resolve, 30));
            awaitedDone = true;
          },
          { awaited: true },
        ),
        bus.subscribe(async () => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          plainDone = true;
        }),
        bus.subscribe(
          async () => {
            throw new Error('an awaited handler that fails is only logged');
          },
          { awaited: true },
        ),
      ];
      await bus.publish(event('waited-for'));
      expect([awaitedDone, plainDone]).to.deep.equal([true, false]);
      offs.forEach((off) => off());
    });

    it('a publish with no subscribers is fine', async () => {
      await bus.publish(event('nobody-listens'));
    });
  });
}

describeEventBus('MemoryEventBus', () => {
  const buses: EventBus[] = [];
  return {
    replica: async () => {
      const bus = new MemoryEventBus(log);
      buses.push(bus);
      return bus;
    },
    close: async () => void (await Promise.all(buses.map((b) => b.close()))),
  };
});

/** Each replica gets its own publisher and subscriber connections, like separate processes. */
function redisBuses(channel: string): BusFixture {
  const clients: Redis[] = [];
  const buses: EventBus[] = [];
  return {
    async replica() {
      const publisher = createRedis(REDIS_URL, 'test-bus-pub');
      const subscriber = createRedis(REDIS_URL, 'test-bus-sub');
      clients.push(publisher, subscriber);
      const bus = new RedisEventBus(publisher, subscriber, log, channel);
      buses.push(bus);
      // Commands run in order on one connection: once this resolves, the bus is subscribed too.
      await subscriber.subscribe(channel);
      return bus;
    },
    async close() {
      await Promise.all(buses.map((b) => b.close()));
      await Promise.all(clients.map((c) => c.quit()));
    },
  };
}

describeEventBus('RedisEventBus', () => redisBuses(`lt:test:events:${randomUUID()}`));

describe('RedisEventBus across replicas', () => {
  const fixture = redisBuses(`lt:test:events:${randomUUID()}`);
  let one: EventBus;
  let two: EventBus;
  before(async () => {
    one = await fixture.replica();
    two = await fixture.replica();
  });
  after(() => fixture.close());

  it('an event published on one replica reaches the subscribers of both', async () => {
    const [onOne, onTwo] = [new Inbox(), new Inbox()];
    const offs = [one.subscribe(onOne.handler), two.subscribe(onTwo.handler)];
    const sent = event('workspace.updated', { name: 'Acme' });
    await one.publish(sent);
    expect(await onOne.waitFor(1)).to.deep.equal([sent]);
    expect(await onTwo.waitFor(1)).to.deep.equal([sent]);
    offs.forEach((off) => off());
  });

  it('both replicas publish and both receive everything', async () => {
    const [onOne, onTwo] = [new Inbox(), new Inbox()];
    const offs = [one.subscribe(onOne.handler), two.subscribe(onTwo.handler)];
    await one.publish(event('from-one'));
    await two.publish(event('from-two'));
    await onOne.waitFor(2);
    await onTwo.waitFor(2);
    expect(onOne.types()).to.have.members(['from-one', 'from-two']);
    expect(onTwo.types()).to.have.members(['from-one', 'from-two']);
    offs.forEach((off) => off());
  });

  it('a localOnly handler hears only what its own replica publishes', async () => {
    const [local, all] = [new Inbox(), new Inbox()];
    const offs = [two.subscribe(local.handler, { localOnly: true }), two.subscribe(all.handler)];
    await one.publish(event('from-one'));
    await two.publish(event('from-two'));
    await all.waitFor(2);
    expect(local.types()).to.deep.equal(['from-two']);
    offs.forEach((off) => off());
  });

  it('the publishing replica receives its own event once, not again through Redis', async () => {
    const [onOne, onTwo] = [new Inbox(), new Inbox()];
    const offs = [one.subscribe(onOne.handler), two.subscribe(onTwo.handler)];
    await one.publish(event('mine'));
    await two.publish(event('marker'));
    await onOne.waitFor(2); // 'marker' comes through Redis, after any echo of 'mine' would have
    expect(onOne.types()).to.deep.equal(['mine', 'marker']);
    // Replica two hears its own 'marker' at once and 'mine' through Redis: either order.
    expect((await onTwo.waitFor(2)).map((e) => e.type)).to.have.members(['mine', 'marker']);
    offs.forEach((off) => off());
  });

  it('tells its subscribers of a gap when the subscriber connection drops and again once it is back', async () => {
    const inbox = new Inbox();
    const off = two.subscribe(inbox.handler);
    const admin = createRedis(REDIS_URL, 'test-bus-admin');
    try {
      // Kill replica two's subscriber connection server-side, as a network drop would.
      const clients = (await admin.client('LIST')) as string;
      const ids = clients
        .split('\n')
        .filter((line) => / name=live-tables:test-bus-sub /.test(line) && / sub=1 /.test(line))
        .map((line) => /\bid=(\d+)/.exec(line)?.[1]);
      expect(ids.length).to.be.greaterThan(0);
      for (const id of ids) await admin.client('KILL', 'ID', String(id));
      const gaps = await inbox.waitFor(2);
      expect(gaps.map((e) => e.type)).to.deep.equal([BUS_GAP, BUS_GAP]);
      expect(gaps.map((e) => e.payload.reason)).to.deep.equal([
        'subscriber disconnected',
        'subscriber reconnected',
      ]);
      // Subscribed again: replica one's events reach replica two.
      await one.publish(event('after-the-gap'));
      expect((await inbox.waitFor(3))[2]?.type).to.equal('after-the-gap');
    } finally {
      off();
      await admin.quit();
    }
  });

  it('a bus on another channel hears nothing', async () => {
    const other = redisBuses(`lt:test:events:${randomUUID()}`);
    try {
      const elsewhere = await other.replica();
      const [stray, local] = [new Inbox(), new Inbox()];
      const offs = [elsewhere.subscribe(stray.handler), one.subscribe(local.handler)];
      await one.publish(event('here'));
      await elsewhere.publish(event('there'));
      await local.waitFor(1);
      await stray.waitFor(1);
      expect(local.types()).to.deep.equal(['here']);
      expect(stray.types()).to.deep.equal(['there']);
      offs.forEach((off) => off());
    } finally {
      await other.close();
    }
  });
});

describe('MemoryEventBus replicas', () => {
  it('are separate processes: nothing crosses between two instances', async () => {
    const [one, two] = [new MemoryEventBus(log), new MemoryEventBus(log)];
    const [onOne, onTwo] = [new Inbox(), new Inbox()];
    one.subscribe(onOne.handler);
    two.subscribe(onTwo.handler);
    await one.publish(event('only-one'));
    await two.publish(event('only-two'));
    await onOne.waitFor(1);
    await onTwo.waitFor(1);
    expect(onOne.types()).to.deep.equal(['only-one']);
    expect(onTwo.types()).to.deep.equal(['only-two']);
  });
});
