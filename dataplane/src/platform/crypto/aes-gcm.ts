import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';

export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export interface Sealed {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** AES-256-GCM with a fresh random 96-bit IV; `aad` is authenticated, not encrypted. */
export function seal(key: KeyObject | Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** The plaintext, or a thrown error when the key, AAD, IV, ciphertext or tag do not match. */
export function open(key: KeyObject | Buffer, sealed: Sealed, aad: Buffer): Buffer {
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES)
    throw new Error('malformed sealed data');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
}

/** iv ‖ tag ‖ ciphertext as one base64 string. */
export function packSealed(sealed: Sealed): string {
  return Buffer.concat([sealed.iv, sealed.tag, sealed.ciphertext]).toString('base64');
}

export function unpackSealed(text: string): Sealed {
  const bytes = Buffer.from(text, 'base64');
  return {
    iv: bytes.subarray(0, IV_BYTES),
    tag: bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
    ciphertext: bytes.subarray(IV_BYTES + TAG_BYTES),
  };
}
