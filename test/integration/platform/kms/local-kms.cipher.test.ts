import { LocalKmsProvider } from '../../../../dataplane/src/platform/crypto/local-kms.provider.js';
import { credentialCipherSuite } from './cipher-suite.js';

describe('CredentialCipher over the local KMS provider', () => {
  credentialCipherSuite(async () => {
    const current = { masterKey: Buffer.alloc(32, 1) };
    let provider = new LocalKmsProvider(current);
    const subject = {
      get provider() {
        return provider;
      },
      rotateProviderKey: () => {
        provider = new LocalKmsProvider({ masterKey: Buffer.alloc(32, 2), retiredKeys: [current.masterKey] });
      },
    };
    return subject;
  });
});
