import { expect } from 'chai';
import { decodeSecretData, resolveSecretValues } from '../../../../operator/src/desired/secret-values.js';
import { desiredSecret } from '../../../../operator/src/desired/secret.js';
import { workspace } from '../resources/fixtures.js';
import { CONFIG } from './inputs.js';

/** Deterministic bytes: each call fills with the next byte value. */
function counter() {
  let next = 1;
  const calls: number[] = [];
  return {
    calls,
    random: (n: number) => {
      calls.push(n);
      return Buffer.alloc(n, next++);
    },
  };
}

describe('operator desired state: the Secret’s values', () => {
  it('generates the password (32 bytes), JWT_SECRET (48, base64url) and LT_MASTER_KEY (32, base64) once', () => {
    const { random, calls } = counter();
    const values = resolveSecretValues(workspace(), CONFIG, undefined, random);
    expect(calls).to.deep.equal([32, 48, 32]);
    expect(values.password).to.equal(Buffer.alloc(32, 1).toString('base64url'));
    expect(values.data).to.deep.equal({
      DATABASE_URL: `postgres://lt_ws_acme:${values.password}@pg.platform.svc:5432/livetables?sslmode=require`,
      JWT_SECRET: Buffer.alloc(48, 2).toString('base64url'),
      LT_MASTER_KEY: Buffer.alloc(32, 3).toString('base64'),
      LT_OWNER_EMAIL: 'owner@acme.test',
      REDIS_URL: 'redis://redis.platform.svc:6379',
    });
    expect(values.data.JWT_SECRET).to.have.length(64);
    expect(values.data.LT_MASTER_KEY).to.match(/^[A-Za-z0-9+/]{43}=$/);
    expect(values.generated).to.have.members(['DATABASE_URL', 'JWT_SECRET', 'LT_MASTER_KEY']);
  });

  it('reuses every value of an existing Secret and generates nothing', () => {
    const first = resolveSecretValues(workspace(), CONFIG, undefined);
    const existing = desiredSecret(workspace(), first.data).data;
    const { random, calls } = counter();
    const again = resolveSecretValues(workspace(), CONFIG, existing, random);
    expect(again).to.deep.equal({ data: first.data, password: first.password, generated: [] });
    expect(calls).to.deep.equal([]);
  });

  it('keeps the password when the tenant host changes, and regenerates only what is missing or malformed', () => {
    const first = resolveSecretValues(workspace(), CONFIG, undefined);
    const existing = desiredSecret(workspace(), { ...first.data, LT_MASTER_KEY: 'short' }).data ?? {};
    delete existing.JWT_SECRET;
    const moved = { ...CONFIG, tenantDatabase: { host: 'pgbouncer.platform.svc', port: 6432 } };
    const again = resolveSecretValues(workspace(), moved, existing);
    expect(again.password).to.equal(first.password);
    expect(again.data.DATABASE_URL).to.equal(
      `postgres://lt_ws_acme:${first.password}@pgbouncer.platform.svc:6432/livetables?sslmode=require`,
    );
    expect(again.generated).to.have.members(['JWT_SECRET', 'LT_MASTER_KEY']);
    expect(again.data.LT_MASTER_KEY).to.not.equal('short');
  });

  it('carries REDIS_URL (it may hold a password) only when the operator has one', () => {
    expect(resolveSecretValues(workspace(), CONFIG, undefined).data.REDIS_URL).to.equal(CONFIG.redisUrl);
    const without = resolveSecretValues(workspace(), { ...CONFIG, redisUrl: undefined }, undefined).data;
    expect(without).to.not.have.property('REDIS_URL');
  });

  it('writes the owner’s email from the spec', () => {
    const values = resolveSecretValues(workspace({ owner: { email: 'Boss@Acme.test' } }), CONFIG, undefined);
    expect(values.data.LT_OWNER_EMAIL).to.equal('Boss@Acme.test');
  });

  it('decodes a Secret’s data', () => {
    expect(decodeSecretData({ A: Buffer.from('ä b').toString('base64') })).to.deep.equal({ A: 'ä b' });
    expect(decodeSecretData(undefined)).to.deep.equal({});
  });
});
