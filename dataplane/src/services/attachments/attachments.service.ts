import type { Knex } from 'knex';
import type { Readable } from 'node:stream';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { Logger } from '../../platform/logger.js';
import { spoolUpload, type SpooledFile } from '../../platform/upload-spool.js';
import type { AttachmentScope } from '../../store/attachments/attachment-store.js';
import { storeOf, type AttachmentStores } from '../../store/attachments/attachment-stores.js';
import { Metadata, type TableView } from '../tables/metadata.js';
import type { TransactionRunner } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { toAttachmentView, type AttachmentRow, type AttachmentView } from './attachment-view.js';
import { exactLength } from './exact-length.js';
import { fileName, mediaType } from './file-meta.js';
import { PlacedObjects } from './placed-objects.js';

export interface UploadInput {
  /** The file's bytes; destroyed if the upload is refused. */
  body: Readable;
  name?: string | undefined;
  mimeType?: string | undefined;
  /** The length the client announced, if it did: one over the limit is refused unread. */
  declaredSize?: number | undefined;
  /** The attachment column the file is meant for, if the client says. */
  columnId?: string | undefined;
}

export interface AttachmentDownload {
  attachment: AttachmentView;
  /** Exactly `attachment.size` bytes, streamed from the store. */
  content: Readable;
}

/**
 * Files for attachment cells. An upload is spooled to a temporary file (counted, hashed, cut off
 * past the size limit), then kept by the current store and described in `attachments` in one
 * transaction with its directory entry and audit entry; downloads stream from the store the file
 * was put in. Cells refer to uploads by id (attachment-cells.ts).
 */
export class AttachmentsService {
  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
    private readonly stores: AttachmentStores,
    private readonly options: { maxBytes: number },
    private readonly log: Logger,
  ) {}

  async upload(
    access: WorkspaceAccess,
    actorId: string,
    tableId: string,
    input: UploadInput,
  ): Promise<AttachmentView> {
    if (input.declaredSize !== undefined && input.declaredSize > this.options.maxBytes) throw this.tooLarge();
    const name = fileName(input.name);
    const mimeType = mediaType(input.mimeType);
    // Refusals that need no byte of the body come before reading it.
    const table = await new Metadata(this.knex, access.workspace.schemaName).table(tableId);
    if (input.columnId !== undefined && !isAttachmentColumn(table, input.columnId))
      throw new ValidationError('columnId is not an attachment column of this table', [
        { path: 'columnId', message: 'is not an attachment column of this table' },
      ]);
    const file = await spoolUpload(input.body, this.options.maxBytes);
    try {
      return await this.keep(access, actorId, table, file, { name, mimeType, columnId: input.columnId });
    } finally {
      await file.discard();
    }
  }

  async download(access: WorkspaceAccess, id: string): Promise<AttachmentDownload> {
    const schema = access.workspace.schemaName;
    const row = (await this.knex(`${schema}.attachments as a`)
      .join(`${schema}.tables as t`, 't.id', 'a.table_id')
      .whereNull('t.archived_at')
      .where('a.id', id)
      .first('a.*')) as AttachmentRow | undefined;
    if (!row) throw new NotFoundError('Attachment');
    const content = await storeOf(this.stores, row.storage).open(this.scope(access, this.knex), {
      id: row.id,
      storageKey: row.storage_key,
    });
    const attachment = toAttachmentView(row);
    return { attachment, content: exactLength(content, attachment.size) };
  }

  /** Stores the spooled file and records it; a bucket's object is taken back if that fails. */
  private async keep(
    access: WorkspaceAccess,
    actorId: string,
    table: TableView,
    file: SpooledFile,
    meta: { name: string; mimeType: string; columnId: string | undefined },
  ): Promise<AttachmentView> {
    const id = newId();
    const store = this.stores.current;
    const schema = access.workspace.schemaName;
    const placed = new PlacedObjects(this.knex, this.log);
    try {
      return await this.tx.run(actorId, async (uow) => {
        const live = await new Metadata(uow.trx, schema)
          .tables()
          .where({ id: table.id })
          .forShare()
          .first('id');
        if (!live) throw new NotFoundError('Table');
        const storageKey = await store.put(this.scope(access, uow.trx), id, file, meta.mimeType);
        if (storageKey !== null) placed.add(store, { id, storageKey });
        const row = {
          id,
          table_id: table.id,
          column_id: meta.columnId ?? null,
          name: meta.name,
          mime_type: meta.mimeType,
          size: file.size,
          sha256: file.sha256,
          storage: store.kind,
          storage_key: storageKey,
          created_by: uow.actorId,
        };
        await uow.trx.withSchema(schema).table('attachments').insert(row);
        await uow
          .trx('resource_directory')
          .insert({ id, workspace_id: access.workspace.id, kind: 'attachment', base_id: table.baseId });
        const view = toAttachmentView(row);
        await uow.audit(
          {
            workspaceId: access.workspace.id,
            action: 'attachment.upload',
            resourceType: 'attachment',
            resourceId: id,
            parentId: table.id,
            after: { ...view, sha256: file.sha256, storage: store.kind, columnId: row.column_id },
          },
          schema,
        );
        return view;
      });
    } catch (error) {
      // The transaction rolled PostgreSQL chunks back; an object in a bucket is not part of it.
      await placed.takeBack({ schema, workspaceId: access.workspace.id });
      throw error;
    }
  }

  private scope(access: WorkspaceAccess, db: Knex): AttachmentScope {
    return { db, schema: access.workspace.schemaName, workspaceId: access.workspace.id };
  }

  private tooLarge(): PayloadTooLargeError {
    const max = this.options.maxBytes;
    return new PayloadTooLargeError(`The file is larger than ${max} bytes`, { maxBytes: max });
  }
}

function isAttachmentColumn(table: TableView, columnId: string): boolean {
  return table.columns.some((c) => c.id === columnId && c.type === 'attachment');
}
