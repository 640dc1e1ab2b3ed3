import type { Knex } from 'knex';
import type { Logger } from '../../platform/logger.js';
import type {
  AttachmentScope,
  AttachmentStore,
  StoredFile,
} from '../../store/attachments/attachment-store.js';
import { queueObjectRemovals } from '../../store/attachments/object-removals.js';

/**
 * Files a store kept outside a transaction (a bucket's objects) for rows that transaction was to
 * write. If it fails, `takeBack` deletes them; one that cannot be deleted now is queued for the
 * sweeper, and only if even that fails is it left behind, logged with its key.
 */
export class PlacedObjects {
  private readonly placed: { store: AttachmentStore; file: StoredFile }[] = [];

  constructor(
    private readonly knex: Knex,
    private readonly log: Logger,
  ) {}

  add(store: AttachmentStore, file: StoredFile): void {
    this.placed.push({ store, file });
  }

  /** Never throws: the caller is already handling the failure that made these objects stray. */
  async takeBack(scope: Omit<AttachmentScope, 'db'>): Promise<void> {
    const left: StoredFile[] = [];
    for (const { store, file } of this.placed.splice(0)) {
      try {
        await store.remove({ ...scope, db: this.knex }, file);
      } catch {
        left.push(file);
      }
    }
    if (left.length === 0) return;
    try {
      await queueObjectRemovals(this.knex, scope.schema, left);
    } catch (error) {
      this.log.error(
        { err: error, workspaceId: scope.workspaceId, storageKeys: left.map((f) => f.storageKey) },
        'objects of a failed attachment write could be neither deleted nor queued for deletion',
      );
    }
  }
}
