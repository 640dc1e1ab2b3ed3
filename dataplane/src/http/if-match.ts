import type { Context } from 'koa';
import { BadRequestError } from '../platform/errors.js';

/** `If-Match: "3"` (or `W/"3"`, or `3`): the version an update is based on. */
export function ifMatchVersion(ctx: Context): number | undefined {
  const header = ctx.get('if-match');
  if (!header) return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!match) throw new BadRequestError('If-Match must carry the row version, e.g. "3"', 'invalid_if_match');
  return Number(match[1]);
}
