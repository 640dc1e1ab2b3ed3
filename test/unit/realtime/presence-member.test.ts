import { expect } from 'chai';
import {
  mergeStored,
  storedMember,
  storedPatch,
  usersOf,
  visibleMember,
  type PresenceMember,
} from '../../../dataplane/src/realtime/presence/presence-member.js';

const tab = (socketId: string, userId: string, extra: Partial<PresenceMember> = {}): PresenceMember => ({
  socketId,
  userId,
  replicaId: 'r',
  status: 'away',
  joinedAt: 0,
  lastActiveAt: 0,
  ...extra,
});

describe('presence members', () => {
  it('groups sockets by user for display: one per user, the most present status, every socket kept', () => {
    const users = usersOf([
      tab('s3', 'u-bob', { joinedAt: 3, status: 'idle' }),
      tab('s2', 'u-ann', { joinedAt: 2, status: 'idle', displayName: 'Ann', cursor: { rowId: 'r2' } }),
      tab('s1', 'u-ann', { joinedAt: 1, status: 'away' }),
      tab('s4', 'u-ann', { joinedAt: 4, status: 'active' }),
    ]);
    expect(
      users.map((u) => [u.userId, u.displayName, u.status, u.members.map((m) => m.socketId)]),
    ).to.deep.equal([
      ['u-ann', 'Ann', 'active', ['s1', 's2', 's4']],
      ['u-bob', undefined, 'idle', ['s3']],
    ]);
  });

  it('renews typing only when typing is set, and hides it once expired', () => {
    const joined = storedMember({ socketId: 's', userId: 'u', replicaId: 'r', displayName: undefined }, 100);
    expect(joined).to.deep.equal({
      socketId: 's',
      userId: 'u',
      replicaId: 'r',
      status: 'active',
      joinedAt: 100,
      lastActiveAt: 100,
    });
    const typing = mergeStored(joined, storedPatch({ typing: { rowId: 'r1', columnId: 'c1' } }, 200, 50));
    expect(typing.typingUntil).to.equal(250);
    const moved = mergeStored(typing, storedPatch({ cursor: { rowId: 'r1' } }, 240, 50));
    expect(moved.typingUntil).to.equal(250);
    expect(visibleMember(moved, 249)).to.deep.include({ typing: { rowId: 'r1', columnId: 'c1' } });
    expect(visibleMember(moved, 249)).to.not.have.property('typingUntil');
    expect(visibleMember(moved, 250)).to.not.have.property('typing');
    const stopped = mergeStored(moved, storedPatch({ typing: null, cursor: null }, 245, 50));
    expect(stopped).to.not.have.any.keys('typing', 'typingUntil', 'cursor');
  });
});
