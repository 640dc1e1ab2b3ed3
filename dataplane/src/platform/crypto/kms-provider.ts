/**
 * Key management: a provider wraps (encrypts) and unwraps data keys with a key it holds and we
 * never see (AWS KMS, Vault Transit) or one from configuration (local). The context is bound to
 * the wrapped key: unwrapping with a different context fails.
 */
export type KmsContext = Readonly<Record<string, string>>;

export interface WrappedKey {
  /** Opaque text to store; meaningless without the provider. */
  wrapped: string;
  /** Which provider key (version) wrapped it; stored beside `wrapped`. */
  keyVersion: string;
}

export interface GeneratedDataKey extends WrappedKey {
  /** The new key itself: use it, then drop it; only `wrapped` is stored. */
  plaintextKey: Buffer;
}

export interface KmsProvider {
  /** `local`, `aws` or `vault`. */
  readonly name: string;
  /** The provider key wrapping new data keys (a KMS key id, a transit key name, `local`). */
  readonly keyId: string;
  wrap(plaintextKey: Buffer, context: KmsContext): Promise<WrappedKey>;
  unwrap(wrapped: string, keyVersion: string, context: KmsContext): Promise<Buffer>;
  /** Wraps the same key again under the provider's current key version. */
  rewrap(wrapped: string, keyVersion: string, context: KmsContext): Promise<WrappedKey>;
  /** A new random 256-bit data key, with its wrapped form. */
  generateDataKey(context: KmsContext): Promise<GeneratedDataKey>;
}

/** The subset of `fetch` providers use; injectable so tests point them at in-repo fakes. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** The context as one canonical string (keys sorted), for AAD and Vault's derivation context. */
export function canonicalContext(context: KmsContext): string {
  return JSON.stringify(
    Object.fromEntries(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  );
}
