import type { Knex } from 'knex';
import type { Logger } from '../../platform/logger.js';
import { newId } from '../../platform/ids.js';
import type { AttachmentScope, StorageKind } from '../../store/attachments/attachment-store.js';
import { storeOf, type AttachmentStores } from '../../store/attachments/attachment-stores.js';
import type { UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { PlacedObjects } from './placed-objects.js';

/** Who a copy belongs to: a table of a base (its cells may name it), or a saved template. */
export type CopyOwner =
  | {
      tableId: string;
      baseId: string;
      /** Source column id → the copy's: the column a file was uploaded for, in the copy. */
      columnIds?: ReadonlyMap<string, string>;
    }
  | { templateId: string };

/** Old attachment id → the id its copy gets. */
export type Renames = ReadonlyMap<string, string>;

/** A new id for each distinct file id: what a copy is made with, and cells are rewritten by. */
export const renamesFor = (ids: Iterable<string>): Map<string, string> =>
  new Map([...new Set(ids)].map((id) => [id, newId()]));

interface SourceRow {
  id: string;
  storage: StorageKind;
  storage_key: string | null;
}

/**
 * Copies of attachment files for copied bases and templates (ADR 0014). `withCopies` runs the
 * caller's transaction with a session that copies inside it; objects the session put in a bucket
 * are taken back if the transaction fails, as an upload's is.
 */
export class AttachmentCopier {
  constructor(
    private readonly knex: Knex,
    private readonly stores: AttachmentStores,
    private readonly log: Logger,
  ) {}

  async withCopies<T>(access: WorkspaceAccess, work: (copies: AttachmentCopies) => Promise<T>): Promise<T> {
    const placed = new PlacedObjects(this.knex, this.log);
    try {
      return await work(new AttachmentCopies(access, this.stores, placed));
    } catch (error) {
      await placed.takeBack({ schema: access.workspace.schemaName, workspaceId: access.workspace.id });
      throw error;
    }
  }
}

export class AttachmentCopies {
  constructor(
    private readonly access: WorkspaceAccess,
    private readonly stores: AttachmentStores,
    private readonly placed: PlacedObjects,
  ) {}

  /**
   * Copies the files `renames` names, each as its new id owned by `owner`: bytes inside their
   * store, the `attachments` rows by INSERT … SELECT, and directory entries for a table's.
   * Returns the renames of the files that exist. Sources are read FOR SHARE, so the sweeper
   * cannot take one while it is being copied.
   */
  async copy(uow: UnitOfWork, renames: Renames, owner: CopyOwner): Promise<Map<string, string>> {
    if (renames.size === 0) return new Map();
    const schema = this.access.workspace.schemaName;
    const sources = (await uow.trx
      .withSchema(schema)
      .table('attachments')
      .whereRaw('id = ANY(?::uuid[])', [[...renames.keys()]])
      .orderBy('id')
      .forShare()
      .select('id', 'storage', 'storage_key')) as SourceRow[];
    const keys = new Map<string, string | null>();
    const scope: AttachmentScope = { db: uow.trx, schema, workspaceId: this.access.workspace.id };
    for (const kind of new Set(sources.map((s) => s.storage))) {
      const store = storeOf(this.stores, kind);
      const ofKind = sources.filter((s) => s.storage === kind);
      const copies = ofKind.map((s) => ({
        from: { id: s.id, storageKey: s.storage_key },
        toId: renames.get(s.id) as string,
      }));
      const stored = await store.copy(scope, copies, (file) => this.placed.add(store, file));
      ofKind.forEach((s, i) => keys.set(s.id, stored[i] ?? null));
    }
    const copied = new Map(sources.map((s) => [s.id, renames.get(s.id) as string]));
    await this.insertRows(uow, copied, keys, owner);
    if ('tableId' in owner)
      await uow.trx.raw(
        `INSERT INTO resource_directory (id, workspace_id, kind, base_id)
         SELECT id, ?::uuid, 'attachment', ?::uuid FROM unnest(?::uuid[]) AS n(id)`,
        [this.access.workspace.id, owner.baseId, [...copied.values()]],
      );
    return copied;
  }

  private async insertRows(
    uow: UnitOfWork,
    copied: Renames,
    keys: ReadonlyMap<string, string | null>,
    owner: CopyOwner,
  ): Promise<void> {
    const schema = this.access.workspace.schemaName;
    const from = [...copied.keys()];
    const table = 'tableId' in owner ? owner : undefined;
    const bindings: Knex.RawBinding[] = [
      schema,
      table?.tableId ?? null,
      'templateId' in owner ? owner.templateId : null,
      JSON.stringify(Object.fromEntries(table?.columnIds ?? [])),
      uow.actorId,
      schema,
      from,
      from.map((id) => copied.get(id) as string),
      // '' for no key (PostgreSQL chunks): array bindings are of one type.
      from.map((id) => keys.get(id) ?? ''),
    ];
    await uow.trx.raw(
      `INSERT INTO ??.attachments
         (id, table_id, template_id, column_id, name, mime_type, size, sha256, storage, storage_key, created_by)
       SELECT m.to_id, ?::uuid, ?::uuid, (?::jsonb ->> a.column_id::text)::uuid,
              a.name, a.mime_type, a.size, a.sha256, a.storage, NULLIF(m.storage_key, ''), ?::uuid
       FROM ??.attachments a
       JOIN unnest(?::uuid[], ?::uuid[], ?::text[]) AS m(from_id, to_id, storage_key) ON a.id = m.from_id`,
      bindings,
    );
  }
}
