/**
 * The log lines of citizen logins (accepted and refused) carry the event, method, level, code and
 * reason, and no personal data: no names, birth dates, bPK2, e-mail addresses, codes or states.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { buildApp, type App } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { seedDemoData } from '../../demo/seed-demo-data.ts';
import { createTestDatabase } from '../../../test/support/database.ts';
import { BrowserClient } from '../../../test/support/browser-client.ts';
import { createFieldCipher } from '../../platform/crypto/field-encryption.ts';
import { logInWithDemoOidc } from '../../../test/support/citizen-login.ts';

const lines: string[] = [];
let app: App;
let drop: () => Promise<void>;
let base: string;

before(async () => {
  const config = loadConfig({ NODE_ENV: 'test', DEMO: 'true', RUN_WORKER: 'false', DATA_DIR: ':memory:', CACHE_CHECK_MS: '0', RATE_LIMIT_PER_MINUTE: '100000' });
  const created = await createTestDatabase();
  drop = created.drop;
  await seedDemoData(created.database.db, createFieldCipher(config.encryptionKey));
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(...String(chunk).split('\n').filter(Boolean)); done(); } });
  app = await buildApp(config, { database: created.database, logger: pino({ level: 'info' }, sink) });
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
});
after(async () => {
  await app.close();
  await drop();
});

test('accepted and refused logins are logged without personal data', async () => {
  const browser = new BrowserClient(base);
  const ok = await logInWithDemoOidc(browser, { person: 'U01', level: 'substantiell', query: '?niveau=substantiell&weiter=/konto' });
  assert.equal(ok.status, 303);
  const refused = await browser.get('/oidc/callback?code=secret-code-123&state=state-value-456');
  assert.equal(refused.status, 400);
  const tooLow = await logInWithDemoOidc(new BrowserClient(base), { person: 'U02', level: 'niedrig', query: '?niveau=hoch' });
  assert.equal(tooLow.status, 401);

  const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => typeof l.event === 'string');
  const login = events.find((e) => e.event === 'citizen_login');
  assert.equal(login?.method, 'oidc');
  assert.equal(login?.level, 'substantiell');
  assert.deepEqual(events.filter((e) => e.event === 'citizen_login_refused').map((e) => [e.method, e.code, e.reason]), [['oidc', 'invalid', 'state'], ['oidc', 'level', 'level_too_low']]);
  const all = lines.join('\n');
  assert.doesNotMatch(all, /Neumann|Maria|Schmidt|Manfred|BUNDIDSIM|1964-08-12|example\.com|secret-code-123|state-value-456|code=|state=/);
});
