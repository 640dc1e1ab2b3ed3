import type { DomainEvent, EventBus } from '../../platform/event-bus.js';
import type { VersionCounters } from '../../platform/version-counters.js';

/**
 * Versions of what views read (ADR 0019). A mini-DB table's data version moves with every
 * committed change of its rows or its schema: the process that committed the change moves it
 * (in Redis when replicas share one) before the change's request answers, so the very next
 * request, on any replica, sees a new version. A view's own counter moves when someone asks for
 * its data to be refreshed (external sources have no change events).
 */
export class DataVersions {
  constructor(private readonly counters: VersionCounters) {}

  /** Moves the tables' versions on the events that change their data; returns the unsubscribe. */
  follow(bus: EventBus): () => void {
    return bus.subscribe(
      async (event) => {
        const tables = changedTables(event);
        if (event.workspaceId && tables.length > 0)
          await this.counters.bump(tables.map((id) => tableKey(event.workspaceId as string, id)));
      },
      { awaited: true, localOnly: true },
    );
  }

  /** The view's refresh counter and the data versions of the tables it reads, in one read. */
  async of(workspaceId: string, viewId: string, tableIds: readonly string[]): Promise<string[]> {
    return this.counters.read([viewKey(viewId), ...tableIds.map((id) => tableKey(workspaceId, id))]);
  }

  async view(viewId: string): Promise<string> {
    const [version] = await this.counters.read([viewKey(viewId)]);
    return version as string;
  }

  bumpView(viewId: string): Promise<void> {
    return this.counters.bump([viewKey(viewId)]);
  }
}

const tableKey = (workspaceId: string, tableId: string) => `table:${workspaceId}:${tableId}`;
const viewKey = (viewId: string) => `view:${viewId}`;

/** Tables whose data an event says changed: row writes, schema changes, deleted bases. */
function changedTables(event: DomainEvent): string[] {
  const { tableId, tableIds } = event.payload as { tableId?: unknown; tableIds?: unknown };
  switch (event.type) {
    case 'rows.changed':
    case 'schema.changed':
      return typeof tableId === 'string' ? [tableId] : [];
    case 'base.deleted':
      return Array.isArray(tableIds) ? tableIds.filter((id): id is string => typeof id === 'string') : [];
    default:
      return [];
  }
}
