import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { HTMLElement } from 'node-html-parser';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import { logInStaff } from '../../../test/support/staff.ts';
import { DEMO_PASSWORD } from '../../demo/seed-demo-data.ts';
import { addMembership, hashPassword, upsertStaffAccount } from '../staff/index.ts';

let app: TestApp;
before(async () => { app = await createTestApp(); });
after(async () => { await app.dispose(); });

const MINISTRY = 'ministerium@demo.digitales-amt.de';
const ADMIN_LK_COBURG = 'verwaltung@landkreis-coburg.demo.digitales-amt.de';
const EDITOR_MUENCHEN = 'redaktion@muenchen.demo.digitales-amt.de';
const CASEWORKER_COBURG = 'sachbearbeitung@coburg.demo.digitales-amt.de';
const BASE = '/verwaltung/zustaendigkeiten';
const NEW = `${BASE}/neu`;
const WOHNSITZ = '99115005104000';
const HUNDESTEUER = '99102013000000';
const ROEDENTAL = '09473159';
const AHORN = '09473112';
const COBURG_STADT = '09463000';
const MUENCHEN = '09162000';

async function logIn(email: string): Promise<TestClient> {
  const { client, res } = await logInStaff(app, email);
  assert.equal(res.statusCode, 303, `login of ${email}`);
  return client;
}

const text = (doc: HTMLElement, selector: string) => (doc.querySelector(selector)?.text ?? '').replace(/\s+/g, ' ').trim();
const summaryLinks = (doc: HTMLElement) => doc.querySelectorAll('.error-summary a').map((a) => a.getAttribute('href'));
const fieldError = (doc: HTMLElement, field: string) => text(doc, `#${field}-error`);

/** The public service page's authority box for a municipality. */
async function publicAuthority(leikaKey: string, ags: string): Promise<string> {
  const res = await app.server.inject(`/leistungen/${leikaKey}?ags=${ags}`);
  assert.equal(res.statusCode, 200);
  return text(html(res), '.authority');
}

async function overrides(leikaKey: string) {
  return app.database.db.selectFrom('responsibility_overrides').selectAll().where('leika_key', '=', leikaKey).orderBy('area_code').execute();
}

async function counts() {
  const db = app.database.db;
  const n = async (table: 'responsibility_overrides' | 'authorities' | 'audit_events') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const version = await db.selectFrom('cache_versions').select('version').where('name', '=', 'catalog').executeTakeFirstOrThrow();
  return { overrides: await n('responsibility_overrides'), authorities: await n('authorities'), audit: await n('audit_events'), cacheVersion: String(version.version) };
}

const NEW_AUTHORITY = {
  authorityChoice: 'new', authorityName: 'Zentrale Meldestelle Oberfranken', street: 'Ludwigstraße 20', postcode: '95444', city: 'Bayreuth',
  phone: '0921 604-0', email: 'meldestelle@ofr.demo.digitales-amt.de', website: 'https://www.regierung.oberfranken.bayern.de', openingHours: 'Mo–Fr 8–12 Uhr',
};

test('the ministry adds an override for a district to a new state authority: the public page of a municipality there names it, others do not', async () => {
  const ministry = await logIn(MINISTRY);
  assert.match(await publicAuthority(WOHNSITZ, ROEDENTAL), /Stadt Rödental/, 'the default rule before');
  const before = await counts();

  const res = await ministry.submit(NEW, { leikaKey: WOHNSITZ, areaKind: 'district', areaCode: '09473', ...NEW_AUTHORITY }, BASE);
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, `${BASE}?hinweis=hinzugefuegt`);

  const key = 'state:zentrale-meldestelle-oberfranken';
  assert.deepEqual(await overrides(WOHNSITZ), [{ leika_key: WOHNSITZ, area_kind: 'district', area_code: '09473', authority_key: key }]);
  const authority = await app.database.db.selectFrom('authorities').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
  assert.equal(authority.name, 'Zentrale Meldestelle Oberfranken');
  assert.equal(authority.postcode, '95444');
  assert.equal(authority.website, 'https://www.regierung.oberfranken.bayern.de/');
  assert.equal(authority.tenant_id, null);

  const roedental = await publicAuthority(WOHNSITZ, ROEDENTAL);
  assert.match(roedental, /Zentrale Meldestelle Oberfranken/);
  assert.match(roedental, /Ludwigstraße 20/);
  assert.doesNotMatch(await publicAuthority(WOHNSITZ, COBURG_STADT), /Zentrale Meldestelle/, 'Coburg is a district of its own');

  const after = await counts();
  assert.notEqual(after.cacheVersion, before.cacheVersion, 'the catalogue cache version moved');
  const audit = await app.database.db.selectFrom('audit_events').selectAll().where('action', 'like', 'responsibility.%').orderBy('id').execute();
  assert.deepEqual(audit.map((a) => [a.action, a.subject_id]), [
    ['responsibility.authority.created', key],
    ['responsibility.override.added', `${WOHNSITZ}/district/09473`],
  ]);
  const ministryTenant = await app.database.db.selectFrom('tenants').select('id').where('slug', '=', 'stmd').executeTakeFirstOrThrow();
  assert.ok(audit.every((a) => a.tenant_id === ministryTenant.id));
  assert.deepEqual(audit[1]!.details, { leikaKey: WOHNSITZ, areaKind: 'district', areaCode: '09473', authorityKey: key });

  const list = html(await ministry.get(String(res.headers.location)));
  assert.match(text(list, '.notice'), /eingetragen/);
  const row = list.querySelectorAll('table.overrides tbody tr').map((tr) => tr.querySelectorAll('th, td').map((c) => c.text.replace(/\s+/g, ' ').trim()));
  assert.equal(row.length, 1);
  assert.match(row[0]![0]!, /Wohnsitz Anmeldung 99115005104000/);
  assert.equal(row[0]![1], 'Landkreis Coburg (09473)');
  assert.match(row[0]![2]!, /Zentrale Meldestelle Oberfranken state:zentrale-meldestelle-oberfranken/);

  // The same authority name again gives the same key: refused, nothing written.
  const again = await ministry.submit(NEW, { leikaKey: HUNDESTEUER, areaKind: 'region', areaCode: 'Oberfranken', ...NEW_AUTHORITY }, BASE);
  assert.equal(again.statusCode, 400);
  assert.match(fieldError(html(again), 'authorityName'), /gibt es schon/);
  assert.deepEqual(await overrides(HUNDESTEUER), []);
  // And the same service and area again: refused.
  const twice = await ministry.submit(NEW, { leikaKey: WOHNSITZ, areaKind: 'district', areaCode: '09473', authorityChoice: 'existing', authorityKey: 'district:09473' }, BASE);
  assert.equal(twice.statusCode, 400);
  assert.match(fieldError(html(twice), 'areaCode'), /schon eine abweichende Zuständigkeit/);
  assert.equal((await overrides(WOHNSITZ))[0]!.authority_key, key, 'unchanged');
});

test('the district office admin adds overrides inside the district, and a forged area or authority outside it is refused with nothing written', async () => {
  const admin = await logIn(ADMIN_LK_COBURG);
  const form = html(await admin.get(NEW));
  assert.deepEqual(form.querySelectorAll('input[name="areaKind"]').map((i) => i.getAttribute('value')), ['municipality', 'association', 'district'], 'no Regierungsbezirk');
  const options = form.querySelectorAll('#authorityKey option').map((o) => o.getAttribute('value'));
  assert.ok(options.includes('district:09473'), 'its own district office');
  assert.ok(!options.includes('municipality:09162000'), 'not München');
  assert.ok(!options.includes('municipality:09463000'), 'not the Stadt Coburg (a district of its own)');
  assert.match(text(form, 'table.areas'), /Rödental/);

  const ok = await admin.submit(NEW, { leikaKey: HUNDESTEUER, areaKind: 'municipality', areaCode: AHORN, authorityChoice: 'existing', authorityKey: 'district:09473' }, BASE);
  assert.equal(ok.statusCode, 303);
  assert.deepEqual((await overrides(HUNDESTEUER)).map((o) => [o.area_code, o.authority_key]), [[AHORN, 'district:09473']]);
  assert.match(await publicAuthority(HUNDESTEUER, AHORN), /Landratsamt Coburg/);
  const lkTenant = await app.database.db.selectFrom('tenants').select('id').where('slug', '=', 'landkreis-coburg').executeTakeFirstOrThrow();
  const audit = await app.database.db.selectFrom('audit_events').select('tenant_id').where('subject_id', '=', `${HUNDESTEUER}/municipality/${AHORN}`).executeTakeFirstOrThrow();
  assert.equal(audit.tenant_id, lkTenant.id);

  const before = await counts();
  const forged = [
    { areaKind: 'municipality', areaCode: MUENCHEN, field: 'areaCode' },
    { areaKind: 'district', areaCode: '09162', field: 'areaCode' },
    { areaKind: 'municipality', areaCode: COBURG_STADT, field: 'areaCode' },
    { areaKind: 'region', areaCode: 'Oberfranken', field: 'areaCode' },
  ];
  for (const f of forged) {
    const res = await admin.submit(NEW, { leikaKey: WOHNSITZ, areaKind: f.areaKind, areaCode: f.areaCode, authorityChoice: 'new', authorityName: 'Gekaperte Behörde' }, BASE);
    assert.equal(res.statusCode, 400, f.areaCode);
    const doc = html(res);
    assert.match(fieldError(doc, 'areaCode'), /außerhalb Ihres Zuständigkeitsbereichs/, f.areaCode);
    assert.deepEqual(summaryLinks(doc), ['#areaCode']);
    assert.equal(doc.querySelector('#areaCode')!.getAttribute('value'), f.areaCode, 'the value is kept');
    assert.equal(doc.querySelector('#authorityName')!.getAttribute('value'), 'Gekaperte Behörde');
  }
  // An authority of another district, named in a forged form, is refused as well.
  const foreignAuthority = await admin.submit(NEW, { leikaKey: WOHNSITZ, areaKind: 'municipality', areaCode: ROEDENTAL, authorityChoice: 'existing', authorityKey: 'municipality:09162000' }, BASE);
  assert.equal(foreignAuthority.statusCode, 400);
  assert.match(fieldError(html(foreignAuthority), 'authorityKey'), /aus der Liste/);
  assert.deepEqual(await counts(), before, 'nothing written: no override, no authority, no audit event, no cache bump');
});

test('the district office admin sees and removes only overrides of its own district; another one is "not found"', async () => {
  const db = app.database.db;
  await db.insertInto('responsibility_overrides').values({ leika_key: HUNDESTEUER, area_kind: 'municipality', area_code: MUENCHEN, authority_key: 'municipality:09162000' }).execute();
  const admin = await logIn(ADMIN_LK_COBURG);
  const list = html(await admin.get(BASE));
  assert.doesNotMatch(text(list, 'main'), /München/);
  assert.match(text(list, 'table.overrides'), /Gemeinde Ahorn \(09473112\)/);

  const foreign = `${BASE}/entfernen?leistung=${HUNDESTEUER}&art=municipality&gebiet=${MUENCHEN}`;
  assert.equal((await admin.get(foreign)).statusCode, 404);
  const own = `${BASE}/entfernen?leistung=${HUNDESTEUER}&art=municipality&gebiet=${AHORN}`;
  const token = html(await admin.get(own)).querySelector('input[name="_csrf"]')!.getAttribute('value')!;
  assert.equal((await admin.post(`${BASE}/entfernen`, { _csrf: token, leistung: HUNDESTEUER, art: 'municipality', gebiet: MUENCHEN })).statusCode, 404);
  assert.deepEqual((await overrides(HUNDESTEUER)).map((o) => o.area_code), [MUENCHEN, AHORN], 'nothing removed');
  await db.deleteFrom('responsibility_overrides').where('leika_key', '=', HUNDESTEUER).where('area_code', '=', MUENCHEN).execute();
});

test('removing an override after confirmation makes the finder fall back to its default rule', async () => {
  const admin = await logIn(ADMIN_LK_COBURG);
  const check = `${BASE}/pruefen?leistung=${HUNDESTEUER}&gemeinde=${AHORN}`;
  const before = html(await admin.get(check));
  assert.equal(text(before, '.answer-authority'), 'Landratsamt Coburg');
  assert.match(text(before, '.answer-basis'), /Abweichende Zuständigkeit/);

  const confirm = `${BASE}/entfernen?leistung=${HUNDESTEUER}&art=municipality&gebiet=${AHORN}`;
  const page = html(await admin.get(confirm));
  assert.match(text(page, 'dl.facts'), /Hundesteuer.*Gemeinde Ahorn \(09473112\).*Landratsamt Coburg/);
  const versionBefore = (await counts()).cacheVersion;
  const res = await admin.submit(confirm, {}, `${BASE}/entfernen`);
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, `${BASE}?hinweis=entfernt`);
  assert.deepEqual(await overrides(HUNDESTEUER), []);
  assert.notEqual((await counts()).cacheVersion, versionBefore);
  const audit = await app.database.db.selectFrom('audit_events').select(['action', 'details']).where('action', '=', 'responsibility.override.removed').execute();
  assert.deepEqual(audit.map((a) => a.details), [{ leikaKey: HUNDESTEUER, areaKind: 'municipality', areaCode: AHORN, authorityKey: 'district:09473' }]);

  const afterwards = html(await admin.get(check));
  assert.equal(text(afterwards, '.answer-authority'), 'Gemeinde Ahorn');
  assert.match(text(afterwards, '.answer-basis'), /Allgemeine Regel/);
  assert.match(await publicAuthority(HUNDESTEUER, AHORN), /Gemeinde Ahorn/);
  assert.equal((await admin.get(confirm)).statusCode, 404, 'gone');
});

test('an unknown LeiKa key and an unknown AGS are field errors with the values kept; malformed input as well', async () => {
  const ministry = await logIn(MINISTRY);
  const before = await counts();
  const unknown = await ministry.submit(NEW, { leikaKey: '99999999999999', areaKind: 'municipality', areaCode: '09999999', authorityChoice: 'existing', authorityKey: 'district:09473' }, BASE);
  assert.equal(unknown.statusCode, 400);
  const doc = html(unknown);
  assert.deepEqual(summaryLinks(doc), ['#leikaKey', '#areaCode']);
  assert.match(fieldError(doc, 'leikaKey'), /keine Leistung mit diesem LeiKa-Schlüssel/);
  assert.match(fieldError(doc, 'areaCode'), /gibt es in Bayern nicht/);
  assert.equal(doc.querySelector('#leikaKey')!.getAttribute('aria-invalid'), 'true');
  assert.equal(doc.querySelector('#leikaKey')!.getAttribute('value'), '99999999999999');
  assert.equal(doc.querySelector('#authorityKey option[selected]')!.getAttribute('value'), 'district:09473');
  assert.match(text(doc, 'title'), /^Fehler:/);

  const malformed = html(await ministry.submit(NEW, { leikaKey: '123', areaKind: 'association', areaCode: '0947', authorityChoice: 'new', authorityName: '', postcode: '1234', website: 'http://example.org' }, BASE));
  assert.deepEqual(summaryLinks(malformed), ['#leikaKey', '#areaCode', '#authorityName', '#postcode', '#website']);
  assert.match(fieldError(malformed, 'areaCode'), /9 Ziffern des Regionalschlüssels/);
  const empty = html(await ministry.submit(NEW, {}, BASE));
  assert.deepEqual(summaryLinks(empty), ['#leikaKey', '#areaKind', '#areaCode', '#authorityChoice']);
  // An association key that is no Verwaltungsgemeinschaft is unknown.
  const notAssociation = html(await ministry.submit(NEW, { leikaKey: WOHNSITZ, areaKind: 'association', areaCode: '094730159', authorityChoice: 'existing', authorityKey: 'district:09473' }, BASE));
  assert.match(fieldError(notAssociation, 'areaCode'), /gibt es in Bayern nicht/);
  assert.deepEqual(await counts(), before);

  const check = await ministry.get(`${BASE}/pruefen?leistung=99999999999999&gemeinde=09999999`);
  assert.equal(check.statusCode, 400);
  assert.deepEqual(summaryLinks(html(check)), ['#leistung', '#gemeinde']);
});

test('the ministry may use a Verwaltungsgemeinschaft and a Regierungsbezirk; the most specific override wins', async () => {
  const ministry = await logIn(MINISTRY);
  const grub = '094735418';
  assert.equal((await ministry.submit(NEW, { leikaKey: HUNDESTEUER, areaKind: 'region', areaCode: 'oberfranken', authorityChoice: 'existing', authorityKey: 'state:zentrale-meldestelle-oberfranken' }, BASE)).statusCode, 303);
  assert.equal((await ministry.submit(NEW, { leikaKey: HUNDESTEUER, areaKind: 'association', areaCode: grub, authorityChoice: 'existing', authorityKey: 'district:09473' }, BASE)).statusCode, 303);
  assert.deepEqual((await overrides(HUNDESTEUER)).map((o) => [o.area_kind, o.area_code]), [['association', grub], ['region', 'Oberfranken']], 'the stored spelling');
  assert.match(await publicAuthority(HUNDESTEUER, '09473134'), /Landratsamt Coburg/, 'Grub a.Forst: the association');
  assert.match(await publicAuthority(HUNDESTEUER, AHORN), /Zentrale Meldestelle Oberfranken/, 'Ahorn: the region');
  assert.doesNotMatch(await publicAuthority(HUNDESTEUER, MUENCHEN), /Zentrale Meldestelle/, 'Oberbayern');
  const list = text(html(await ministry.get(BASE)), 'table.overrides');
  assert.match(list, /Verwaltungsgemeinschaft Grub a\.Forst \(094735418\)/);
  assert.match(list, /Regierungsbezirk Oberfranken/);

  // The district office sees the association in its district, not the region.
  const admin = text(html(await (await logIn(ADMIN_LK_COBURG)).get(BASE)), 'main');
  assert.match(admin, /Verwaltungsgemeinschaft Grub a\.Forst/);
  assert.doesNotMatch(admin, /Regierungsbezirk Oberfranken/);
});

test('staff without the ministry role or an administrator membership get "not found"; anonymous visitors are sent to the login', async () => {
  for (const email of [EDITOR_MUENCHEN, CASEWORKER_COBURG]) {
    const staff = await logIn(email);
    for (const url of [BASE, NEW, `${BASE}/pruefen`, `${BASE}/entfernen?leistung=${WOHNSITZ}&art=district&gebiet=09473`]) {
      assert.equal((await staff.get(url)).statusCode, 404, `${email} ${url}`);
    }
    const token = html(await staff.get('/verwaltung')).querySelector('input[name="_csrf"]')!.getAttribute('value')!;
    const post = await staff.post(BASE, { _csrf: token, leikaKey: WOHNSITZ, areaKind: 'municipality', areaCode: ROEDENTAL, authorityChoice: 'existing', authorityKey: 'district:09473' });
    assert.equal(post.statusCode, 404, email);
    assert.equal((await staff.post(`${BASE}/entfernen`, { _csrf: token, leistung: WOHNSITZ, art: 'district', gebiet: '09473' })).statusCode, 404);
    assert.equal(html(await staff.get('/verwaltung')).querySelector(`a[href="${BASE}"]`), null, `${email}: no link`);
  }
  assert.equal((await overrides(WOHNSITZ)).length, 1, 'nothing written or removed');

  const anonymous = await new TestClient(app.server).get(NEW);
  assert.equal(anonymous.statusCode, 303);
  assert.equal(anonymous.headers.location, '/verwaltung/anmelden?weiter=%2Fverwaltung%2Fzustaendigkeiten%2Fneu');

  for (const email of [MINISTRY, ADMIN_LK_COBURG]) {
    const home = html(await (await logIn(email)).get('/verwaltung'));
    assert.ok(home.querySelector(`a[href="${BASE}"]`), `${email}: linked from the staff home`);
  }
});

test('a municipality administrator may manage its own municipality only', async () => {
  const db = app.database.db;
  const coburg = await db.selectFrom('tenants').select('id').where('slug', '=', 'coburg').executeTakeFirstOrThrow();
  const id = await upsertStaffAccount(db, { email: 'verwaltung@coburg.demo.digitales-amt.de', displayName: 'Clara Coburg', passwordHash: await hashPassword(DEMO_PASSWORD) });
  await addMembership(db, coburg.id, id, 'tenant_admin');
  const admin = await logIn('verwaltung@coburg.demo.digitales-amt.de');
  const form = html(await admin.get(NEW));
  assert.deepEqual(form.querySelectorAll('input[name="areaKind"]').map((i) => i.getAttribute('value')), ['municipality']);
  assert.equal((await admin.submit(NEW, { leikaKey: HUNDESTEUER, areaKind: 'municipality', areaCode: ROEDENTAL, authorityChoice: 'existing', authorityKey: 'municipality:09463000' }, BASE)).statusCode, 400);
  assert.equal((await admin.submit(NEW, { leikaKey: HUNDESTEUER, areaKind: 'district', areaCode: '09463', authorityChoice: 'existing', authorityKey: 'municipality:09463000' }, BASE)).statusCode, 400);
  assert.equal((await admin.submit(NEW, { leikaKey: '99050012104000', areaKind: 'municipality', areaCode: COBURG_STADT, authorityChoice: 'existing', authorityKey: 'municipality:09463000' }, BASE)).statusCode, 303);
  assert.deepEqual((await overrides('99050012104000')).map((o) => o.area_code), [COBURG_STADT]);
  assert.deepEqual(html(await admin.get(BASE)).querySelectorAll('table.overrides tbody tr').length, 1, 'only its own');
});

test('a POST without the CSRF token is refused with 403 and writes nothing', async () => {
  const ministry = await logIn(MINISTRY);
  const before = await counts();
  const fields = { leikaKey: '99008001012000', areaKind: 'municipality', areaCode: ROEDENTAL, authorityChoice: 'existing', authorityKey: 'district:09473' };
  assert.equal((await ministry.post(BASE, fields)).statusCode, 403);
  assert.equal((await ministry.post(BASE, { ...fields, _csrf: 'falsch' })).statusCode, 403);
  assert.equal((await ministry.post(`${BASE}/entfernen`, { leistung: WOHNSITZ, art: 'district', gebiet: '09473' })).statusCode, 403);
  assert.deepEqual(await counts(), before);
});
