import type { Knex } from 'knex';
import { CredentialCipher } from '../../platform/crypto/credential-cipher.js';
import type { DataKeyStore } from '../../platform/crypto/data-key-store.js';
import type { KmsProvider } from '../../platform/crypto/kms-provider.js';
import { NotFoundError } from '../../platform/errors.js';
import { resolveAndCheckHost } from '../../platform/ssrf/resolve-and-check.js';
import type { SsrfPolicy } from '../../platform/ssrf/ssrf-policy.js';
import { Workspace } from '../../store/models/workspace.model.js';
import type { CheckedHost, HostGuard, SecretSealer } from './ports.js';

/** Envelope encryption with a data key per workspace, wrapped by the configured KMS provider. */
export function credentialSealer(provider: KmsProvider, store: DataKeyStore): SecretSealer {
  const cipher = new CredentialCipher({ provider, store });
  return {
    seal: (workspaceId, connectionId, plaintext) => cipher.encrypt(workspaceId, connectionId, plaintext),
    open: (workspaceId, connectionId, envelope) => cipher.decrypt(workspaceId, connectionId, envelope),
    rotate: async (workspaceId) => {
      const {
        previousVersion,
        version,
        provider: name,
        kmsKeyVersion,
        rewrapped,
      } = await cipher.rotate(workspaceId);
      return { previousVersion, version, provider: name, kmsKeyVersion, rewrapped };
    },
    reseal: (workspaceId, connectionId, envelope) => cipher.reEncrypt(workspaceId, connectionId, envelope),
  };
}

/**
 * The SSRF guard: one resolution, every address checked, the driver gets the checked address.
 * A verdict is kept for `ttlMs`, so queries do not each pay a DNS lookup and a pool keyed by the
 * address is not replaced whenever a round-robin answer changes order.
 */
export function hostGuard(policy: SsrfPolicy, ttlMs = 60_000, now: () => number = Date.now): HostGuard {
  const verdicts = new Map<string, { target: CheckedHost; expiresAt: number }>();
  return {
    async check(host, port) {
      const key = `${host}\u0000${port}`;
      const kept = verdicts.get(key);
      if (kept && kept.expiresAt > now()) return kept.target;
      const checked = await resolveAndCheckHost(host, port, policy);
      const target = { address: checked.address, servername: checked.servername || host };
      if (verdicts.size >= 1000) verdicts.clear();
      verdicts.set(key, { target, expiresAt: now() + ttlMs });
      return target;
    },
  };
}

/** Workspace id → schema name; schemas never change for a workspace, so answers are kept. */
export function workspaceSchemaOf(knex: Knex): (workspaceId: string) => Promise<string> {
  const known = new Map<string, string>();
  return async (workspaceId) => {
    const cached = known.get(workspaceId);
    if (cached) return cached;
    const workspace = await Workspace.query(knex).findById(workspaceId);
    if (!workspace) throw new NotFoundError('Workspace');
    known.set(workspaceId, workspace.schemaName);
    return workspace.schemaName;
  };
}
