import { BadRequestError } from '../../platform/errors.js';
import type { FieldsInput } from './row-values.js';

/**
 * How a client settles a row conflict (ADR 0021), always against the version it saw in the
 * conflict's `theirs`: keep the row as it is, or write its own or a merged set of fields. No
 * merge and no last write wins here: a decision made against a known version.
 */
export const RESOLUTIONS = ['theirs', 'mine', 'merged'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export interface ResolutionInput {
  resolution: Resolution;
  version: number;
  fields?: FieldsInput;
}

/** The fields a resolution writes; none for `theirs`. Fields missing or out of place: 400. */
export function resolutionFields(input: ResolutionInput): FieldsInput | undefined {
  if (input.resolution === 'theirs') {
    if (input.fields !== undefined)
      throw new BadRequestError('"theirs" keeps the row as it is: send no fields', 'invalid_resolution');
    return undefined;
  }
  if (input.fields === undefined)
    throw new BadRequestError(
      `"${input.resolution}" writes fields: send them in "fields"`,
      'invalid_resolution',
    );
  return input.fields;
}
