import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { upsertStaffAccount } from '../staff/index.ts';
import { upsertTenant } from '../tenants/index.ts';
import type { EditorActor } from './catalog-editor.policy.ts';
import { changedFields, saveLocalText } from './save-local-text.ts';

let testDb: TestDatabase;
let actor: EditorActor;
before(async () => {
  testDb = await createTestDatabase();
  const tenant = await upsertTenant(testDb.database.db, { slug: 'teststadt', name: 'Stadt Teststadt', kind: 'municipality', municipalityAgs: '09463000' });
  const staffId = await upsertStaffAccount(testDb.database.db, { email: 'redaktion@teststadt.invalid', displayName: 'Test Redaktion', passwordHash: 'x' });
  actor = { tenantId: tenant.id, staffId, requestId: 'test-request' };
});
after(async () => { await testDb.drop(); });

const text = (fees: string) => ({ fees, contact: null, localRequirements: null });

test('of two saves based on the same version, exactly one is written; the other learns the current version', async () => {
  const db = testDb.database.db;
  const key = '99115005104000';
  const results = await Promise.all([saveLocalText(db, actor, key, 0, text('A')), saveLocalText(db, actor, key, 0, text('B'))]);
  const won = results.filter((r) => r.ok);
  const lost = results.filter((r) => !r.ok);
  assert.equal(won.length, 1);
  assert.equal(lost.length, 1);
  const stored = await db.selectFrom('local_service_texts').selectAll().where('tenant_id', '=', actor.tenantId).where('leika_key', '=', key).executeTakeFirstOrThrow();
  assert.equal(stored.version, 1);
  assert.ok(!lost[0]!.ok && lost[0]!.current?.version === 1 && lost[0]!.current.fees === stored.fees);

  const again = await Promise.all([saveLocalText(db, actor, key, 1, text('C')), saveLocalText(db, actor, key, 1, text('D'))]);
  assert.equal(again.filter((r) => r.ok).length, 1);
  const versions = await db.selectFrom('local_service_text_versions').select(['version', 'fees']).where('tenant_id', '=', actor.tenantId).where('leika_key', '=', key).orderBy('version').execute();
  assert.equal(versions.length, 2, 'one version row per successful save');
  assert.equal((await db.selectFrom('audit_events').select('id').where('action', '=', 'catalog.local_text.saved').execute()).length, 2);
});

test('a save based on a version that does not exist yet is a conflict, not a new text', async () => {
  const db = testDb.database.db;
  const result = await saveLocalText(db, actor, '99102013000000', 3, text('X'));
  assert.deepEqual(result, { ok: false, code: 'VERSION_CONFLICT', current: undefined });
  assert.equal((await db.selectFrom('local_service_texts').select('version').where('leika_key', '=', '99102013000000').execute()).length, 0);
});

test('changedFields compares field by field, an absent text counting as empty', () => {
  assert.deepEqual(changedFields(undefined, { fees: null, contact: null, localRequirements: null }), []);
  assert.deepEqual(changedFields(undefined, { fees: 'a', contact: null, localRequirements: 'b' }), ['fees', 'localRequirements']);
  assert.deepEqual(changedFields({ fees: 'a', contact: 'c', localRequirements: null }, { fees: 'a', contact: null, localRequirements: null }), ['contact']);
});
