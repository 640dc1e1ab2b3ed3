/** `active` while the socket is used; `idle`, then `away`, after a while without activity. */
export type PresenceStatus = 'active' | 'idle' | 'away';

/** Where a member's cursor is: a row, and a cell of it when a column is given. */
export interface PresenceCursor {
  rowId: string;
  columnId?: string;
}

/** The text cell a member is typing in. */
export interface PresenceTyping {
  rowId: string;
  columnId: string;
}

/**
 * One socket on one resource. A user with two tabs is two members (two sockets, same userId).
 * Times are epoch milliseconds of the clock of the replica that wrote them.
 */
export interface PresenceMember {
  socketId: string;
  userId: string;
  /** The replica holding the socket: its heartbeat keeps the member listed. */
  replicaId: string;
  displayName?: string;
  status: PresenceStatus;
  cursor?: PresenceCursor;
  /** Shown only until the store's typing TTL passes without a renewal. */
  typing?: PresenceTyping;
  joinedAt: number;
  lastActiveAt: number;
}

/** What `join` needs: status defaults to `active`, times to the store's clock. */
export type JoiningMember = Omit<PresenceMember, 'status' | 'joinedAt' | 'lastActiveAt' | 'typing'> &
  Partial<Pick<PresenceMember, 'status' | 'joinedAt' | 'lastActiveAt'>>;

/**
 * A change to a member. `null` clears the cursor or the typing. Setting `typing` (again) renews
 * it for the store's typing TTL; any other change leaves its expiry alone.
 */
export interface PresencePatch {
  cursor?: PresenceCursor | null;
  typing?: PresenceTyping | null;
  status?: PresenceStatus;
  lastActiveAt?: number;
  displayName?: string;
}

/** A member as stored: with the time its typing stops showing. */
export type StoredMember = PresenceMember & { typingUntil?: number };

/** A patch as stored: `null` deletes a field (the same rule in the Redis scripts). */
export type StoredPatch = Record<string, unknown>;

/** (resourceId, member): what `leaveAll`, `sweep` and `heartbeat` report. */
export interface PresenceEntry {
  resourceId: string;
  member: PresenceMember;
}

export function storedMember(member: JoiningMember, now: number): StoredMember {
  const { status = 'active', joinedAt = now, lastActiveAt = now, ...rest } = member;
  return { ...withoutUndefined(rest), status, joinedAt, lastActiveAt };
}

/** The patch with the typing expiry it implies, ready to merge (or to send to Redis). */
export function storedPatch(patch: PresencePatch, now: number, typingTtlMs: number): StoredPatch {
  const stored: StoredPatch = withoutUndefined({ ...patch });
  if (patch.typing) stored.typingUntil = now + typingTtlMs;
  else if (patch.typing === null) stored.typingUntil = null;
  return stored;
}

export function mergeStored(member: StoredMember, patch: StoredPatch): StoredMember {
  const merged: Record<string, unknown> = { ...member };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged as unknown as StoredMember;
}

/** What readers see at `now`: typing that was not renewed in time is gone. */
export function visibleMember(stored: StoredMember, now: number): PresenceMember {
  const { typingUntil, typing, ...member } = stored;
  return typing && typingUntil !== undefined && typingUntil > now ? { ...member, typing } : member;
}

/** Oldest first (then by socket), so every replica lists a resource in the same order. */
export function byJoinOrder(a: PresenceMember, b: PresenceMember): number {
  return a.joinedAt - b.joinedAt || (a.socketId < b.socketId ? -1 : a.socketId > b.socketId ? 1 : 0);
}

const STATUS_RANK: Record<PresenceStatus, number> = { active: 0, idle: 1, away: 2 };

/** One user as a client shows them: all their sockets (tabs) on the resource taken together. */
export interface PresenceUser {
  userId: string;
  displayName?: string;
  /** The most present of the sockets: active if any tab is, else idle if any is, else away. */
  status: PresenceStatus;
  /** Every socket, oldest first: each tab keeps its own cursor and typing. */
  members: PresenceMember[];
}

/**
 * How a client dedupes by user: members are per socket, so a user with two tabs arrives twice
 * (two `user:join`). Group the list by `userId`; show one avatar per user with the most present
 * status of its sockets; draw each socket's cursor and typing; on `user:leave` drop the socket,
 * and the avatar only when the user has no socket left.
 */
export function usersOf(members: readonly PresenceMember[]): PresenceUser[] {
  const users = new Map<string, PresenceUser>();
  for (const member of [...members].sort(byJoinOrder)) {
    const user = users.get(member.userId);
    if (!user) {
      users.set(member.userId, {
        userId: member.userId,
        ...(member.displayName === undefined ? {} : { displayName: member.displayName }),
        status: member.status,
        members: [member],
      });
      continue;
    }
    user.members.push(member);
    if (STATUS_RANK[member.status] < STATUS_RANK[user.status]) user.status = member.status;
    if (user.displayName === undefined && member.displayName !== undefined)
      user.displayName = member.displayName;
  }
  return [...users.values()];
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
