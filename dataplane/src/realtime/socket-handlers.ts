import type { TSchema } from '@sinclair/typebox';
import { toProblem } from '../http/middleware/errors.middleware.js';
import { compileValidator } from '../http/validation.js';
import { RateLimitedError } from '../platform/errors.js';
import { rowConflictOf } from '../services/rows/row-conflict.js';
import type { Logger } from '../platform/logger.js';
import { runInRequestContext } from '../platform/request-context.js';
import { newId } from '../platform/ids.js';
import type { TokenBuckets } from '../platform/token-bucket.js';
import type { RowsService as RowService } from '../services/rows/rows.service.js';
import { Activity, CellEdit, CursorMove, SubscribeRequest, TokenRefresh, Typing } from './client-messages.js';
import type { PresenceRooms } from './presence-rooms.js';
import type { ViewInterest } from './view-interest.js';
import type { Ack, ClientToServer, PresenceMemberView } from './realtime-events.js';
import { parseRoom, type RoomAccess } from './room-access.js';
import { SessionWatch, type LiveSocket } from './socket-auth.js';
import type { AccessTokens } from '../services/auth/access-tokens.js';

/** What a client may send: a burst, then a steady rate; per socket and per user (all tabs). */
export const CLIENT_EVENT_LIMITS = {
  perSocket: { capacity: 60, refillPerSecond: 30 },
  perUser: { capacity: 200, refillPerSecond: 100 },
};

export interface SocketHandlerDeps {
  tokens: AccessTokens;
  rooms: RoomAccess;
  rows: RowService;
  presence: PresenceRooms;
  /** Told when a socket joins a view room (view subscriptions are derived only for those). */
  interest: ViewInterest;
  /** In process: a socket lives on one replica. */
  socketBuckets: TokenBuckets;
  /** Shared by replicas when Redis is there: a user's sockets may be on several. */
  userBuckets: TokenBuckets;
  log: Logger;
}

/** A client event's handler: its validated payload in, the acknowledgement's content out. */
type Handler<T, R> = (payload: T) => Promise<R>;

/**
 * The events one socket may send, each validated, rate limited, run in a request context (for
 * audit entries and logs) and acknowledged with the answer or a problem document.
 */
export class SocketHandlers {
  private readonly watch: SessionWatch;

  constructor(
    private readonly socket: LiveSocket,
    private readonly deps: SocketHandlerDeps,
  ) {
    this.watch = new SessionWatch(socket, deps.tokens);
  }

  attach(): void {
    const { socket } = this;
    this.on('subscribe', SubscribeRequest, (request) => this.subscribe(request.room));
    this.on('unsubscribe', SubscribeRequest, async (request) => {
      await socket.leave(request.room);
      const room = parseRoom(request.room);
      if (room.kind === 'presence') await this.deps.presence.leave(socket, room.id);
      return { room: request.room };
    });
    this.on('auth:refresh', TokenRefresh, async (request) => {
      const exp = await this.watch.refresh(request.token);
      return { expiresAt: new Date(exp * 1000).toISOString() };
    });
    this.on('cell:update', CellEdit, (edit) => this.editCell(edit));
    this.on('user:cursor', CursorMove, async (move) => {
      await this.deps.presence.cursor(socket, move);
      return {};
    });
    this.on('user:typing', Typing, async (typing) => {
      await this.deps.presence.typing(socket, typing);
      return {};
    });
    this.on('user:active', Activity, async () => ({}));
    socket.on('disconnect', () => {
      this.watch.stop();
      this.deps.presence
        .disconnected(socket.id)
        .catch((error: unknown) =>
          this.deps.log.warn({ err: error }, 'presence not cleaned up on disconnect'),
        );
    });
  }

  /** The token the socket holds now (refreshes replace it). */
  get token(): string {
    return this.socket.data.token;
  }

  /** Whose socket this is, in which session and workspace. */
  get owner(): { userId: string; sessionId: string; workspaceId: string } {
    const { userId, sessionId, workspaceId } = this.socket.data;
    return { userId, sessionId, workspaceId };
  }

  /** Ends the socket's session now (its session was revoked, its user left the workspace). */
  end(): void {
    this.watch.end();
  }

  /** The periodic deny-list check of the token failed (the server checks each token once). */
  sessionEnded(error: unknown): void {
    try {
      this.watch.ended(error);
    } catch (unexpected) {
      this.deps.log.error({ err: unexpected }, 'session check failed');
    }
  }

  private async subscribe(name: string): Promise<{ room: string; presence?: PresenceMemberView[] }> {
    const { userId, workspaceId } = this.socket.data;
    const room = parseRoom(name);
    await this.deps.rooms.assertCanJoin(workspaceId, userId, room);
    await this.socket.join(name);
    if (room.kind === 'view') await this.deps.interest.hold(workspaceId, room.id);
    if (room.kind !== 'presence') return { room: name };
    return { room: name, presence: await this.deps.presence.join(this.socket, room.id) };
  }

  /** One PATCH of a row through the rows service, as REST does; a conflict also gets `conflict`. */
  private async editCell(edit: CellEdit): Promise<{ row: unknown }> {
    const { userId, workspaceId } = this.socket.data;
    const access = await this.deps.rooms.table(workspaceId, userId, edit.tableId, 'data:write');
    try {
      const input = { fields: edit.fields, version: edit.version };
      const row = await this.deps.rows.update(
        access,
        userId,
        edit.tableId,
        edit.rowId,
        input,
        'patch',
        'name',
      );
      return { row };
    } catch (error) {
      const conflict = rowConflictOf(error, edit);
      if (conflict) this.socket.emit('conflict', conflict);
      throw error;
    }
  }

  private on<S extends TSchema, R extends object>(
    event: keyof ClientToServer,
    schema: S,
    handler: Handler<S['static'], R>,
  ): void {
    const validate = compileValidator(schema, 'body');
    const listener = (payload: unknown, ack: unknown) => {
      const reply: Ack<R> = typeof ack === 'function' ? (ack as Ack<R>) : () => undefined;
      const context = { requestId: newId(), ip: this.socket.handshake.address };
      void runInRequestContext(context, async () => {
        try {
          await this.admit();
          validate(payload ?? {});
          this.deps.presence.active(this.socket);
          reply({ ok: true, ...(await handler(payload as S['static'])) });
        } catch (error) {
          const problem = toProblem(error);
          if (problem.status >= 500) this.deps.log.error({ err: error, event }, 'socket event failed');
          reply({ ok: false, error: problem });
        }
      });
    };
    (this.socket.on as (event: string, listener: (payload: unknown, ack: unknown) => void) => void)(
      event,
      listener,
    );
  }

  /** Counts the event against the socket's and the user's buckets. */
  private async admit(): Promise<void> {
    const { socket, deps } = this;
    const [mine, theirs] = await Promise.all([
      deps.socketBuckets.take(`socket:${socket.id}`, CLIENT_EVENT_LIMITS.perSocket),
      deps.userBuckets.take(`rt_user:${socket.data.userId}`, CLIENT_EVENT_LIMITS.perUser),
    ]);
    const refused = [mine, theirs].find((state) => !state.allowed);
    if (refused) throw new RateLimitedError('Too many socket events; slow down', refused.retryAfterSeconds);
  }
}
