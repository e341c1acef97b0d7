import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

test('defaults give a demo on embedded PGlite in ./data on port 3000', () => {
  const config = loadConfig({});
  assert.equal(config.port, 3000);
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.dataDir, path.resolve('./data'));
  assert.equal(config.demo, true);
  assert.equal(config.secureCookies, false);
});

test('lists every invalid setting at once', () => {
  assert.throws(
    () => loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', SESSION_SECRET: 'short', DATA_ENCRYPTION_KEY: 'xyz' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const fields = error.problems.map((p) => p.split(':')[0]).sort();
      assert.deepEqual(fields, ['DATABASE_URL', 'DATA_ENCRYPTION_KEY', 'PORT', 'SESSION_SECRET']);
      return true;
    },
  );
});

test('production refuses demo data and demo secrets, and names what is missing', () => {
  assert.throws(() => loadConfig({ NODE_ENV: 'production', DEMO: 'true' }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    const text = error.problems.join('\n');
    for (const name of ['DEMO', 'SESSION_SECRET', 'DATA_ENCRYPTION_KEY', 'SMTP_URL', 'OPERATOR_NAME', 'OPERATOR_ADDRESS', 'OPERATOR_EMAIL', 'SEAL_KEY_FILE', 'SEAL_CERT_FILE']) {
      assert.match(text, new RegExp(`^${name}:`, 'm'));
    }
    return true;
  });
  assert.throws(() => loadConfig({
    NODE_ENV: 'production', SESSION_SECRET: 'demo-session-secret-not-for-production-use-000',
    DATA_ENCRYPTION_KEY: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
  }), /demo secret cannot be used[\s\S]*demo key cannot be used/);
});

const COMPLETE_PRODUCTION = {
  NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), DATA_ENCRYPTION_KEY: 'ab'.repeat(32),
  SMTP_URL: 'smtp://mail.example.de:587', OPERATOR_NAME: 'AKDB', OPERATOR_ADDRESS: 'Hansastraße 12;80686 München',
  OPERATOR_EMAIL: 'betrieb@example.de', DATABASE_URL: 'postgres://app@db.example.de:5432/portal',
  PUBLIC_URL: 'https://portal.example.de', SAML_IDP_METADATA: 'https://id.bund.de/idp/metadata.xml',
  SAML_SP_KEY_FILE: '/etc/portal/saml-sp.key', SAML_SP_CERT_FILE: '/etc/portal/saml-sp.crt',
  SEAL_KEY_FILE: '/etc/portal/seal.key', SEAL_CERT_FILE: '/etc/portal/seal.crt',
  PMPAYMENT_URL: 'https://payment.example.de/pmpayment', PMPAYMENT_SECRET: 'p'.repeat(40),
};

test('production with complete settings starts without demo data, without the demo identity provider and with secure cookies', () => {
  const config = loadConfig(COMPLETE_PRODUCTION);
  assert.equal(config.demo, false);
  assert.equal(config.secureCookies, true);
  assert.deepEqual(config.operator.addressLines, ['Hansastraße 12', '80686 München']);
  assert.equal(config.saml.demoIdp, false);
  assert.equal(config.saml.spEntityId, 'https://portal.example.de/saml/metadata');
  assert.equal(config.saml.idpMetadata, 'https://id.bund.de/idp/metadata.xml');
  assert.equal(config.payments.simulator, false);
  assert.equal(config.payments.pmpayment.url, 'https://payment.example.de/pmpayment');
});

test('production refuses the demo identity provider and names the missing SAML settings', () => {
  assert.throws(() => loadConfig({ ...COMPLETE_PRODUCTION, SAML_DEMO_IDP: 'true' }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(error.problems, ['SAML_DEMO_IDP: the demo identity provider cannot be used with NODE_ENV=production']);
    return true;
  });
  const { SAML_IDP_METADATA: _m, SAML_SP_KEY_FILE: _k, SAML_SP_CERT_FILE: _c, PUBLIC_URL: _p, ...withoutSaml } = COMPLETE_PRODUCTION;
  assert.throws(() => loadConfig(withoutSaml), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    for (const name of ['SAML_IDP_METADATA', 'SAML_SP_KEY_FILE', 'SAML_SP_CERT_FILE', 'PUBLIC_URL']) assert.match(error.problems.join('\n'), new RegExp(`^${name}:`, 'm'));
    return true;
  });
});

test('the demo identity provider is on in demo mode and can be switched off', () => {
  assert.equal(loadConfig({}).saml.demoIdp, true);
  assert.equal(loadConfig({}).saml.idpMetadata, null);
  assert.equal(loadConfig({ SAML_DEMO_IDP: 'false' }).saml.demoIdp, false);
  assert.equal(loadConfig({ DEMO: 'false' }).saml.demoIdp, false);
  assert.throws(() => loadConfig({ DEMO: 'false', SAML_DEMO_IDP: 'true' }), /SAML_DEMO_IDP: the demo identity provider is only served in demo mode/);
  assert.throws(() => loadConfig({ SAML_SP_KEY_FILE: '/tmp/sp.key' }), /SAML_SP_KEY_FILE: set together with SAML_SP_CERT_FILE/);
});

test('the server refuses to start in production while the demo identity provider is configured', () => {
  const result = spawnSync(process.execPath, ['src/server.ts'], {
    env: { PATH: process.env.PATH, ...COMPLETE_PRODUCTION, SAML_DEMO_IDP: 'true' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(result.status, 78);
  assert.match(result.stderr, /- SAML_DEMO_IDP: the demo identity provider cannot be used with NODE_ENV=production/);
  assert.equal(result.stdout, '');
});

test('the server refuses to start on an invalid configuration with one message listing every problem', () => {
  const result = spawnSync(process.execPath, ['src/server.ts'], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production', DATABASE_URL: 'not a url', PORT: '-1' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(result.status, 78);
  for (const name of ['DATABASE_URL', 'PORT', 'SESSION_SECRET', 'DATA_ENCRYPTION_KEY', 'SMTP_URL', 'OPERATOR_NAME']) {
    assert.match(result.stderr, new RegExp(`- ${name}:`));
  }
  assert.equal(result.stdout, '');
});

test('production refuses demo seal keys; the demo creates them', () => {
  assert.throws(() => loadConfig({ ...COMPLETE_PRODUCTION, SEAL_DEMO_KEYS: 'true' }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(error.problems, ['SEAL_DEMO_KEYS: demo seal keys cannot be used with NODE_ENV=production']);
    return true;
  });
  assert.equal(loadConfig(COMPLETE_PRODUCTION).seal.demoKeys, false);
  assert.equal(loadConfig(COMPLETE_PRODUCTION).seal.keyFile, '/etc/portal/seal.key');
  assert.equal(loadConfig({}).seal.demoKeys, true);
});

test('OpenID Connect citizen login: demo default, configured provider, production rules', () => {
  const demo = loadConfig({});
  assert.equal(demo.oidc.enabled, true);
  assert.equal(demo.oidc.issuer, null);
  assert.deepEqual(demo.citizenLoginMethods, ['saml', 'oidc']);
  assert.deepEqual(demo.oidc.acrValues, { niedrig: 'STORK-QAA-Level-1', substantiell: 'STORK-QAA-Level-3', hoch: 'STORK-QAA-Level-4' });
  assert.deepEqual(loadConfig({ DEMO: 'false' }).citizenLoginMethods, ['saml']);
  const custom = loadConfig({ OIDC_ISSUER: 'https://idp.example/realms/bundid/', OIDC_CLIENT_ID: 'portal', OIDC_CLIENT_SECRET: 'a-secret-of-sixteen+', OIDC_ACR_VALUES: 'low,substantial,high', CITIZEN_LOGIN_METHODS: 'oidc' });
  assert.equal(custom.oidc.issuer, 'https://idp.example/realms/bundid');
  assert.deepEqual(custom.oidc.acrValues, { niedrig: 'low', substantiell: 'substantial', hoch: 'high' });
  assert.deepEqual(custom.citizenLoginMethods, ['oidc']);
  assert.throws(() => loadConfig({ OIDC_ISSUER: 'https://idp.example' }), /OIDC_CLIENT_ID: OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET/);
  assert.throws(() => loadConfig({ OIDC_ACR_VALUES: 'only-one' }), /OIDC_ACR_VALUES/);
  assert.throws(() => loadConfig({ CITIZEN_LOGIN_METHODS: 'saml,ldap' }), /CITIZEN_LOGIN_METHODS/);
  assert.throws(() => loadConfig({ ...COMPLETE_PRODUCTION, OIDC_ISSUER: 'http://idp.example', OIDC_CLIENT_ID: 'p', OIDC_CLIENT_SECRET: 'demo-oidc-client-secret-not-for-production' }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.problems.join('\n'), /^OIDC_ISSUER: must be an https URL/m);
    assert.match(error.problems.join('\n'), /^OIDC_CLIENT_SECRET: the demo secret cannot be used in production/m);
    return true;
  });
  assert.throws(() => loadConfig({ ...COMPLETE_PRODUCTION, CITIZEN_LOGIN_METHODS: 'saml,oidc' }), /OIDC_ISSUER: required with NODE_ENV=production when CITIZEN_LOGIN_METHODS offers oidc/);
  assert.deepEqual(loadConfig(COMPLETE_PRODUCTION).citizenLoginMethods, ['saml'], 'no demo provider in production');
  assert.equal(loadConfig(COMPLETE_PRODUCTION).oidc.enabled, false);
});
