import { randomBytes, createHash } from 'node:crypto';
import { v7 as uuidv7, validate as uuidValidate } from 'uuid';

/** Time-ordered UUIDs: good B-tree locality and a natural keyset order. */
export const newId = (): string => uuidv7();

export const isUuid = (value: string): boolean => uuidValidate(value);

/** An unguessable token for a URL or a header (256 bits, base64url). */
export const newOpaqueToken = (): string => randomBytes(32).toString('base64url');

/** Tokens are stored only as their SHA-256; a leaked table does not leak sessions. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
