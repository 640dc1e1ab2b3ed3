import { BadRequestError } from '../../platform/errors.js';
import { isUuid } from '../../platform/ids.js';
import { decodeCursor } from '../../store/keyset.js';

/**
 * The lists here page by one uuid column. A cursor that decodes but does not hold a uuid was not
 * issued by us; reject it as such instead of letting Postgres fail on the cast (a 500).
 */
export function assertUuidCursor(cursor: string | undefined): void {
  if (cursor === undefined) return;
  const [id] = decodeCursor(cursor, 1);
  if (typeof id !== 'string' || !isUuid(id)) {
    throw new BadRequestError('cursor is not a cursor this API issued', 'invalid_cursor');
  }
}
