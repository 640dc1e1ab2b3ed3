import type { Redis } from '../../platform/redis.js';
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
  PresenceUnavailableError,
  type HeartbeatResult,
  type PresenceOptions,
  type PresenceStore,
  type PresenceTiming,
} from './presence-store.js';
import { HEARTBEAT, JOIN, LEAVE, LEAVE_ALL, LIST, RESYNC, SWEEP, UPDATE } from './redis-presence.scripts.js';

type Arg = string | number;

/**
 * Presence shared by replicas through Redis (keys in redis-presence.scripts.ts). Each replica
 * has its own instance, which also keeps a record of the members written through it: the
 * replica's own truth. When a write failed (Redis unreachable), when the replica's heartbeat
 * had lapsed (its members swept, or Redis restarted empty) and on an instance's first
 * heartbeat (a former run under the same replica id may have left entries), `heartbeat` makes
 * Redis hold exactly that record again.
 *
 * Scripts are sent with EVAL, not EVALSHA: a NOSCRIPT retry would run after commands sent
 * later on the same connection, and a join overtaken by its own leave would leave a ghost.
 * Commands of one client run in the order they are sent; the record is changed when a command
 * is sent, so a resync's snapshot is never older than a command Redis has already run.
 */
export class RedisPresenceStore implements PresenceStore {
  readonly timing: PresenceTiming;
  private readonly now: () => number;
  private readonly prefix: string;
  /** socketId → resourceId → member: what this instance wrote. */
  private readonly held = new Map<string, Map<string, StoredMember>>();
  /** Replicas whose record Redis matches, as far as this instance knows. */
  private readonly clean = new Set<string>();
  private connectedOnce = false;

  constructor(
    private readonly redis: Redis,
    options: PresenceOptions = {},
  ) {
    this.timing = presenceTiming(options);
    this.now = options.now ?? Date.now;
    this.prefix = options.keyPrefix ?? 'lt:presence:';
  }

  async join(resourceId: string, joining: JoiningMember): Promise<PresenceMember[]> {
    const now = this.now();
    const member = storedMember(joining, now);
    this.hold(resourceId, member);
    const json = JSON.stringify(member);
    const reply = await this.run([member.replicaId], JOIN, [
      resourceId,
      member.socketId,
      member.replicaId,
      json,
    ]);
    return this.members(reply as string[], now);
  }

  async leave(resourceId: string, socketId: string): Promise<PresenceMember | undefined> {
    const replicaId = this.release(resourceId, socketId);
    const reply = await this.run(replicaId ? [replicaId] : [], LEAVE, [resourceId, socketId]);
    return reply === null ? undefined : this.member(reply as string, this.now());
  }

  async leaveAll(socketId: string): Promise<PresenceEntry[]> {
    const replicaIds = new Set<string>();
    for (const resourceId of [...(this.held.get(socketId)?.keys() ?? [])]) {
      const replicaId = this.release(resourceId, socketId);
      if (replicaId) replicaIds.add(replicaId);
    }
    const reply = await this.run([...replicaIds], LEAVE_ALL, [socketId]);
    return this.entries(reply as string[], this.now());
  }

  async update(
    resourceId: string,
    socketId: string,
    patch: PresencePatch,
  ): Promise<PresenceMember | undefined> {
    const now = this.now();
    const stored = storedPatch(patch, now, this.timing.typingTtlMs);
    const mine = this.held.get(socketId)?.get(resourceId);
    if (mine) this.hold(resourceId, mergeStored(mine, stored));
    const reply = await this.run(mine ? [mine.replicaId] : [], UPDATE, [
      resourceId,
      socketId,
      JSON.stringify(stored),
    ]);
    return reply === null ? undefined : this.member(reply as string, now);
  }

  async list(resourceId: string): Promise<PresenceMember[]> {
    const reply = await this.run([], LIST, [resourceId]);
    return this.members(reply as string[], this.now());
  }

  async heartbeat(replicaId: string): Promise<HeartbeatResult> {
    const wasAlive = await this.run([], HEARTBEAT, [replicaId, this.timing.replicaTtlMs]);
    if (wasAlive === 1 && this.clean.has(replicaId)) return { restored: [], removed: [] };
    // Snapshot and mark clean in the same tick the script is sent: a write failing after this
    // marks the replica dirty again, for the next heartbeat.
    const args: Arg[] = [replicaId];
    for (const [socketId, resources] of this.held) {
      for (const [resourceId, member] of resources) {
        if (member.replicaId === replicaId) args.push(resourceId, socketId, JSON.stringify(member));
      }
    }
    this.clean.add(replicaId);
    const [removed, restored] = (await this.run([replicaId], RESYNC, args)) as [string[], string[]];
    const now = this.now();
    return { restored: this.entries(restored, now), removed: this.entries(removed, now) };
  }

  async sweep(): Promise<PresenceEntry[]> {
    const reply = await this.run([], SWEEP, []);
    return this.entries(reply as string[], this.now());
  }

  /**
   * Runs a script, failing at once when a client that was connected is not any more (it would
   * otherwise wait out its reconnection attempts). A failure leaves the replicas whose record
   * the command carried dirty: their next heartbeat resyncs.
   */
  private async run(replicaIds: string[], script: string, args: Arg[]): Promise<unknown> {
    try {
      if (this.redis.status === 'ready') this.connectedOnce = true;
      else if (this.connectedOnce) throw new PresenceUnavailableError(this.redis.status);
      return await this.redis.eval(script, 0, this.prefix, ...args);
    } catch (error) {
      for (const replicaId of replicaIds) this.clean.delete(replicaId);
      throw error;
    }
  }

  private hold(resourceId: string, member: StoredMember): void {
    let resources = this.held.get(member.socketId);
    if (!resources) this.held.set(member.socketId, (resources = new Map()));
    resources.set(resourceId, member);
  }

  /** Forgets a held member; the replica it was held for, if this instance held it. */
  private release(resourceId: string, socketId: string): string | undefined {
    const resources = this.held.get(socketId);
    const member = resources?.get(resourceId);
    resources?.delete(resourceId);
    if (resources?.size === 0) this.held.delete(socketId);
    return member?.replicaId;
  }

  private member(json: string, now: number): PresenceMember {
    return visibleMember(JSON.parse(json) as StoredMember, now);
  }

  private members(jsons: string[], now: number): PresenceMember[] {
    return jsons.map((json) => this.member(json, now)).sort(byJoinOrder);
  }

  /** [resourceId, member JSON, ...] → entries. */
  private entries(flat: string[], now: number): PresenceEntry[] {
    const entries: PresenceEntry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      entries.push({ resourceId: flat[i] as string, member: this.member(flat[i + 1] as string, now) });
    }
    return entries;
  }
}
