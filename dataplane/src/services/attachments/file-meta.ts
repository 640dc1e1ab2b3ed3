import { ValidationError } from '../../platform/errors.js';
import { exceedsLength, isLabel } from '../tables/column-types/input.js';

/** What an upload is called when the client names it nowhere. */
export const DEFAULT_FILE_NAME = 'file';
export const DEFAULT_MEDIA_TYPE = 'application/octet-stream';
const MAX_NAME_LENGTH = 255;
const MAX_MEDIA_TYPE_LENGTH = 255;

/** `type/subtype` and optional `; name=value` parameters (RFC 9110 media-type). */
const MEDIA_TYPE =
  /^[\w!#$&^.+'*`|~-]+\/[\w!#$&^.+'*`|~-]+(\s*;\s*[\w!#$&^.+'*`|~-]+=([\w!#$&^.+'*`|~-]+|"[^"\\]*"))*$/;

/**
 * An upload's file name: the last part of a path (some clients send one), a single line, at most
 * 255 characters. It is shown back in Content-Disposition, so control characters are refused.
 */
export function fileName(raw: string | undefined): string {
  if (raw === undefined) return DEFAULT_FILE_NAME;
  const name = (raw.split(/[/\\]/).pop() ?? '').trim();
  if (name === '' || name === '.' || name === '..') throw invalid('name', 'must name a file');
  if (!isLabel(name)) throw invalid('name', 'must not contain control characters');
  if (exceedsLength(name, MAX_NAME_LENGTH))
    throw invalid('name', `must be at most ${MAX_NAME_LENGTH} characters`);
  return name;
}

/** An upload's media type (its Content-Type as sent); none means `application/octet-stream`. */
export function mediaType(raw: string | undefined): string {
  const value = raw?.trim();
  if (!value) return DEFAULT_MEDIA_TYPE;
  if (value.length > MAX_MEDIA_TYPE_LENGTH || !isLabel(value) || !MEDIA_TYPE.test(value))
    throw invalid('mimeType', 'must be a media type such as image/png');
  return value;
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(`${path} ${message}`, [{ path, message }]);
}
