import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { validate as uuidValidate } from 'uuid';

/** Random bytes drawn from a pooled buffer: one system call per 2 048 ids, not one per id. */
const pool = Buffer.alloc(16 * 1024);
let poolOffset = pool.length;
function randomByte(): number {
  if (poolOffset >= pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++] as number;
}

let lastMs = 0;
let counter = 0;

/**
 * Time-ordered UUIDs (RFC 9562 version 7): good B-tree locality and a natural keyset order.
 * 48 bits of Unix milliseconds, a 12-bit counter that keeps ids of one millisecond in creation
 * order (seeded at random in its lower half, method 1 of the RFC), 62 random bits. Bulk writes
 * create thousands a call, so this avoids a random-number call per id.
 */
export function newId(): string {
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    counter = ((randomByte() & 0x07) << 8) | randomByte();
  } else {
    ms = lastMs;
    if (++counter > 0xfff) {
      // The counter ran out within one millisecond: borrow the next one (still ordered).
      lastMs = ++ms;
      counter = 0;
    }
  }
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (randomByte() & 0x3f);
  for (let i = 9; i < 16; i++) bytes[i] = randomByte();
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const isUuid = (value: string): boolean => uuidValidate(value);

/** An unguessable token for a URL or a header (256 bits, base64url). */
export const newOpaqueToken = (): string => randomBytes(32).toString('base64url');

/** Tokens are stored only as their SHA-256; a leaked table does not leak sessions. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
