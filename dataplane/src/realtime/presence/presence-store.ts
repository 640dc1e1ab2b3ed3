/**
 * Presence: who is on a resource (a table, a view, a row-ish id; socket.io room
 * `presence:<resourceId>`), where their cursor is, what they type, whether they are idle.
 * The realtime server calls the store; the store knows nothing of sockets or events
 * (ADR 0022).
 *
 * - A member is one socket on one resource, held by one replica (`replicaId`). A user with two
 *   tabs is two members; clients dedupe by user (`usersOf` in presence-member.ts says how).
 * - Replica liveness: every replica calls `heartbeat(replicaId)` every `timing.heartbeatMs`
 *   (a third of the TTL, so two lost heartbeats are survived); a replica counts as alive for
 *   `timing.replicaTtlMs` after its last one. `list` shows only members of live replicas, so a
 *   dead replica's members vanish at once; `sweep` (any replica, periodically) deletes them and
 *   returns each exactly once, however many replicas sweep together, for `user:leave`. A
 *   replica must heartbeat before it serves: members of a replica that never did are not listed.
 * - A replica that heartbeats again after it lapsed (a long pause, Redis restarted or was
 *   unreachable) gets its members back: `heartbeat` writes back what the store lost and deletes
 *   what it should not have kept, and returns both for `user:join` / `user:leave`.
 * - Typing shows for `timing.typingTtlMs` after the last `update({ typing })`, then disappears
 *   from `list` and from returned members: an indicator never sticks. Clients should also drop a
 *   `user:typing` indicator not renewed within that time (the server can tell them the TTL).
 * - Redis outage (Redis store): every method rejects, with the ioredis error of the command
 *   (bounded by the client's `maxRetriesPerRequest`), or at once with `PresenceUnavailableError`
 *   when a client that was connected is not any more. The caller decides: the realtime server
 *   should still emit its events to its local sockets and log; nothing is lost for good, since
 *   the replica's next successful heartbeat puts Redis back in line with what it holds.
 */
import { ServiceUnavailableError } from '../../platform/errors.js';
import type { JoiningMember, PresenceEntry, PresenceMember, PresencePatch } from './presence-member.js';

export interface PresenceTiming {
  /** How long a replica counts as alive after a heartbeat. */
  replicaTtlMs: number;
  /** How often a replica should heartbeat (and sweep). */
  heartbeatMs: number;
  /** How long typing shows without a renewal. */
  typingTtlMs: number;
}

export interface PresenceOptions {
  /** Default 15 s; heartbeats are expected every third of it (5 s). */
  replicaTtlMs?: number;
  /** Default 5 s. */
  typingTtlMs?: number;
  /** Default `Date.now`: the clock of joins, activity and typing expiry. */
  now?: () => number;
  /** Redis keys' prefix. Default `lt:presence:`. */
  keyPrefix?: string;
}

export const DEFAULT_REPLICA_TTL_MS = 15_000;
export const DEFAULT_TYPING_TTL_MS = 5_000;

export function presenceTiming(options: PresenceOptions): PresenceTiming {
  const replicaTtlMs = options.replicaTtlMs ?? DEFAULT_REPLICA_TTL_MS;
  const typingTtlMs = options.typingTtlMs ?? DEFAULT_TYPING_TTL_MS;
  if (!(replicaTtlMs > 0 && typingTtlMs > 0)) throw new RangeError('presence TTLs must be positive');
  return { replicaTtlMs, heartbeatMs: Math.max(1, Math.floor(replicaTtlMs / 3)), typingTtlMs };
}

/** What a heartbeat changed: members the store had lost and got back, and leftovers it dropped. */
export interface HeartbeatResult {
  /** Written back (swept while the replica was lapsed, lost by Redis): emit `user:join`. */
  restored: PresenceEntry[];
  /** Entries of this replica it no longer holds (a leave that failed, a former run): `user:leave`. */
  removed: PresenceEntry[];
}

export interface PresenceStore {
  readonly timing: PresenceTiming;
  /** Adds (or replaces) the socket's member; the resource's members after it: the joiner's list. */
  join(resourceId: string, member: JoiningMember): Promise<PresenceMember[]>;
  /** The member removed, or undefined if the socket was not there. */
  leave(resourceId: string, socketId: string): Promise<PresenceMember | undefined>;
  /** On disconnect: removes the socket from every resource; what it was in. */
  leaveAll(socketId: string): Promise<PresenceEntry[]>;
  /** The updated member, or undefined if the socket is not there (an update never joins). */
  update(resourceId: string, socketId: string, patch: PresencePatch): Promise<PresenceMember | undefined>;
  /** Members of live replicas, oldest first, without expired typing. */
  list(resourceId: string): Promise<PresenceMember[]>;
  heartbeat(replicaId: string): Promise<HeartbeatResult>;
  /** Deletes the members of replicas whose heartbeat lapsed; each is returned by one sweep only. */
  sweep(): Promise<PresenceEntry[]>;
}

/** The shared store cannot be reached right now (its Redis client lost its connection). */
export class PresenceUnavailableError extends ServiceUnavailableError {
  constructor(redisStatus: string) {
    super(`presence store unavailable: Redis client is ${redisStatus}`, 'presence_unavailable');
  }
}
