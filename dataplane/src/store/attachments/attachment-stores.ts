import type { S3Config } from '../../platform/attachments.config.js';
import { ServiceUnavailableError } from '../../platform/errors.js';
import { S3Client } from '../../platform/s3-client.js';
import type { AttachmentStore, StorageKind } from './attachment-store.js';
import { PostgresAttachmentStore } from './postgres-attachment-store.js';
import { S3AttachmentStore } from './s3-attachment-store.js';

export interface AttachmentStores {
  /** Where new uploads go: S3 when configured, else PostgreSQL. */
  current: AttachmentStore;
  /** Every store earlier uploads may be in (files stay where they were put). */
  byKind: Partial<Record<StorageKind, AttachmentStore>>;
}

export function createAttachmentStores(s3: S3Config | undefined): AttachmentStores {
  const postgres = new PostgresAttachmentStore();
  if (!s3) return { current: postgres, byKind: { postgres } };
  const bucket = new S3AttachmentStore(new S3Client(s3));
  return { current: bucket, byKind: { postgres, s3: bucket } };
}

/** The store files of `kind` are in; 503 when this deployment is no longer configured for it. */
export function storeOf(stores: AttachmentStores, kind: StorageKind): AttachmentStore {
  const store = stores.byKind[kind];
  if (!store)
    throw new ServiceUnavailableError(
      `The attachment is kept in ${kind}, which this deployment is not configured for`,
      'object_store_unavailable',
    );
  return store;
}
