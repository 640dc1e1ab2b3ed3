import type { Knex } from 'knex';
import { CredentialCipher } from '../../platform/crypto/credential-cipher.js';
import type { DataKeyStore } from '../../platform/crypto/data-key-store.js';
import type { KmsProvider } from '../../platform/crypto/kms-provider.js';
import { NotFoundError } from '../../platform/errors.js';
import { resolveAndCheckHost } from '../../platform/ssrf/resolve-and-check.js';
import type { SsrfPolicy } from '../../platform/ssrf/ssrf-policy.js';
import { Workspace } from '../../store/models/workspace.model.js';
import type { HostGuard, SecretSealer } from './ports.js';

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

/** The SSRF guard: one resolution, every address checked, the driver gets the checked address. */
export function hostGuard(policy: SsrfPolicy): HostGuard {
  return {
    async check(host, port) {
      const target = await resolveAndCheckHost(host, port, policy);
      return { address: target.address, servername: target.servername || host };
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
