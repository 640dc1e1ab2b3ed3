import type { Knex } from 'knex';
import type { DataKeyRecord, DataKeyStore } from '../platform/crypto/data-key-store.js';

/**
 * Data keys live in the workspace's own schema (`data_keys`), so dropping a workspace drops its
 * keys and a tenant role never needs another tenant's table. `save` is a compare-and-set on
 * `revision`, as DataKeyStore requires.
 */
export class TableDataKeyStore implements DataKeyStore {
  constructor(
    private readonly knex: Knex,
    /** The schema of a workspace, from its id. */
    private readonly schemaOf: (workspaceId: string) => Promise<string>,
  ) {}

  async load(workspaceId: string): Promise<DataKeyRecord | undefined> {
    const row = await this.table(await this.schemaOf(workspaceId))
      .where({ workspace_id: workspaceId })
      .first<{ revision: number; keys: DataKeyRecord['keys'] } | undefined>('revision', 'keys');
    return row ? { revision: row.revision, keys: row.keys } : undefined;
  }

  async save(workspaceId: string, record: DataKeyRecord): Promise<boolean> {
    const keys = JSON.stringify(record.keys);
    const schema = await this.schemaOf(workspaceId);
    if (record.revision === 1) {
      const inserted = await this.table(schema)
        .insert({ workspace_id: workspaceId, revision: 1, keys })
        .onConflict('workspace_id')
        .ignore()
        .returning('workspace_id');
      return inserted.length === 1;
    }
    const updated = await this.table(schema)
      .where({ workspace_id: workspaceId, revision: record.revision - 1 })
      .update({ revision: record.revision, keys, updated_at: new Date() });
    return updated === 1;
  }

  // Not async: awaiting a knex builder would run it.
  private table(schema: string) {
    return this.knex.withSchema(schema).table('data_keys');
  }
}
