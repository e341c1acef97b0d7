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
    for (const name of ['DEMO', 'SESSION_SECRET', 'DATA_ENCRYPTION_KEY', 'SMTP_URL', 'OPERATOR_NAME', 'OPERATOR_ADDRESS', 'OPERATOR_EMAIL']) {
      assert.match(text, new RegExp(`^${name}:`, 'm'));
    }
    return true;
  });
  assert.throws(() => loadConfig({
    NODE_ENV: 'production', SESSION_SECRET: 'demo-session-secret-not-for-production-use-000',
    DATA_ENCRYPTION_KEY: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
  }), /demo secret cannot be used[\s\S]*demo key cannot be used/);
});

test('production with complete settings starts without demo data and with secure cookies', () => {
  const config = loadConfig({
    NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), DATA_ENCRYPTION_KEY: 'ab'.repeat(32),
    SMTP_URL: 'smtp://mail.example.de:587', OPERATOR_NAME: 'AKDB', OPERATOR_ADDRESS: 'Hansastraße 12;80686 München',
    OPERATOR_EMAIL: 'betrieb@example.de', DATABASE_URL: 'postgres://app@db.example.de:5432/portal',
  });
  assert.equal(config.demo, false);
  assert.equal(config.secureCookies, true);
  assert.deepEqual(config.operator.addressLines, ['Hansastraße 12', '80686 München']);
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
