import { expect } from 'chai';
import {
  ActivityTracker,
  DEFAULT_AWAY_AFTER_MS,
  DEFAULT_IDLE_AFTER_MS,
} from '../../../dataplane/src/realtime/presence/activity-tracker.js';
import type { PresenceStatus } from '../../../dataplane/src/realtime/presence/presence-member.js';
import { FakeClock } from '../../support/fake-clock.js';

const IDLE = 1_000;
const AWAY = 5_000;

describe('ActivityTracker', () => {
  let clock: FakeClock;
  let changes: [string, PresenceStatus][];
  let tracker: ActivityTracker;
  beforeEach(() => {
    clock = new FakeClock();
    changes = [];
    tracker = new ActivityTracker({
      idleAfterMs: IDLE,
      awayAfterMs: AWAY,
      clock,
      onChange: (socketId, status) => changes.push([socketId, status]),
    });
  });

  it('starts a socket active without a call, then makes it idle and away at their thresholds, once each', () => {
    tracker.touch('s1');
    expect(tracker.status('s1')).to.equal('active');
    clock.advance(IDLE - 1);
    expect(changes).to.deep.equal([]);
    clock.advance(1);
    expect(changes).to.deep.equal([['s1', 'idle']]);
    expect(tracker.status('s1')).to.equal('idle');
    clock.advance(AWAY - IDLE - 1);
    expect(changes).to.have.length(1);
    clock.advance(1);
    expect(changes).to.deep.equal([
      ['s1', 'idle'],
      ['s1', 'away'],
    ]);
    clock.advance(60 * AWAY);
    expect(changes).to.have.length(2);
    expect(clock.timers).to.equal(0); // an away socket waits for activity, not for a timer
  });

  it('postpones idleness with every activity, without a call and without more timers', () => {
    tracker.touch('s1');
    for (let i = 0; i < 10; i++) {
      clock.advance(IDLE - 100);
      tracker.touch('s1');
      expect(clock.timers).to.equal(1);
    }
    expect(changes).to.deep.equal([]);
    expect(tracker.lastActiveAt('s1')).to.equal(clock.now());
    clock.advance(IDLE - 1);
    expect(changes).to.deep.equal([]);
    clock.advance(1);
    expect(changes).to.deep.equal([['s1', 'idle']]);
  });

  it('makes an idle or away socket active again, once, and counts from that activity', () => {
    tracker.touch('s1');
    clock.advance(IDLE + 200);
    tracker.touch('s1');
    tracker.touch('s1');
    expect(changes).to.deep.equal([
      ['s1', 'idle'],
      ['s1', 'active'],
    ]);
    // Idle again a full IDLE after the touch: neither earlier nor at the old away deadline.
    clock.advance(IDLE - 1);
    expect(changes).to.have.length(2);
    clock.advance(1);
    expect(changes.at(-1)).to.deep.equal(['s1', 'idle']);

    clock.advance(AWAY);
    expect(changes.at(-1)).to.deep.equal(['s1', 'away']);
    tracker.touch('s1');
    expect(changes.slice(-2)).to.deep.equal([
      ['s1', 'away'],
      ['s1', 'active'],
    ]);
    expect(tracker.status('s1')).to.equal('active');
  });

  it('goes straight to away, with one call, when its timer runs late past both thresholds', () => {
    tracker.touch('s1');
    clock.stall(AWAY + 1);
    clock.advance(0);
    expect(changes).to.deep.equal([['s1', 'away']]);
  });

  it('tracks sockets apart', () => {
    tracker.touch('s1');
    clock.advance(IDLE / 2);
    tracker.touch('s2');
    clock.advance(IDLE / 2);
    expect(changes).to.deep.equal([['s1', 'idle']]);
    tracker.touch('s1');
    clock.advance(IDLE / 2);
    expect(changes).to.deep.equal([
      ['s1', 'idle'],
      ['s1', 'active'],
      ['s2', 'idle'],
    ]);
  });

  it('forgets a disconnected socket: no more calls, no timer left; it starts afresh if it comes back', () => {
    tracker.touch('s1');
    tracker.touch('s2');
    tracker.forget('s1');
    expect(tracker.status('s1')).to.equal(undefined);
    expect(tracker.size).to.equal(1);
    clock.advance(AWAY);
    expect(changes).to.deep.equal([
      ['s2', 'idle'],
      ['s2', 'away'],
    ]);
    tracker.touch('s1');
    expect(tracker.status('s1')).to.equal('active');
    tracker.close();
    expect(tracker.size).to.equal(0);
    expect(clock.timers).to.equal(0);
    clock.advance(AWAY);
    expect(changes).to.have.length(2);
  });

  it('defaults to idle after a minute and away after five, and refuses thresholds out of order', () => {
    const defaults = new ActivityTracker({ clock, onChange: (s, status) => changes.push([s, status]) });
    defaults.touch('s');
    clock.advance(60_000 - 1);
    expect(changes).to.deep.equal([]);
    clock.advance(1);
    expect(changes).to.deep.equal([['s', 'idle']]);
    clock.advance(240_000 - 1);
    expect(changes).to.have.length(1);
    clock.advance(1);
    expect(changes).to.deep.equal([
      ['s', 'idle'],
      ['s', 'away'],
    ]);
    expect([DEFAULT_IDLE_AFTER_MS, DEFAULT_AWAY_AFTER_MS]).to.deep.equal([60_000, 300_000]);
    const onChange = () => undefined;
    expect(() => new ActivityTracker({ idleAfterMs: 10, awayAfterMs: 10, onChange })).to.throw(RangeError);
    expect(() => new ActivityTracker({ idleAfterMs: 0, onChange })).to.throw(RangeError);
  });
});
