import type { Knex } from 'knex';
import type { Readable } from 'node:stream';
import type { SpooledFile } from '../../platform/upload-spool.js';

export type StorageKind = 'postgres' | 's3';

/** Whose files: the workspace's schema (PostgreSQL chunks) and id (object keys). */
export interface AttachmentScope {
  /** A transaction while uploading: the PostgreSQL store writes its chunks in it. */
  db: Knex;
  schema: string;
  workspaceId: string;
}

/** What a store needs to find the bytes it kept for an attachment. */
export interface StoredFile {
  id: string;
  storageKey: string | null;
}

/** One file to copy, and the attachment id the copy is kept as. */
export interface FileCopy {
  from: StoredFile;
  toId: string;
}

/** Where attachment bytes are kept; the `attachments` row describing them is the caller's. */
export interface AttachmentStore {
  readonly kind: StorageKind;
  /** Keeps the file as attachment `id`; returns its storage key (null when the id is enough). */
  put(scope: AttachmentScope, id: string, file: SpooledFile, mimeType: string): Promise<string | null>;
  /** The bytes, streamed: one chunk in memory at a time. */
  open(scope: AttachmentScope, file: StoredFile): Promise<Readable>;
  /**
   * Copies each file inside the store (never through this process) and returns the copies'
   * storage keys in order. A copy kept outside the caller's transaction (a bucket's object) is
   * reported to `placed` as soon as it exists, so the caller can take it back if that fails.
   */
  copy(
    scope: AttachmentScope,
    copies: readonly FileCopy[],
    placed: (file: StoredFile) => void,
  ): Promise<(string | null)[]>;
  /** Forgets the bytes; bytes already gone are no error. */
  remove(scope: AttachmentScope, file: StoredFile): Promise<void>;
}
