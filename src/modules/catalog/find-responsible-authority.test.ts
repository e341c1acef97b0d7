import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { findResponsibleAuthority } from './find-responsible-authority.ts';

let t: TestDatabase;
before(async () => { t = await createTestDatabase(); });
after(async () => { await t.drop(); });

const WOHNSITZ = '99115005104000';
const BAUGENEHMIGUNG = '99012008000000';
const KFZ = '99036008000000';

test('a Gemeinde in a Verwaltungsgemeinschaft is served by the association for municipal services', async () => {
  // Mehring (Landkreis Altötting) belongs to the Verwaltungsgemeinschaft Emmerting.
  const a = await findResponsibleAuthority(t.database.db, WOHNSITZ, '09171124');
  assert.equal(a?.key, 'association:091715101');
  assert.equal(a?.name, 'Verwaltungsgemeinschaft Emmerting');
});

test('a Gemeinde outside any association handles municipal services itself', async () => {
  const a = await findResponsibleAuthority(t.database.db, WOHNSITZ, '09473159');
  assert.equal(a?.key, 'municipality:09473159');
  assert.equal(a?.name, 'Stadt Rödental');
});

test('for a kreisangehörige Gemeinde the Landratsamt is responsible for district services', async () => {
  const a = await findResponsibleAuthority(t.database.db, KFZ, '09473159');
  assert.equal(a?.key, 'district:09473');
  assert.equal(a?.name, 'Landratsamt Coburg');
  assert.equal(a?.level, 'district');
});

test('a kreisfreie Stadt is responsible for district services itself', async () => {
  const a = await findResponsibleAuthority(t.database.db, KFZ, '09463000');
  assert.equal(a?.key, 'municipality:09463000');
  assert.equal(a?.name, 'Stadt Coburg');
});

test('a Große Kreisstadt is the building authority, other towns of the district are not', async () => {
  // Neu-Ulm is a Große Kreisstadt; Senden (same district) is not.
  const gkst = await findResponsibleAuthority(t.database.db, BAUGENEHMIGUNG, '09775135');
  assert.equal(gkst?.key, 'municipality:09775135');
  const town = await findResponsibleAuthority(t.database.db, BAUGENEHMIGUNG, '09775152');
  assert.equal(town?.key, 'district:09775');
});

test('an override for a service and area wins over the default rule', async () => {
  await t.database.db.insertInto('authorities').values({ key: 'state:zentrale-meldestelle', name: 'Zentrale Meldestelle Test' }).execute();
  await t.database.db.insertInto('responsibility_overrides').values({ leika_key: WOHNSITZ, area_kind: 'district', area_code: '09473', authority_key: 'state:zentrale-meldestelle' }).execute();
  const a = await findResponsibleAuthority(t.database.db, WOHNSITZ, '09473159');
  assert.equal(a?.name, 'Zentrale Meldestelle Test');
  assert.equal(a?.basis, 'override');
  const elsewhere = await findResponsibleAuthority(t.database.db, WOHNSITZ, '09463000');
  assert.equal(elsewhere?.key, 'municipality:09463000', 'the override covers only its area');
});

test('an unknown service or municipality gives no authority', async () => {
  assert.equal(await findResponsibleAuthority(t.database.db, '99999999999999', '09463000'), undefined);
  assert.equal(await findResponsibleAuthority(t.database.db, WOHNSITZ, '09999999'), undefined);
});
