/** One data key of a workspace, as stored: only its wrapped form. */
export interface StoredDataKey {
  /** 1, 2, ...: the key version envelopes name. */
  version: number;
  wrapped: string;
  /** The provider key version that wrapped it. */
  kmsKeyVersion: string;
  /** The provider that wrapped it (`local`, `aws`, `vault`). */
  provider: string;
  createdAt: string;
}

/** Every data key of one workspace; the last (highest version) encrypts new credentials. */
export interface DataKeyRecord {
  /** 1 for the first save, then one more at every save: the store's compare-and-set token. */
  revision: number;
  keys: StoredDataKey[];
}

/**
 * Where a workspace's data keys live (a table row in practice). `save` must be a compare-and-set:
 * it stores `record` only if the stored revision is `record.revision - 1` (or, for revision 1,
 * if nothing is stored) and answers whether it did, so two processes creating or rotating the
 * same workspace's keys at once cannot overwrite each other.
 */
export interface DataKeyStore {
  load(workspaceId: string): Promise<DataKeyRecord | undefined>;
  save(workspaceId: string, record: DataKeyRecord): Promise<boolean>;
}

/** In-process DataKeyStore for tests and single-process use. */
export class MemoryDataKeyStore implements DataKeyStore {
  readonly #records = new Map<string, string>();

  async load(workspaceId: string): Promise<DataKeyRecord | undefined> {
    const json = this.#records.get(workspaceId);
    return json === undefined ? undefined : (JSON.parse(json) as DataKeyRecord);
  }

  async save(workspaceId: string, record: DataKeyRecord): Promise<boolean> {
    // Compare and set with no await in between: that is what makes it atomic here.
    const json = this.#records.get(workspaceId);
    const storedRevision = json === undefined ? 0 : (JSON.parse(json) as DataKeyRecord).revision;
    if (storedRevision !== record.revision - 1) return false;
    this.#records.set(workspaceId, JSON.stringify(record));
    return true;
  }
}
