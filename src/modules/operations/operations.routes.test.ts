import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestApp } from '../../../test/support/app.ts';
import { html } from '../../../test/support/http.ts';

test('/health and /ready answer as JSON; when the database fails, /ready says so and pages give a 500 with a reference and no internals', async () => {
  const app = await createTestApp();
  try {
    const health = await app.server.inject('/health');
    assert.equal(health.statusCode, 200);
    assert.equal(health.json().status, 'ok');
    const ready = await app.server.inject('/ready');
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready', database: app.database.kind, migrations: { pending: [] } });

    await app.database.close();

    const notReady = await app.server.inject('/ready');
    assert.equal(notReady.statusCode, 503);
    assert.equal(notReady.json().status, 'not_ready');
    const page = await app.server.inject('/gemeinden/09463000');
    assert.equal(page.statusCode, 500);
    const doc = html(page);
    assert.match(doc.querySelector('h1')!.text, /Ein Fehler ist aufgetreten/);
    assert.ok(doc.querySelector('main code')!.text.includes(String(page.headers['x-request-id'])), 'reference id shown');
    assert.doesNotMatch(page.body, /at .*\.ts:\d+|Kysely|PGlite|stack/i, 'no internals');
    assert.equal((await app.server.inject('/health')).statusCode, 200, 'liveness does not depend on the database');
  } finally {
    await app.server.close();
  }
});
