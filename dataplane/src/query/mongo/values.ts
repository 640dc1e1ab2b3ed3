import { ObjectId, UUID } from 'bson';
import { ValidationError } from '../../platform/errors.js';
import type { ResolvedField, Scalar } from '../plan.js';

/**
 * Analysed filter values (text, numbers, booleans, `YYYY-MM-DD`, ISO instants, UUID text) as
 * the BSON values MongoDB compares them with: an ObjectId for `objectId` fields, a Date for
 * date and datetime fields, a UUID binary for `uuid` binaries. Values are always scalars by
 * then (validateQuery refuses objects), so a value never becomes an operator.
 */
export function invalid(path: string, message: string): ValidationError {
  return new ValidationError(`${path}: ${message}`, [{ path, message }]);
}

const OBJECT_ID = /^[0-9a-fA-F]{24}$/;

export function toBson(value: Scalar, field: ResolvedField, path = 'filter'): unknown {
  const native = field.target.kind === 'column' ? field.target.column.nativeType : undefined;
  if (native === 'objectId') {
    if (typeof value === 'string' && OBJECT_ID.test(value)) return ObjectId.createFromHexString(value);
    throw invalid(path, `${JSON.stringify(field.ref)} holds ObjectIds: expected 24 hexadecimal characters`);
  }
  switch (field.type) {
    case 'date':
      return new Date(`${String(value)}T00:00:00.000Z`);
    case 'datetime':
      return new Date(String(value));
    case 'uuid':
      return native === 'uuid' ? new UUID(String(value)) : value;
    default:
      return value;
  }
}

/** Whether a field holds ObjectIds (text operators do not apply to them). */
export function isObjectIdField(field: ResolvedField): boolean {
  return field.target.kind === 'column' && field.target.column.nativeType === 'objectId';
}

export function isArrayField(field: ResolvedField): boolean {
  return field.target.kind === 'column' && field.target.column.nativeType === 'array';
}
