import { IV_BYTES, TAG_BYTES, type Sealed } from './aes-gcm.js';

/**
 * A stored credential: `v1.<dataKeyVersion>.<iv>.<ciphertext>.<tag>`, the three last in
 * standard base64. `v1` is the format; the data key version says which of the workspace's data
 * keys encrypted it (AES-256-GCM, 96-bit random IV, AAD `<workspaceId>:<connectionId>`).
 */
export interface Envelope extends Sealed {
  keyVersion: number;
}

const FORMAT = 'v1';

export function formatEnvelope(envelope: Envelope): string {
  const b64 = (b: Buffer): string => b.toString('base64');
  return [
    FORMAT,
    String(envelope.keyVersion),
    b64(envelope.iv),
    b64(envelope.ciphertext),
    b64(envelope.tag),
  ].join('.');
}

/** Strict: only canonical base64 is accepted, so no two texts decode to the same bytes. */
function strictBase64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** The parsed envelope, or undefined when `text` is not one. */
export function parseEnvelope(text: string): Envelope | undefined {
  const parts = text.split('.');
  if (parts.length !== 5 || parts[0] !== FORMAT || !/^[1-9]\d{0,8}$/.test(parts[1] ?? '')) return undefined;
  const [iv, ciphertext, tag] = parts.slice(2).map((p) => strictBase64(p));
  if (!iv || !ciphertext || !tag || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return undefined;
  return { keyVersion: Number(parts[1]), iv, ciphertext, tag };
}

/** The data key version an envelope names, or undefined when it is not an envelope. */
export function envelopeKeyVersion(text: string): number | undefined {
  return parseEnvelope(text)?.keyVersion;
}
