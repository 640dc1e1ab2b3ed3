import { BUS_GAP, type DomainEvent, type EventBus } from '../platform/event-bus.js';
import { WORKSPACE_CHANGED } from './unit-of-work.js';

/** A cache of what a workspace's committed changes can make stale. */
export interface WorkspaceCache {
  forgetWorkspace(workspaceId: string): void;
  clear(): void;
}

/**
 * Keeps the in-process caches of access and metadata true to the database (ADR 0012): any
 * committed change of a workspace other than row data (`workspace.changed`, published by the
 * unit of work for every such audited change) forgets everything cached for it. Coarse on
 * purpose: such changes are rare, and no service has to know which cache reads what. The bus
 * delivers this process's own events before the request that made them answers, other
 * replicas' within a round trip to Redis, and a gap (events possibly missed) forgets everything.
 */
export function forgetOnChange(bus: EventBus, caches: readonly WorkspaceCache[]): () => void {
  return bus.subscribe((event: DomainEvent) => {
    if (event.type === BUS_GAP) for (const cache of caches) cache.clear();
    else if (event.type === WORKSPACE_CHANGED && event.workspaceId)
      for (const cache of caches) cache.forgetWorkspace(event.workspaceId);
  });
}
