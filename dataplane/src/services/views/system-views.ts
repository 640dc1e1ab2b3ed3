import type { Knex } from 'knex';
import type { EventBus } from '../../platform/event-bus.js';
import { NotFoundError } from '../../platform/errors.js';
import { ScopedCache } from '../../platform/scoped-cache.js';
import type { WorkspaceCache } from '../cache-invalidation.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { systemAccess } from './system-access.js';
import { loadView, type ViewRecord } from './view-record.js';

/** A saved view as the dataplane reads it without a caller, with the workspace it lives in. */
export interface SystemView {
  access: WorkspaceAccess;
  record: ViewRecord;
}

const CACHE = { max: 2_000, ttlMs: 30_000 };

/**
 * Saved views read without a caller (the public API on every request, realtime on every batch),
 * kept until their workspace changes (ADR 0012: every audited change of a view publishes
 * `workspace.changed`) or a view of it is materialized anew (`view.refreshed`, not audited).
 * A view or workspace that does not exist is remembered as such until then.
 */
export class SystemViews implements WorkspaceCache {
  private readonly cache = new ScopedCache<{ found?: SystemView }>(CACHE);

  constructor(
    private readonly knex: Knex,
    private readonly tenantSlug: string | undefined,
  ) {}

  /** The view and its workspace; 404 when either does not exist (in tenant mode, elsewhere). */
  async load(workspaceId: string, viewId: string): Promise<SystemView> {
    const { found } = await this.cache.getOrLoad(`${workspaceId}:${viewId}`, async () => {
      try {
        const access = await systemAccess(this.knex, workspaceId, this.tenantSlug);
        return {
          scope: workspaceId,
          value: { found: { access, record: await loadView(this.knex, access, viewId) } },
        };
      } catch (error) {
        if (error instanceof NotFoundError) return { scope: workspaceId, value: {} };
        throw error;
      }
    });
    if (!found) throw new NotFoundError('View');
    return found;
  }

  /** Forgets a workspace's views when one of them was materialized anew; returns the unsubscribe. */
  follow(bus: EventBus): () => void {
    return bus.subscribe((event) => {
      if (event.type === 'view.refreshed' && event.workspaceId) this.forgetWorkspace(event.workspaceId);
    });
  }

  forgetWorkspace(workspaceId: string): void {
    this.cache.forgetScope(workspaceId);
  }

  clear(): void {
    this.cache.clear();
  }
}
