import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Server, type Namespace } from 'socket.io';
import type { EventBus } from '../platform/event-bus.js';
import { BUS_GAP } from '../platform/event-bus.js';
import type { Logger } from '../platform/logger.js';
import type { Redis } from '../platform/redis.js';
import { MemoryTokenBuckets, tokenBuckets } from '../platform/token-bucket.js';
import type { AccessTokens } from '../services/auth/access-tokens.js';
import type { RowsService as RowService } from '../services/rows/rows.service.js';
import type { TableCache } from '../services/tables/table-cache.js';
import type { ViewsService } from '../services/views/views.service.js';
import type { WorkspaceAccessResolver } from '../services/workspaces/workspace-access.js';
import { ChangeFeed, type RoomBroadcast } from './change-feed.js';
import { PresenceRooms } from './presence-rooms.js';
import { presenceStore } from './presence/presence-store.factory.js';
import type { ClientToServer, InterServer, ServerToClient, SocketData } from './realtime-events.js';
import { RoomAccess } from './room-access.js';
import {
  handshakeAuth,
  REVOCATION_CHECK_MS,
  WORKSPACE_NAMESPACE,
  workspaceNamespace,
  type LiveSocket,
} from './socket-auth.js';
import { SocketHandlers } from './socket-handlers.js';
import { streamSequences } from './stream-sequences.js';
import { ViewFeed } from './view-feed.js';
import { VIEW_INTEREST_REFRESH_MS, viewInterest } from './view-interest.js';
import type { ViewChanges } from '../services/views/view-changes.js';

export interface RealtimeDeps {
  server: HttpServer;
  /** Set: the Redis Streams adapter (every replica's clients, connection state recovery). */
  redis?: Redis;
  bus: EventBus;
  log: Logger;
  tokens: AccessTokens;
  resolver: WorkspaceAccessResolver;
  tables: TableCache;
  views: ViewsService;
  rows: RowService;
  viewChanges: ViewChanges;
  /** When a socket counts as idle, then away (defaults: 60 s, 5 min). */
  activity?: { idleAfterMs?: number; awayAfterMs?: number };
}

export interface Realtime {
  io: Server<ClientToServer, ServerToClient, InterServer, SocketData>;
  feed: ChangeFeed;
  close(): Promise<void>;
}

/** socket.io settings of the contract (ADR 0023). */
export const REALTIME = {
  path: '/socket.io',
  pingIntervalMs: 25_000,
  pingTimeoutMs: 20_000,
  /** A client back within this long gets what it missed, and its rooms, again. */
  recoveryMs: 2 * 60_000,
  /** Entries the Redis stream keeps for recovery (approximate trimming). */
  streamMaxLen: 100_000,
};

/** The socket.io server on the dataplane's HTTP server (DESIGN.md §5, ADR 0023). */
export function startRealtime(deps: RealtimeDeps): Realtime {
  const { log } = deps;
  const redis = deps.redis && adapterClient(deps.redis, log);
  const io = new Server<ClientToServer, ServerToClient, InterServer, SocketData>(deps.server, {
    path: REALTIME.path,
    serveClient: false,
    pingInterval: REALTIME.pingIntervalMs,
    pingTimeout: REALTIME.pingTimeoutMs,
    connectionStateRecovery: { maxDisconnectionDuration: REALTIME.recoveryMs, skipMiddlewares: false },
    adapter: redis
      ? createAdapter(redis, {
          streamName: 'lt:rt:stream',
          maxLen: REALTIME.streamMaxLen,
          sessionKeyPrefix: 'lt:rt:session:',
          channelPrefix: 'lt:rt',
        })
      : undefined,
  });
  // A RegExp gives a parent namespace (socket.io does not export its class): each workspace's
  // namespace is its child, made with its middleware and connection listener.
  const workspaces = io.of(WORKSPACE_NAMESPACE) as Namespace<
    ClientToServer,
    ServerToClient,
    InterServer,
    SocketData
  > & {
    createChild(name: string): Namespace<ClientToServer, ServerToClient, InterServer, SocketData>;
  };
  const rooms = new RoomAccess(deps.resolver, deps.tables, deps.views);
  /** The workspace's namespace, made as a connection to it would make it (same middleware). */
  const namespaceOf = (
    workspaceId: string,
  ): Namespace<ClientToServer, ServerToClient, InterServer, SocketData> => {
    const name = workspaceNamespace(workspaceId);
    return io._nsps.get(name) ?? workspaces.createChild(name);
  };
  const presence = new PresenceRooms(
    presenceStore(redis),
    randomUUID(),
    (workspaceId, room, event, payload, except) => {
      const inRoom = namespaceOf(workspaceId).to(room);
      const target = except ? inRoom.except(except) : inRoom;
      // PresenceEmit already ties `payload` to `event`; the event map cannot see that here.
      (target.emit as (e: string, p: unknown) => boolean).call(target, event, payload);
    },
    log,
    deps.activity,
  );
  const interest = viewInterest(redis, (error) => log.warn({ err: error }, 'view interest not shared'));
  const handlerDeps = {
    interest,
    tokens: deps.tokens,
    rooms,
    rows: deps.rows,
    presence,
    socketBuckets: new MemoryTokenBuckets(),
    userBuckets: tokenBuckets(redis),
    log,
  };
  const sessions = new Map<string, SocketHandlers>();
  workspaces.use(handshakeAuth(deps.tokens, deps.resolver));
  workspaces.on('connection', (socket: LiveSocket) => {
    const handlers = new SocketHandlers(socket, handlerDeps);
    handlers.attach();
    sessions.set(socket.id, handlers);
    socket.on('disconnect', () => sessions.delete(socket.id));
  });
  const revocations = setInterval(() => {
    // One deny-list check per distinct token, however many sockets (tabs) share it.
    const byToken = new Map<string, SocketHandlers[]>();
    for (const handlers of sessions.values()) {
      const token = handlers.token;
      byToken.set(token, [...(byToken.get(token) ?? []), handlers]);
    }
    for (const [token, holders] of byToken)
      deps.tokens.verify(token).then(
        () => undefined,
        (error: unknown) => {
          for (const handlers of holders) handlers.sessionEnded(error);
        },
      );
  }, REVOCATION_CHECK_MS);
  revocations.unref();

  const broadcast = adapterBroadcast(namespaceOf, () => !redis || redis.status === 'ready');
  const sequences = streamSequences(redis, (error) =>
    log.warn({ err: error }, 'Redis unreachable: realtime numbered per replica'),
  );
  const feed = new ChangeFeed(broadcast, sequences, log);
  const views = new ViewFeed(deps.viewChanges, interest, sequences, broadcast, log);
  feed.onTableBatch((workspaceId, update, rows) => views.onTableBatch(workspaceId, update, rows));
  feed.follow(deps.bus);
  // Each replica repeats which view rooms it holds, so the replica committing a change knows.
  const interestRefresh = setInterval(() => {
    for (const nsp of io._nsps.values()) {
      if (!nsp.name.startsWith('/ws/')) continue;
      const workspaceId = nsp.name.slice('/ws/'.length);
      for (const room of nsp.adapter.rooms.keys())
        if (room.startsWith('view:'))
          interest
            .hold(workspaceId, room.slice('view:'.length))
            .catch((error: unknown) => log.warn({ err: error }, 'view interest not shared'));
    }
  }, VIEW_INTEREST_REFRESH_MS);
  interestRefresh.unref();
  // Every replica ends its sockets of a revoked session, or of a member who left the workspace.
  const stopEnding = deps.bus.subscribe((event) => {
    const { sessionId, userId } = event.payload as { sessionId?: unknown; userId?: unknown };
    const ends =
      event.type === 'session.revoked'
        ? (o: SocketHandlers['owner']) => o.sessionId === sessionId
        : event.type === 'member.removed'
          ? (o: SocketHandlers['owner']) => o.userId === userId && o.workspaceId === event.workspaceId
          : undefined;
    if (!ends) return;
    for (const handlers of sessions.values()) if (ends(handlers.owner)) handlers.end();
  });
  // Events of other replicas may have been lost while Redis was away: every client resyncs.
  const stopGaps = deps.bus.subscribe((event) => {
    if (event.type !== BUS_GAP) return;
    const at = new Date().toISOString();
    const reason = String(event.payload.reason ?? 'events may have been missed');
    for (const nsp of io._nsps.values())
      if (nsp.name.startsWith('/ws/')) nsp.local.emit('sync:gap', { reason, at });
  });

  return {
    io,
    feed,
    async close() {
      clearInterval(revocations);
      clearInterval(interestRefresh);
      feed.stop();
      await presence.close();
      stopGaps();
      stopEnding();
      io.local.disconnectSockets(true);
      for (const nsp of io._nsps.values()) {
        nsp.local.disconnectSockets(true);
        await Promise.resolve(nsp.adapter.close());
      }
      io.engine.close();
      redis?.disconnect();
    },
  };
}

/** socket.io's EVENT packet type (socket.io-parser `PacketType.EVENT`). */
const EVENT_PACKET = 2;

/**
 * Sends through the namespace's adapter directly, to wait for it: with Redis the stream has the
 * message (and its offset, for recovery) once this resolves; while Redis is unreachable, this
 * replica's clients get it at once and the others learn of a gap (`sync:gap`).
 */
function adapterBroadcast(
  namespaceOf: (workspaceId: string) => Namespace,
  shared: () => boolean,
): RoomBroadcast {
  const send = async (workspaceId: string, rooms: string[], event: string, payload: unknown) => {
    const nsp = namespaceOf(workspaceId);
    const packet = { type: EVENT_PACKET, data: [event, payload], nsp: nsp.name };
    const opts = { rooms: new Set(rooms), except: new Set<string>(), flags: shared() ? {} : { local: true } };
    await Promise.resolve(nsp.adapter.broadcast(packet, opts));
  };
  return {
    toRoom: (workspaceId, room, event, payload) => send(workspaceId, [room], event, payload),
    toWorkspace: (workspaceId, event, payload) => send(workspaceId, [], event, payload),
  };
}

/** The adapter's own client (it duplicates it for its stream reader, whose errors it ignores). */
function adapterClient(redis: Redis, log: Logger): Redis {
  return redis
    .duplicate()
    .on('error', (error: Error) => log.warn({ err: error }, 'realtime Redis client error'));
}
