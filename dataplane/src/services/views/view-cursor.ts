import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { BadRequestError } from '../../platform/errors.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * View page cursors, sealed (AES-256-GCM, bound to the view). A query layer cursor holds the last
 * row's sort keys and primary key in clear, which may be columns the view hides; sealed, it is
 * opaque and cannot be forged or replayed against another view. A cursor that does not open is
 * a 400 `invalid_cursor`, like any cursor this API did not issue.
 */
export class CursorSeal {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('a cursor key has 32 bytes');
  }

  seal(cursor: string, viewId: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(viewId));
    const body = Buffer.concat([cipher.update(cursor, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  open(sealed: string, viewId: string): string {
    const bytes = Buffer.from(sealed, 'base64url');
    if (bytes.length <= IV_BYTES + TAG_BYTES) throw invalidCursor();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(viewId));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw invalidCursor();
    }
  }
}

const invalidCursor = () => new BadRequestError('cursor is not a cursor this view issued', 'invalid_cursor');
