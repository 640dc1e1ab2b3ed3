import type { Readable } from 'node:stream';
import type { S3Client } from '../../platform/s3-client.js';
import type { SpooledFile } from '../../platform/upload-spool.js';
import type { AttachmentScope, AttachmentStore, FileCopy, StoredFile } from './attachment-store.js';

/**
 * Attachment bytes as objects of an S3-compatible bucket, keyed `<workspace id>/<attachment id>`
 * so one bucket can serve every tenant and a workspace's files share a prefix.
 */
export class S3AttachmentStore implements AttachmentStore {
  readonly kind = 's3';

  constructor(private readonly s3: S3Client) {}

  async put(scope: AttachmentScope, id: string, file: SpooledFile, mimeType: string): Promise<string> {
    const key = keyFor(scope, id);
    await this.s3.putObject(key, file.open(), {
      size: file.size,
      sha256: file.sha256,
      contentType: mimeType,
    });
    return key;
  }

  open(_scope: AttachmentScope, file: StoredFile): Promise<Readable> {
    return this.s3.getObject(keyOf(file));
  }

  /** Server-side copies (CopyObject), one at a time as uploads go. */
  async copy(
    scope: AttachmentScope,
    copies: readonly FileCopy[],
    placed: (file: StoredFile) => void,
  ): Promise<string[]> {
    const keys: string[] = [];
    for (const { from, toId } of copies) {
      const key = keyFor(scope, toId);
      await this.s3.copyObject(keyOf(from), key);
      placed({ id: toId, storageKey: key });
      keys.push(key);
    }
    return keys;
  }

  remove(_scope: AttachmentScope, file: StoredFile): Promise<void> {
    return this.s3.deleteObject(keyOf(file));
  }
}

const keyFor = (scope: AttachmentScope, id: string): string => `${scope.workspaceId}/${id}`;

function keyOf(file: StoredFile): string {
  if (!file.storageKey) throw new Error(`attachment ${file.id} is kept in S3 but has no storage key`);
  return file.storageKey;
}
