import type { Problem } from '../http/middleware/errors.middleware.js';
import type { RowConflict } from '../services/rows/row-conflict.js';
import type { CellEdit, CursorMove, SubscribeRequest, TokenRefresh, Typing } from './client-messages.js';

/**
 * The socket.io contract (DESIGN.md §5, docs/realtime.md): typed event maps for
 * `Server<ClientToServer, ServerToClient, InterServer, SocketData>`.
 */

export type RowOp = 'insert' | 'update' | 'delete';

export interface ChangedRow {
  id: string;
  version: number;
  fields: Record<string, unknown>;
}

/** A row of a table batch as the server hears it: with the fields it had before, where known. */
export type HeardRow = ChangedRow & { before?: Record<string, unknown> };

/**
 * Committed row changes of one table (or, in a view room, of one view), batched per tick. `seq`
 * counts the batches of the table (of the view) one by one within `epoch`: a client that sees
 * `seq` skip, or `epoch` change, has missed something and fetches a snapshot, then applies
 * events whose row versions are newer than it.
 */
export interface DataUpdate {
  tableId: string;
  viewId?: string;
  op: RowOp;
  rows: ChangedRow[];
  actor: string | null;
  at: string;
  seq: number;
  epoch: string;
}

/** A view's rows changed in a way not stated row by row (a joined table's change, a grouped view): refetch it. */
export interface ViewChanged {
  viewId: string;
  tableId: string;
  actor: string | null;
  at: string;
  seq: number;
  epoch: string;
}

/** Tables, columns and views changed: refetch the named resource's metadata. */
export interface SchemaUpdate {
  kind: 'table' | 'view' | 'base';
  action: string;
  tableId?: string;
  viewId?: string;
  baseId?: string;
  actor: string | null;
  at: string;
}

export interface PresenceMemberView {
  socketId: string;
  userId: string;
  displayName?: string;
  status: 'active' | 'idle' | 'away';
  cursor?: { rowId: string; columnId?: string };
  typing?: { rowId: string; columnId: string };
}

/** The `conflict` event: the row write that lost, both sides (ADR 0021). */
export type ConflictEvent = RowConflict;

/** Acknowledgement of every client event: the answer, or the problem as HTTP would state it. */
export type Ack<T = Record<string, never>> = (
  answer: ({ ok: true } & T) | { ok: false; error: Problem },
) => void;

export interface ServerToClient {
  'data:update': (update: DataUpdate) => void;
  'schema:update': (update: SchemaUpdate) => void;
  'view:changed': (event: ViewChanged) => void;
  'user:join': (event: { resourceId: string; member: PresenceMemberView }) => void;
  'user:leave': (event: { resourceId: string; socketId: string; userId: string }) => void;
  'user:cursor': (event: { resourceId: string; member: PresenceMemberView }) => void;
  'user:typing': (event: { resourceId: string; member: PresenceMemberView }) => void;
  'user:idle': (event: { resourceId: string; member: PresenceMemberView }) => void;
  conflict: (event: ConflictEvent) => void;
  /** Events of other replicas may have been missed (Redis was unreachable): resynchronise. */
  'sync:gap': (event: { reason: string; at: string }) => void;
  /** The access token expired unrefreshed; the server disconnects right after. */
  'auth:expired': () => void;
}

export type { CellEdit, CursorMove, SubscribeRequest, TokenRefresh, Typing } from './client-messages.js';

export interface ClientToServer {
  subscribe: (request: SubscribeRequest, ack: Ack<{ room: string; presence?: PresenceMemberView[] }>) => void;
  unsubscribe: (request: SubscribeRequest, ack: Ack<{ room: string }>) => void;
  'auth:refresh': (request: TokenRefresh, ack: Ack<{ expiresAt: string }>) => void;
  'cell:update': (edit: CellEdit, ack: Ack<{ row: unknown }>) => void;
  'user:cursor': (move: CursorMove, ack: Ack) => void;
  'user:typing': (typing: Typing, ack: Ack) => void;
  /** Any sign of life from the user (input, focus): keeps them `active`. */
  'user:active': (request: Record<string, never>, ack: Ack) => void;
}

export type InterServer = Record<string, never>;

export interface SocketData {
  userId: string;
  sessionId: string;
  workspaceId: string;
  /** Epoch seconds; the socket is disconnected at this time unless refreshed. */
  tokenExpiresAt: number;
  token: string;
}
