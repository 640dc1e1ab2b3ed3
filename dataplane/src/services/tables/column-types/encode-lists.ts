import { accept, invalidValue, refuse, type Encoder } from './cell-check.js';
import { isLabel, isPlainObject, isStorableText, isUuid, kindOf, quoted } from './input.js';
import { MAX_ATTACHMENTS, MAX_LINKS, MAX_MULTI_SELECT } from './limits.js';

/**
 * Encoders of the choice and list types. jsonb values are bound as the text JSON.stringify
 * makes of them; links are not stored in the row, so they stay a JS array of row ids.
 */

/** One of the column's choice names, exactly (names are trimmed when the column is saved). */
export const encodeSingleSelect: Encoder = (value, column) => {
  if (typeof value !== 'string') return invalidValue(`expected a choice name, got ${kindOf(value)}`);
  return choiceNames(column.options.choices).has(value)
    ? accept(value)
    : refuse('invalid_choice', `${quoted(value)} is not one of the choices`);
};

/** Distinct choice names, in the order given. */
export const encodeMultiSelect: Encoder = (value, column) => {
  if (!Array.isArray(value)) return invalidValue(`expected an array of choice names, got ${kindOf(value)}`);
  if (value.length > MAX_MULTI_SELECT) return invalidValue(`must hold at most ${MAX_MULTI_SELECT} choices`);
  const names = choiceNames(column.options.choices);
  const seen = new Set<string>();
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'string') return invalidValue(`expected choice names, got ${kindOf(entry)}`);
    if (!names.has(entry)) return refuse('invalid_choice', `${quoted(entry)} is not one of the choices`);
    if (seen.has(entry)) return invalidValue(`${quoted(entry)} is chosen twice`);
    seen.add(entry);
  }
  return accept(JSON.stringify(value));
};

function choiceNames(choices: { name: string }[] | undefined): Set<string> {
  return new Set((choices ?? []).map((choice) => choice.name));
}

const ATTACHMENT_MEMBERS = ['id', 'name', 'size', 'mimeType'];
const MAX_FILE_NAME_LENGTH = 1000;
const MAX_MIME_TYPE_LENGTH = 255;

/**
 * Attachment descriptors as the client gives them, shape checked only (the file's existence is
 * the attachment store's concern): `{id, name, size, mimeType}` and no other member.
 */
export const encodeAttachment: Encoder = (value) => {
  if (!Array.isArray(value)) return invalidValue(`expected an array of attachments, got ${kindOf(value)}`);
  if (value.length > MAX_ATTACHMENTS) return invalidValue(`must hold at most ${MAX_ATTACHMENTS} attachments`);
  const attachments: unknown[] = [];
  for (const [index, entry] of (value as unknown[]).entries()) {
    const attachment = attachmentOf(entry);
    if (!attachment) {
      return invalidValue(
        `attachment ${index} must be {id: UUID, name, size: integer ≥ 0, mimeType} and nothing else`,
      );
    }
    attachments.push(attachment);
  }
  return accept(JSON.stringify(attachments));
};

function attachmentOf(entry: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(entry) || Object.keys(entry).some((key) => !ATTACHMENT_MEMBERS.includes(key))) {
    return undefined;
  }
  const { id, name, size, mimeType } = entry;
  const nameOk =
    typeof name === 'string' && name !== '' && name.length <= MAX_FILE_NAME_LENGTH && isStorableText(name);
  const typeOk =
    typeof mimeType === 'string' &&
    mimeType !== '' &&
    mimeType.length <= MAX_MIME_TYPE_LENGTH &&
    isLabel(mimeType);
  const sizeOk = Number.isSafeInteger(size) && (size as number) >= 0;
  return isUuid(id) && nameOk && typeOk && sizeOk
    ? { id: id.toLowerCase(), name, size, mimeType }
    : undefined;
}

/** Ids of rows of the linked table (whether they exist is the caller's check). */
export const encodeLink: Encoder = (value) => {
  if (!Array.isArray(value)) return invalidValue(`expected an array of row ids, got ${kindOf(value)}`);
  if (value.length > MAX_LINKS) return invalidValue(`must link at most ${MAX_LINKS} rows`);
  const ids = new Set<string>();
  for (const entry of value as unknown[]) {
    if (!isUuid(entry)) return invalidValue('expected row ids (UUIDs)');
    const id = entry.toLowerCase();
    if (ids.has(id)) return invalidValue(`row ${id} is linked twice`);
    ids.add(id);
  }
  return accept([...ids]);
};
