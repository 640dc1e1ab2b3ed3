import { expect } from 'chai';
import { AwsKmsProvider } from '../../../../dataplane/src/platform/crypto/aws-kms.provider.js';
import { createKmsProvider } from '../../../../dataplane/src/platform/crypto/kms-factory.js';
import {
  LocalKmsProvider,
  localKeyVersion,
} from '../../../../dataplane/src/platform/crypto/local-kms.provider.js';
import { VaultTransitProvider } from '../../../../dataplane/src/platform/crypto/vault-transit.provider.js';
import { ConfigError, loadConfig } from '../../../../dataplane/src/platform/config.js';

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');
const KEY_C = Buffer.alloc(32, 3).toString('base64');
const AWS = {
  LT_KMS_PROVIDER: 'aws',
  AWS_REGION: 'eu-west-1',
  LT_AWS_KMS_KEY_ID: 'alias/live-tables',
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'hunter2-secret',
};
const VAULT = {
  LT_KMS_PROVIDER: 'vault',
  VAULT_ADDR: 'https://vault:8200',
  VAULT_TOKEN: 'hunter2-token',
  LT_VAULT_TRANSIT_KEY: 'lt',
};

describe('KMS configuration', () => {
  it('defaults to the local provider with no retired keys', () => {
    expect(loadConfig({}).kms).to.deep.equal({
      provider: 'local',
      retiredMasterKeys: [],
      aws: undefined,
      vault: undefined,
    });
  });

  it('reads retired master keys, comma-separated', () => {
    const config = loadConfig({ LT_MASTER_KEY: KEY_A, LT_MASTER_KEYS_RETIRED: `${KEY_B}, ${KEY_C}` });
    expect(config.kms.retiredMasterKeys).to.deep.equal([KEY_B, KEY_C]);
  });

  it('reads the AWS settings, with the regional endpoint by default', () => {
    expect(loadConfig(AWS).kms.aws).to.deep.equal({
      region: 'eu-west-1',
      keyId: 'alias/live-tables',
      endpoint: 'https://kms.eu-west-1.amazonaws.com',
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'hunter2-secret',
      sessionToken: undefined,
    });
    expect(loadConfig({ ...AWS, LT_AWS_KMS_ENDPOINT: 'http://127.0.0.1:4566' }).kms.aws?.endpoint).to.equal(
      'http://127.0.0.1:4566',
    );
  });

  it('reads the Vault settings, with the transit mount by default', () => {
    expect(loadConfig(VAULT).kms.vault).to.deep.equal({
      address: 'https://vault:8200',
      token: 'hunter2-token',
      transitKey: 'lt',
      mount: 'transit',
    });
  });

  it('names every variable a provider is missing', () => {
    expect(() => loadConfig({ LT_KMS_PROVIDER: 'aws', AWS_REGION: 'eu-west-1' })).to.throw(
      ConfigError,
      'LT_KMS_PROVIDER=aws requires LT_AWS_KMS_KEY_ID, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY',
    );
    expect(() => loadConfig({ LT_KMS_PROVIDER: 'vault' })).to.throw(
      ConfigError,
      'requires VAULT_ADDR, VAULT_TOKEN, LT_VAULT_TRANSIT_KEY',
    );
  });

  it('refuses bad values without repeating secrets', () => {
    for (const [name, value] of [
      ['LT_KMS_PROVIDER', 'gcp'],
      ['LT_MASTER_KEYS_RETIRED', 'hunter2'],
      ['LT_MASTER_KEYS_RETIRED', `${KEY_A},hunter2`],
      ['VAULT_ADDR', 'vault:8200'],
      ['LT_VAULT_TRANSIT_KEY', 'a/b'],
    ] as const) {
      let message = '';
      try {
        loadConfig({ [name]: value });
      } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        message = (error as Error).message;
      }
      expect(message, `${name}=${value}`).to.match(new RegExp(`^${name}=`));
      expect(message).to.not.include('hunter2');
    }
  });
});

describe('createKmsProvider', () => {
  it('builds the local provider from LT_MASTER_KEY and the retired keys', async () => {
    const provider = createKmsProvider(loadConfig({ LT_MASTER_KEY: KEY_A, LT_MASTER_KEYS_RETIRED: KEY_B }));
    expect(provider).to.be.instanceOf(LocalKmsProvider);
    expect((provider as LocalKmsProvider).currentVersion).to.equal(localKeyVersion(KEY_A));
    const old = await new LocalKmsProvider({ masterKey: KEY_B }).wrap(Buffer.alloc(32), { a: 'b' });
    expect(await provider.unwrap(old.wrapped, old.keyVersion, { a: 'b' })).to.deep.equal(Buffer.alloc(32));
  });

  it('takes the generated standalone master key when configuration has none', () => {
    const provider = createKmsProvider(loadConfig({}), { masterKey: KEY_C });
    expect((provider as LocalKmsProvider).currentVersion).to.equal(localKeyVersion(KEY_C));
    expect(() => createKmsProvider(loadConfig({}))).to.throw(ConfigError, 'LT_MASTER_KEY is required');
  });

  it('builds the AWS and Vault providers', () => {
    expect(createKmsProvider(loadConfig(AWS)))
      .to.be.instanceOf(AwsKmsProvider)
      .and.to.include({ name: 'aws', keyId: 'alias/live-tables' });
    expect(createKmsProvider(loadConfig(VAULT)))
      .to.be.instanceOf(VaultTransitProvider)
      .and.to.include({ name: 'vault', keyId: 'lt' });
  });
});
