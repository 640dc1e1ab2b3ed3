import { Type } from '@sinclair/typebox';
import type { Readable } from 'node:stream';
import { Uuid } from './common.schema.js';

/** An uploaded file; exactly what an attachment cell holds for it. */
export const AttachmentView = Type.Object({
  id: Uuid,
  name: Type.String(),
  size: Type.Integer({ minimum: 0 }),
  mimeType: Type.String(),
});

export const UploadQuery = Type.Object({
  name: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 1000,
      description: 'the file name (else X-File-Name or Content-Disposition)',
    }),
  ),
  columnId: Type.Optional(
    Type.String({ format: 'uuid', description: 'the attachment column the file is for' }),
  ),
});

/** A file's bytes in an answer; OpenAPI documents it under its contentMediaType. */
export const FileContent = Type.Unsafe<Readable>({
  type: 'string',
  contentMediaType: 'application/octet-stream',
  description: 'the file, with its own Content-Type',
});
