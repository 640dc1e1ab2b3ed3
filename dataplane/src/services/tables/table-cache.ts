import type { Knex } from 'knex';
import { ScopedCache } from '../../platform/scoped-cache.js';
import { StatementCache } from '../../query/sql/index.js';
import type { WorkspaceCache } from '../cache-invalidation.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { linkTargets } from './link-targets.js';
import { Metadata, type TableView } from './metadata.js';
import { tableSource, type TableSource } from './table-catalog.js';

/**
 * What reading a table's rows needs, derived once from its metadata: the table, the tables its
 * rollups aggregate over, the query layer's catalog, and the statements prepared against it.
 */
export interface TableReadModel {
  table: TableView;
  targets: ReadonlyMap<string, TableView>;
  source: TableSource;
  statements: StatementCache;
}

const TABLE_CACHE = { max: 2_000, ttlMs: 30_000 };

/**
 * Read models of the tables requests read, kept until their workspace changes (ADR 0012). Reads
 * only: a write reads its table inside its transaction, locked, as before.
 */
export class TableCache implements WorkspaceCache {
  private readonly cache = new ScopedCache<TableReadModel>(TABLE_CACHE);

  constructor(private readonly knex: Knex) {}

  /** The table's read model; 404 for a table that does not exist or is archived. */
  readModel(access: WorkspaceAccess, tableId: string): Promise<TableReadModel> {
    const workspaceId = access.workspace.id;
    return this.cache.getOrLoad(`${workspaceId}:${tableId}`, async () => ({
      scope: workspaceId,
      value: await this.load(access.workspace.schemaName, tableId),
    }));
  }

  /** Forgets what the cache holds of the table's workspace (stale metadata found by a read). */
  forgetWorkspace(workspaceId: string): void {
    this.cache.forgetScope(workspaceId);
  }

  clear(): void {
    this.cache.clear();
  }

  private async load(schema: string, tableId: string): Promise<TableReadModel> {
    const meta = new Metadata(this.knex, schema);
    const table = await meta.table(tableId);
    const targets = await linkTargets(meta, table);
    return {
      table,
      targets,
      source: tableSource(schema, table, targets),
      statements: new StatementCache('postgres'),
    };
  }
}
