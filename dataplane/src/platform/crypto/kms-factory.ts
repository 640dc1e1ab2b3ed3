import { ConfigError, type Config } from '../config.js';
import { AwsKmsProvider } from './aws-kms.provider.js';
import type { FetchLike, KmsProvider } from './kms-provider.js';
import { LocalKmsProvider } from './local-kms.provider.js';
import { VaultTransitProvider } from './vault-transit.provider.js';

export interface KmsProviderOverrides {
  /** The local master key when configuration has none (standalone generates one in LT_DATA_DIR). */
  masterKey?: string;
  fetch?: FetchLike;
}

/** The KMS provider LT_KMS_PROVIDER selects, configured from the environment. */
export function createKmsProvider(
  config: Pick<Config, 'masterKey' | 'kms'>,
  overrides: KmsProviderOverrides = {},
): KmsProvider {
  const { kms } = config;
  const fetchOption = overrides.fetch ? { fetch: overrides.fetch } : {};
  switch (kms.provider) {
    case 'local': {
      const masterKey = config.masterKey ?? overrides.masterKey;
      if (!masterKey) throw new ConfigError('LT_MASTER_KEY is required when LT_KMS_PROVIDER=local');
      return new LocalKmsProvider({ masterKey, retiredKeys: kms.retiredMasterKeys });
    }
    case 'aws': {
      if (!kms.aws) throw new ConfigError('LT_KMS_PROVIDER=aws is not configured');
      const { region, keyId, endpoint, accessKeyId, secretAccessKey, sessionToken } = kms.aws;
      return new AwsKmsProvider({
        region,
        keyId,
        endpoint,
        credentials: { accessKeyId, secretAccessKey, sessionToken },
        ...fetchOption,
      });
    }
    case 'vault': {
      if (!kms.vault) throw new ConfigError('LT_KMS_PROVIDER=vault is not configured');
      const { address, token, transitKey, mount } = kms.vault;
      return new VaultTransitProvider({ address, token, keyName: transitKey, mount, ...fetchOption });
    }
  }
}
