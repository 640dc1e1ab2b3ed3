import { BadRequestError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { ActivityTracker } from './presence/activity-tracker.js';
import type {
  PresenceEntry,
  PresenceMember,
  PresencePatch,
  PresenceStatus,
} from './presence/presence-member.js';
import type { PresenceStore } from './presence/presence-store.js';
import { startPresenceUpkeep, type PresenceUpkeep } from './presence/presence-upkeep.js';
import type { CursorMove, PresenceMemberView, ServerToClient, Typing } from './realtime-events.js';
import type { LiveSocket } from './socket-auth.js';

type PresenceEvent = 'user:join' | 'user:leave' | 'user:cursor' | 'user:typing' | 'user:idle';

/** Sends a presence event to a room of a workspace, on every replica, but not to `except`. */
export type PresenceEmit = <E extends PresenceEvent>(
  workspaceId: string,
  room: string,
  event: E,
  payload: Parameters<ServerToClient[E]>[0],
  except?: string,
) => void;

/** The store keys a resource by workspace too, so what a sweep finds can be sent to its room. */
const storeKey = (workspaceId: string, resourceId: string) => `${workspaceId}/${resourceId}`;
const fromStoreKey = (key: string) => {
  const [workspaceId = '', resourceId = ''] = key.split('/', 2);
  return { workspaceId, resourceId };
};

export const toMemberView = (m: PresenceMember): PresenceMemberView => ({
  socketId: m.socketId,
  userId: m.userId,
  ...(m.displayName !== undefined ? { displayName: m.displayName } : {}),
  status: m.status,
  ...(m.cursor ? { cursor: m.cursor } : {}),
  ...(m.typing ? { typing: m.typing } : {}),
});

/**
 * Presence rooms (`presence:<resourceId>`, ADR 0022): who is on a resource, where their cursor
 * is, who types where, who went idle. The store holds the members (shared by replicas through
 * Redis); this turns socket events into store changes and store changes into room events, and
 * runs the replica's heartbeat, so a replica that dies takes its members with it.
 */
export class PresenceRooms {
  private readonly tracker: ActivityTracker;
  /** Per socket of this replica: its workspace and the resources it is present on. */
  private readonly sockets = new Map<string, { workspaceId: string; resources: Set<string> }>();
  private readonly upkeep: PresenceUpkeep;

  constructor(
    private readonly store: PresenceStore,
    private readonly replicaId: string,
    private readonly emit: PresenceEmit,
    private readonly log: Logger,
    activity: { idleAfterMs?: number; awayAfterMs?: number } = {},
  ) {
    this.tracker = new ActivityTracker({
      ...activity,
      onChange: (socketId, status) => void this.statusChanged(socketId, status),
    });
    this.upkeep = startPresenceUpkeep(store, replicaId, {
      onSwept: (entries) => this.announce(entries, 'user:leave'),
      onRemoved: (entries) => this.announce(entries, 'user:leave'),
      onRestored: (entries) => this.announce(entries, 'user:join'),
      onError: (error, task) => log.warn({ err: error, task }, 'presence upkeep failed; retrying'),
    });
  }

  /** Settles after the first heartbeat: members of a replica never seen alive are not listed. */
  get ready(): Promise<void> {
    return this.upkeep.ready;
  }

  /** Joins the socket to the resource's presence; the members there, the joiner included. */
  async join(socket: LiveSocket, resourceId: string): Promise<PresenceMemberView[]> {
    const { workspaceId, userId } = socket.data;
    const members = await this.store.join(storeKey(workspaceId, resourceId), {
      socketId: socket.id,
      userId,
      replicaId: this.replicaId,
    });
    const tracked = this.sockets.get(socket.id) ?? { workspaceId, resources: new Set<string>() };
    tracked.resources.add(resourceId);
    this.sockets.set(socket.id, tracked);
    this.tracker.touch(socket.id);
    const me = members.find((m) => m.socketId === socket.id);
    if (me)
      this.emit(
        workspaceId,
        room(resourceId),
        'user:join',
        { resourceId, member: toMemberView(me) },
        socket.id,
      );
    return members.map(toMemberView);
  }

  async leave(socket: LiveSocket, resourceId: string): Promise<void> {
    const { workspaceId } = socket.data;
    this.sockets.get(socket.id)?.resources.delete(resourceId);
    const left = await this.store.leave(storeKey(workspaceId, resourceId), socket.id);
    if (left) this.announce([{ resourceId: storeKey(workspaceId, resourceId), member: left }], 'user:leave');
  }

  cursor(socket: LiveSocket, move: CursorMove): Promise<void> {
    const cursor = { rowId: move.rowId, ...(move.columnId ? { columnId: move.columnId } : {}) };
    return this.change(socket, move.resourceId, { cursor }, 'user:cursor');
  }

  typing(socket: LiveSocket, typing: Typing): Promise<void> {
    const patch = { typing: typing.typing ? { rowId: typing.rowId, columnId: typing.columnId } : null };
    return this.change(socket, typing.resourceId, patch, 'user:typing');
  }

  /** Any sign of life of the socket's user (every event it sends counts). */
  active(socket: LiveSocket): void {
    if (this.sockets.has(socket.id)) this.tracker.touch(socket.id);
  }

  /** The socket is gone: it leaves every resource, and the others are told. */
  async disconnected(socketId: string): Promise<void> {
    this.tracker.forget(socketId);
    if (!this.sockets.delete(socketId)) return;
    this.announce(await this.store.leaveAll(socketId), 'user:leave');
  }

  async close(): Promise<void> {
    this.upkeep.stop();
    this.tracker.close();
    const sockets = [...this.sockets.keys()];
    await Promise.allSettled(sockets.map((id) => this.disconnected(id)));
  }

  private async change(
    socket: LiveSocket,
    resourceId: string,
    patch: PresencePatch,
    event: 'user:cursor' | 'user:typing',
  ): Promise<void> {
    const { workspaceId } = socket.data;
    this.tracker.touch(socket.id);
    const member = await this.store.update(storeKey(workspaceId, resourceId), socket.id, {
      ...patch,
      lastActiveAt: Date.now(),
    });
    if (!member) throw new BadRequestError(`Subscribe to presence:${resourceId} first`, 'not_present');
    this.emit(workspaceId, room(resourceId), event, { resourceId, member: toMemberView(member) }, socket.id);
  }

  private async statusChanged(socketId: string, status: PresenceStatus): Promise<void> {
    const tracked = this.sockets.get(socketId);
    if (!tracked) return;
    for (const resourceId of tracked.resources) {
      try {
        const member = await this.store.update(storeKey(tracked.workspaceId, resourceId), socketId, {
          status,
        });
        if (member)
          this.emit(tracked.workspaceId, room(resourceId), 'user:idle', {
            resourceId,
            member: toMemberView(member),
          });
      } catch (error) {
        this.log.warn({ err: error, socketId }, 'presence status not recorded');
      }
    }
  }

  private announce(entries: readonly PresenceEntry[], event: 'user:join' | 'user:leave'): void {
    for (const entry of entries) {
      const { workspaceId, resourceId } = fromStoreKey(entry.resourceId);
      if (event === 'user:join')
        this.emit(workspaceId, room(resourceId), 'user:join', {
          resourceId,
          member: toMemberView(entry.member),
        });
      else
        this.emit(workspaceId, room(resourceId), 'user:leave', {
          resourceId,
          socketId: entry.member.socketId,
          userId: entry.member.userId,
        });
    }
  }
}

const room = (resourceId: string) => `presence:${resourceId}`;
