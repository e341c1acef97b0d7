import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { bumpCacheVersion, createVersionedCache } from './versioned-cache.ts';

let t: TestDatabase;
before(async () => { t = await createTestDatabase(); });
after(async () => { await t.drop(); });

test('serves repeated reads from the cache and reloads after a version bump', async () => {
  const cache = createVersionedCache({ db: t.database.db, name: 'catalog', maxEntries: 10, checkEveryMs: 0 });
  let loads = 0;
  const load = async () => ++loads;
  assert.equal(await cache.get('a', load), 1);
  assert.equal(await cache.get('a', load), 1, 'cached');
  await t.database.db.transaction().execute((tx) => bumpCacheVersion(tx, 'catalog'));
  assert.equal(await cache.get('a', load), 2, 'reloaded after the change');
});

test('another instance sees the change within its check interval', async () => {
  const instanceA = createVersionedCache({ db: t.database.db, name: 'catalog', maxEntries: 10, checkEveryMs: 60_000 });
  let loads = 0;
  await instanceA.get('k', async () => ++loads);
  await bumpCacheVersion(t.database.db, 'catalog');
  assert.equal(await instanceA.get('k', async () => ++loads), 1, 'within the interval the old value may still be served');
  const instanceB = createVersionedCache({ db: t.database.db, name: 'catalog', maxEntries: 10, checkEveryMs: 0 });
  assert.equal(await instanceB.get('k', async () => 99), 99);
});

test('a rolled-back change does not invalidate, and the oldest entries go first', async () => {
  const cache = createVersionedCache({ db: t.database.db, name: 'catalog', maxEntries: 2, checkEveryMs: 0 });
  let loads = 0;
  await cache.get('x', async () => ++loads);
  await assert.rejects(t.database.db.transaction().execute(async (tx) => { await bumpCacheVersion(tx, 'catalog'); throw new Error('rollback'); }));
  assert.equal(await cache.get('x', async () => ++loads), 1);
  await cache.get('y', async () => 0);
  await cache.get('z', async () => 0);
  assert.equal(cache.size, 2);
  assert.equal(await cache.get('x', async () => 42), 42, 'x was evicted');
});

test('a reader in a transaction checks the version through it (embedded PGlite has one connection)', async () => {
  const cache = createVersionedCache({ db: t.database.db, name: 'catalog', maxEntries: 10, checkEveryMs: 0 });
  let loads = 0;
  await cache.get('t', async () => ++loads);
  const seen = await t.database.db.transaction().execute(async (tx) => {
    await bumpCacheVersion(tx, 'catalog');
    // The bump is visible in the transaction: the cached value is dropped and loaded again.
    return cache.get('t', async () => ++loads, tx);
  });
  assert.equal(seen, 2);
  assert.equal(await cache.get('t', async () => ++loads), 2, 'after commit the version is the one seen inside');
});
