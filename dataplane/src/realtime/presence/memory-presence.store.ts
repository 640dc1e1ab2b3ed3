import {
  byJoinOrder,
  mergeStored,
  storedMember,
  storedPatch,
  visibleMember,
  type JoiningMember,
  type PresenceEntry,
  type PresenceMember,
  type PresencePatch,
  type StoredMember,
} from './presence-member.js';
import {
  presenceTiming,
  type HeartbeatResult,
  type PresenceOptions,
  type PresenceStore,
  type PresenceTiming,
} from './presence-store.js';

/** A member, and whether a sweep has reported it gone (its replica lapsed). */
interface Entry {
  member: StoredMember;
  swept: boolean;
}

/**
 * Presence in process (standalone: one process, one replica). Same contract as the Redis store:
 * a swept member is hidden rather than deleted, because this process is also the replica that
 * holds it and gets it back when it heartbeats again (what the Redis store does from its local
 * record). A replica that never heartbeats again keeps its hidden entries; in one process there
 * is only one replica.
 */
export class MemoryPresenceStore implements PresenceStore {
  readonly timing: PresenceTiming;
  private readonly now: () => number;
  private readonly resources = new Map<string, Map<string, Entry>>();
  /** socketId → the resources it is on. */
  private readonly sockets = new Map<string, Set<string>>();
  /** replicaId → until when it counts as alive. */
  private readonly aliveUntil = new Map<string, number>();

  constructor(options: PresenceOptions = {}) {
    this.timing = presenceTiming(options);
    this.now = options.now ?? Date.now;
  }

  async join(resourceId: string, joining: JoiningMember): Promise<PresenceMember[]> {
    const now = this.now();
    let members = this.resources.get(resourceId);
    if (!members) this.resources.set(resourceId, (members = new Map()));
    members.set(joining.socketId, { member: storedMember(joining, now), swept: false });
    let resources = this.sockets.get(joining.socketId);
    if (!resources) this.sockets.set(joining.socketId, (resources = new Set()));
    resources.add(resourceId);
    return this.listAt(resourceId, now);
  }

  async leave(resourceId: string, socketId: string): Promise<PresenceMember | undefined> {
    const entry = this.remove(resourceId, socketId);
    return entry && !entry.swept ? visibleMember(entry.member, this.now()) : undefined;
  }

  async leaveAll(socketId: string): Promise<PresenceEntry[]> {
    const now = this.now();
    const left: PresenceEntry[] = [];
    for (const resourceId of [...(this.sockets.get(socketId) ?? [])]) {
      const entry = this.remove(resourceId, socketId);
      if (entry && !entry.swept) left.push({ resourceId, member: visibleMember(entry.member, now) });
    }
    return left;
  }

  async update(
    resourceId: string,
    socketId: string,
    patch: PresencePatch,
  ): Promise<PresenceMember | undefined> {
    const entry = this.resources.get(resourceId)?.get(socketId);
    if (!entry) return undefined;
    const now = this.now();
    entry.member = mergeStored(entry.member, storedPatch(patch, now, this.timing.typingTtlMs));
    return entry.swept ? undefined : visibleMember(entry.member, now);
  }

  async list(resourceId: string): Promise<PresenceMember[]> {
    return this.listAt(resourceId, this.now());
  }

  async heartbeat(replicaId: string): Promise<HeartbeatResult> {
    const now = this.now();
    this.aliveUntil.set(replicaId, now + this.timing.replicaTtlMs);
    const restored: PresenceEntry[] = [];
    for (const [resourceId, entry] of this.entries()) {
      if (!entry.swept || entry.member.replicaId !== replicaId) continue;
      entry.swept = false;
      restored.push({ resourceId, member: visibleMember(entry.member, now) });
    }
    return { restored, removed: [] };
  }

  async sweep(): Promise<PresenceEntry[]> {
    const now = this.now();
    const swept: PresenceEntry[] = [];
    for (const [resourceId, entry] of this.entries()) {
      if (entry.swept || this.isAlive(entry.member.replicaId, now)) continue;
      entry.swept = true;
      swept.push({ resourceId, member: visibleMember(entry.member, now) });
    }
    return swept;
  }

  private listAt(resourceId: string, now: number): PresenceMember[] {
    const members: PresenceMember[] = [];
    for (const { member } of this.resources.get(resourceId)?.values() ?? []) {
      if (this.isAlive(member.replicaId, now)) members.push(visibleMember(member, now));
    }
    return members.sort(byJoinOrder);
  }

  private isAlive(replicaId: string, now: number): boolean {
    return (this.aliveUntil.get(replicaId) ?? -Infinity) > now;
  }

  private remove(resourceId: string, socketId: string): Entry | undefined {
    const members = this.resources.get(resourceId);
    const entry = members?.get(socketId);
    if (!members || !entry) return undefined;
    members.delete(socketId);
    if (members.size === 0) this.resources.delete(resourceId);
    const resources = this.sockets.get(socketId);
    resources?.delete(resourceId);
    if (resources?.size === 0) this.sockets.delete(socketId);
    return entry;
  }

  private *entries(): Generator<[string, Entry]> {
    for (const [resourceId, members] of this.resources) {
      for (const entry of members.values()) yield [resourceId, entry];
    }
  }
}
