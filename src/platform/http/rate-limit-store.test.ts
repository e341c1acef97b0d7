import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { deleteExpiredBuckets, incrementBucket, pgRateLimitStore } from './rate-limit-store.ts';

let t: TestDatabase;
before(async () => { t = await createTestDatabase(); });
after(async () => { await t.drop(); });

test('counts hits per key in a window shared through the database, and starts a new window when it passes', async () => {
  const db = t.database.db;
  assert.deepEqual((await incrementBucket(db, 'a', 60_000)).current, 1);
  assert.deepEqual((await incrementBucket(db, 'a', 60_000)).current, 2);
  assert.deepEqual((await incrementBucket(db, 'b', 60_000)).current, 1, 'keys are separate');
  const ttl = (await incrementBucket(db, 'a', 60_000)).ttl;
  assert.ok(ttl > 50_000 && ttl <= 60_000, `ttl ${ttl}`);
  await db.updateTable('rate_limit_buckets').set({ resets_at: new Date(Date.now() - 1) }).where('key', '=', 'a').execute();
  assert.equal((await incrementBucket(db, 'a', 60_000)).current, 1, 'a new window');
});

test('concurrent hits are all counted', async () => {
  const results = await Promise.all(Array.from({ length: 20 }, () => incrementBucket(t.database.db, 'c', 60_000)));
  assert.deepEqual(results.map((r) => r.current).sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i + 1));
});

test('expired windows are deleted', async () => {
  await t.database.db.updateTable('rate_limit_buckets').set({ resets_at: new Date(Date.now() - 1) }).execute();
  assert.ok((await deleteExpiredBuckets(t.database.db)) >= 3);
});

test('each route with its own limit counts in its own bucket (the plugin passes the route as routeInfo)', () => {
  const Store = pgRateLimitStore(t.database.db);
  const root = new Store();
  const login = root.child({ routeInfo: { method: 'POST', url: '/verwaltung/anmelden' } });
  const code = root.child({ routeInfo: { method: 'POST', url: '/konto/kontakt/telefon/code' } });
  assert.equal(login.namespace, 'POST /verwaltung/anmelden');
  assert.notEqual(login.namespace, code.namespace);
});
