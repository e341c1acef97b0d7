import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import type { StaffAccount } from '../staff/index.ts';
import { upsertStaffAccount } from '../staff/index.ts';
import { upsertTenant } from '../tenants/index.ts';
import { addOverride } from './add-override.ts';
import { removeOverride } from './remove-override.ts';
import { grantFor, type Actor, type ResponsibilityAdmin } from './responsibility-admin.policy.ts';
import { findArea } from './responsibility-admin.repository.ts';
import type { OverrideInput } from './responsibility-admin.schemas.ts';

let testDb: TestDatabase;
let actor: Actor;
let ministry: ResponsibilityAdmin;
let districtAdmin: ResponsibilityAdmin;
const account = { id: '', email: 'x', display_name: 'x', is_platform_operator: false } as unknown as StaffAccount;

before(async () => {
  testDb = await createTestDatabase();
  const db = testDb.database.db;
  const stmd = await upsertTenant(db, { slug: 'stmd', name: 'Staatsministerium', kind: 'ministry' });
  const lk = await upsertTenant(db, { slug: 'landkreis-coburg', name: 'Landratsamt Coburg', kind: 'district_office', districtKey: '09473' });
  const staffId = await upsertStaffAccount(db, { email: 'zustaendigkeit@test.invalid', displayName: 'Test', passwordHash: 'x' });
  actor = { staffId, requestId: 'test-request' };
  ministry = { account, stateWideTenantId: stmd.id, districts: [], municipalities: [] };
  districtAdmin = { account, stateWideTenantId: null, districts: [{ key: '09473', tenantId: lk.id, tenantName: lk.name }], municipalities: [] };
});
after(async () => { await testDb.drop(); });

const newAuthority = (name: string, leikaKey: string, areaCode: string): OverrideInput => ({
  leikaKey, area: { kind: 'municipality', code: areaCode },
  authority: { kind: 'new', name, street: null, postcode: null, city: null, phone: null, email: null, website: null, openingHours: null },
});

test('the reach of a district office: its district, its associations and municipalities; no region, no other district', async () => {
  const db = testDb.database.db;
  const area = async (kind: 'municipality' | 'association' | 'district' | 'region', code: string) => (await findArea(db, kind, code))!;
  assert.equal(grantFor(districtAdmin, await area('district', '09473')), districtAdmin.districts[0]!.tenantId);
  assert.equal(grantFor(districtAdmin, await area('association', '094735418')), districtAdmin.districts[0]!.tenantId);
  assert.equal(grantFor(districtAdmin, await area('municipality', '09473159')), districtAdmin.districts[0]!.tenantId);
  assert.equal(grantFor(districtAdmin, await area('municipality', '09463000')), null, 'Stadt Coburg is a district of its own');
  assert.equal(grantFor(districtAdmin, await area('region', 'Oberfranken')), null);
  assert.equal(grantFor(ministry, await area('region', 'Oberfranken')), ministry.stateWideTenantId);
  const own: ResponsibilityAdmin = { account, stateWideTenantId: null, districts: [], municipalities: [{ ags: '09463000', tenantId: 't', tenantName: 'Stadt Coburg' }] };
  assert.equal(grantFor(own, await area('municipality', '09463000')), 't');
  assert.equal(grantFor(own, await area('district', '09463')), null, 'a municipality administrator: the municipality only');
  assert.equal(await findArea(db, 'association', '094730159'), undefined, 'a Gemeinde outside any Verwaltungsgemeinschaft is no association');
});

test('of two concurrent adds of the same new authority, one wins and the other writes nothing', async () => {
  const db = testDb.database.db;
  const results = await Promise.all([
    addOverride(db, ministry, actor, newAuthority('Amt für Gleichzeitiges', '99115005104000', '09473159')),
    addOverride(db, ministry, actor, newAuthority('Amt für Gleichzeitiges', '99102013000000', '09473112')),
  ]);
  assert.equal(results.filter((r) => r.ok).length, 1);
  const lost = results.find((r) => !r.ok);
  assert.ok(lost && !lost.ok);
  assert.deepEqual(lost.problems, [{ field: 'authorityName', code: 'AUTHORITY_EXISTS' }]);
  const rows = await db.selectFrom('responsibility_overrides').select('area_code').where('authority_key', '=', 'state:amt-fuer-gleichzeitiges').execute();
  assert.equal(rows.length, 1, 'the loser rolled back its override');
  assert.equal((await db.selectFrom('audit_events').select('id').where('action', '=', 'responsibility.override.added').execute()).length, 1);
});

test('a refused add writes nothing, not even the new authority', async () => {
  const db = testDb.database.db;
  const result = await addOverride(db, districtAdmin, actor, newAuthority('Amt außerhalb', '99115005104000', '09162000'));
  assert.deepEqual(result, { ok: false, code: 'REFUSED', problems: [{ field: 'areaCode', code: 'AREA_OUT_OF_REACH' }] });
  assert.equal(await db.selectFrom('authorities').select('key').where('key', '=', 'state:amt-ausserhalb').executeTakeFirst(), undefined);
});

test('removing an override outside the reach, or one that does not exist, is "not found"', async () => {
  const db = testDb.database.db;
  assert.equal((await addOverride(db, ministry, actor, newAuthority('Amt in München', '99115005104000', '09162000'))).ok, true);
  const ref = { leikaKey: '99115005104000', areaKind: 'municipality', areaCode: '09162000' } as const;
  await assert.rejects(removeOverride(db, districtAdmin, actor, ref), { code: 'NOT_FOUND' });
  assert.equal((await db.selectFrom('responsibility_overrides').select('area_code').where('area_code', '=', '09162000').execute()).length, 1);
  await removeOverride(db, ministry, actor, ref);
  await assert.rejects(removeOverride(db, ministry, actor, ref), { code: 'NOT_FOUND' });
});
