import { Readable } from 'node:stream';
import type { SpooledFile } from '../../platform/upload-spool.js';
import type { AttachmentScope, AttachmentStore, FileCopy, StoredFile } from './attachment-store.js';

/** Bytes per `attachment_chunks` row: what a download holds in memory at once. */
export const CHUNK_BYTES = 256 * 1024;

/**
 * Attachment bytes in the workspace schema's `attachment_chunks`, numbered from 0. Uploads and
 * copies write them in the caller's transaction, so a failed one leaves none; downloads read one
 * chunk per query, so a 25 MiB file never sits in memory whole.
 */
export class PostgresAttachmentStore implements AttachmentStore {
  readonly kind = 'postgres';

  async put(scope: AttachmentScope, id: string, file: SpooledFile): Promise<null> {
    let seq = 0;
    for await (const data of inChunksOf(file.open(), CHUNK_BYTES)) {
      await scope.db
        .withSchema(scope.schema)
        .table('attachment_chunks')
        .insert({ attachment_id: id, seq: seq++, data });
    }
    return null;
  }

  async open(scope: AttachmentScope, file: StoredFile): Promise<Readable> {
    const { db, schema } = scope;
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let seq = 0; ; seq++) {
        const row = (await db
          .withSchema(schema)
          .table('attachment_chunks')
          .where({ attachment_id: file.id, seq })
          .first('data')) as { data: Buffer } | undefined;
        if (!row) return;
        yield row.data;
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  /** One INSERT … SELECT in the caller's transaction: the chunks never leave PostgreSQL. */
  async copy(scope: AttachmentScope, copies: readonly FileCopy[]): Promise<null[]> {
    if (copies.length > 0)
      await scope.db.raw(
        `INSERT INTO ??.attachment_chunks (attachment_id, seq, data)
         SELECT m.to_id, c.seq, c.data
         FROM ??.attachment_chunks c JOIN unnest(?::uuid[], ?::uuid[]) AS m(from_id, to_id) ON c.attachment_id = m.from_id`,
        [scope.schema, scope.schema, copies.map((c) => c.from.id), copies.map((c) => c.toId)],
      );
    return copies.map(() => null);
  }

  async remove(scope: AttachmentScope, file: StoredFile): Promise<void> {
    await scope.db
      .withSchema(scope.schema)
      .table('attachment_chunks')
      .where({ attachment_id: file.id })
      .delete();
  }
}

/** The bytes of `source` cut into pieces of exactly `size` (the last one may be shorter). */
async function* inChunksOf(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for await (const piece of source) {
    pending.push(piece);
    length += piece.length;
    while (length >= size) {
      const joined = Buffer.concat(pending, length);
      yield joined.subarray(0, size);
      pending = [joined.subarray(size)];
      length -= size;
    }
  }
  if (length > 0) yield Buffer.concat(pending, length);
}
