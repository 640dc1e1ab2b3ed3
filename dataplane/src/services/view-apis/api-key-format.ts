import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys are `lt_<prefix>_<secret>`: a 10-character prefix (lower-case letters and digits,
 * about 51 bits) that identifies the key and is shown in lists, and a 256-bit random secret
 * (base64url). Only the secret's SHA-256 is stored: a secret of 256 random bits cannot be
 * guessed, so a slow password hash would add nothing but cost on every request.
 */
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const PREFIX_LENGTH = 10;
const KEY = /^lt_([a-z0-9]{10})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  /** The whole key, shown once. */
  key: string;
  prefix: string;
  secretHash: string;
}

export function generateApiKey(): NewApiKey {
  // 36 letters: bytes below 252 (= 7 × 36) map without bias; the rest are drawn again.
  let prefix = '';
  while (prefix.length < PREFIX_LENGTH) {
    for (const byte of randomBytes(16)) {
      if (byte < 252 && prefix.length < PREFIX_LENGTH) prefix += PREFIX_ALPHABET[byte % 36];
    }
  }
  const secret = randomBytes(32).toString('base64url');
  return { key: `lt_${prefix}_${secret}`, prefix, secretHash: hashSecret(secret) };
}

/** The prefix and secret of a presented key, or undefined when it is not shaped like one. */
export function parseApiKey(presented: string): { prefix: string; secret: string } | undefined {
  const match = KEY.exec(presented);
  return match?.[1] && match[2] ? { prefix: match[1], secret: match[2] } : undefined;
}

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Compares in constant time, so timing never tells how much of a guess was right. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
