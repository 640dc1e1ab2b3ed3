import type { DomainEvent, EventBus } from '../platform/event-bus.js';
import type { Logger } from '../platform/logger.js';
import type {
  ChangedRow,
  DataUpdate,
  HeardRow,
  RowOp,
  SchemaUpdate,
  ServerToClient,
} from './realtime-events.js';
import type { StreamSequences } from './stream-sequences.js';

/** Where the feed sends what it made: a room of a workspace's namespace, or all of it. */
export interface RoomBroadcast {
  /** Resolves once every replica's adapter has the message (Redis has it, or it is local). */
  toRoom<E extends 'data:update' | 'view:changed'>(
    workspaceId: string,
    room: string,
    event: E,
    payload: Parameters<ServerToClient[E]>[0],
  ): Promise<void>;
  toWorkspace(workspaceId: string, event: 'schema:update', payload: SchemaUpdate): Promise<void>;
}

/**
 * Told of every table batch sent, to derive what view rooms receive (view subscriptions): the
 * update as sent, and its rows as heard (with their earlier fields, which clients never get).
 */
export type TableBatchListener = (
  workspaceId: string,
  update: DataUpdate,
  rows: readonly HeardRow[],
) => Promise<void>;

type Queued =
  | { kind: 'data'; tableId: string; op: RowOp; rows: HeardRow[]; actor: string | null; at: string }
  | { kind: 'schema'; update: SchemaUpdate };

interface WorkspaceQueue {
  items: Queued[];
  waiters: (() => void)[];
}

/**
 * Turns committed domain events of this replica into socket events (ADR 0023). It hears only
 * its own process's events (`localOnly`) and sends them through the socket.io adapter, which
 * carries them to every replica's clients, so each change is sent once however many replicas
 * there are. The publisher waits (`awaited`) until its change is in the adapter: a change's
 * request answers only after its event is on its way, so events of changes made one after the
 * other reach clients in that order, whichever replica made them.
 *
 * Events of one tick are batched per workspace: consecutive row changes of one table with the
 * same op and actor become one `data:update`, numbered in the table's stream.
 */
export class ChangeFeed {
  /** Per workspace: what waits for the next send. */
  private readonly queues = new Map<string, WorkspaceQueue>();
  /** Workspaces whose send is scheduled or running: one at a time each, so order holds. */
  private readonly draining = new Set<string>();
  private readonly tableListeners: TableBatchListener[] = [];
  private unsubscribe?: () => void;

  constructor(
    private readonly broadcast: RoomBroadcast,
    private readonly sequences: StreamSequences,
    private readonly log: Logger,
  ) {}

  follow(bus: EventBus): void {
    this.unsubscribe = bus.subscribe((event) => this.hear(event), { awaited: true, localOnly: true });
  }

  onTableBatch(listener: TableBatchListener): void {
    this.tableListeners.push(listener);
  }

  stop(): void {
    this.unsubscribe?.();
  }

  private hear(event: DomainEvent): Promise<void> | undefined {
    const workspaceId = event.workspaceId;
    const item = workspaceId ? toQueued(event) : undefined;
    if (!workspaceId || !item) return undefined;
    let queue = this.queues.get(workspaceId);
    if (!queue) {
      queue = { items: [], waiters: [] };
      this.queues.set(workspaceId, queue);
    }
    queue.items.push(item);
    if (!this.draining.has(workspaceId)) {
      this.draining.add(workspaceId);
      setImmediate(() => void this.drain(workspaceId));
    }
    return new Promise((resolve) => queue.waiters.push(resolve));
  }

  /**
   * Sends the workspace's queue, then what queued meanwhile, until nothing is left: a send never
   * overtakes the one before it, and changes arriving during a send travel together after it.
   */
  private async drain(workspaceId: string): Promise<void> {
    for (let queue = this.queues.get(workspaceId); queue; queue = this.queues.get(workspaceId)) {
      this.queues.delete(workspaceId);
      for (const item of coalesce(queue.items)) {
        try {
          await this.send(workspaceId, item);
        } catch (error) {
          // The changes are committed: a failed send is logged, never thrown at their requests.
          this.log.error({ err: error, workspaceId }, 'realtime event not sent');
        }
      }
      for (const resolve of queue.waiters) resolve();
    }
    this.draining.delete(workspaceId);
  }

  private async send(workspaceId: string, item: Queued): Promise<void> {
    if (item.kind === 'schema') return this.broadcast.toWorkspace(workspaceId, 'schema:update', item.update);
    const { epoch, seq } = await this.sequences.next(`table:${item.tableId}`);
    const update: DataUpdate = {
      tableId: item.tableId,
      op: item.op,
      rows: item.rows.map(({ id, version, fields }): ChangedRow => ({ id, version, fields })),
      actor: item.actor,
      at: item.at,
      seq,
      epoch,
    };
    await this.broadcast.toRoom(workspaceId, `table:${item.tableId}`, 'data:update', update);
    for (const listener of this.tableListeners) await listener(workspaceId, update, item.rows);
  }
}

/** Consecutive row changes of one table with one op and one actor travel as one update. */
function coalesce(items: readonly Queued[]): Queued[] {
  const out: Queued[] = [];
  for (const item of items) {
    const last = out.at(-1);
    if (
      item.kind === 'data' &&
      last?.kind === 'data' &&
      last.tableId === item.tableId &&
      last.op === item.op &&
      last.actor === item.actor
    ) {
      last.rows = [...last.rows, ...item.rows];
      last.at = item.at;
    } else out.push(item.kind === 'data' ? { ...item } : item);
  }
  return out;
}

const ROW_OPS = new Set<string>(['insert', 'update', 'delete']);

/** The domain events clients hear of; anything else (members, API keys…) is not theirs. */
function toQueued(event: DomainEvent): Queued | undefined {
  const p = event.payload;
  const actor = event.actorId;
  const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
  switch (event.type) {
    case 'rows.changed': {
      const tableId = str(p.tableId);
      const op = str(p.op);
      if (!tableId || !op || !ROW_OPS.has(op) || !Array.isArray(p.rows)) return undefined;
      return { kind: 'data', tableId, op: op as RowOp, rows: p.rows as HeardRow[], actor, at: event.at };
    }
    case 'schema.changed':
      return {
        kind: 'schema',
        update: {
          kind: 'table',
          action: str(p.action) ?? 'table.update',
          tableId: str(p.tableId),
          actor,
          at: event.at,
        },
      };
    case 'view.created':
    case 'view.updated':
    case 'view.deleted':
      return {
        kind: 'schema',
        update: { kind: 'view', action: event.type, viewId: str(p.viewId), actor, at: event.at },
      };
    case 'base.created':
    case 'base.updated':
    case 'base.deleted': {
      const base = p.base as { id?: unknown } | undefined;
      const baseId = str(p.baseId) ?? str(base?.id);
      return { kind: 'schema', update: { kind: 'base', action: event.type, baseId, actor, at: event.at } };
    }
    default:
      return undefined;
  }
}
