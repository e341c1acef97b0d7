import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import { logInStaff } from '../../../test/support/staff.ts';
import { DEMO_PASSWORD } from '../../demo/seed-demo-data.ts';
import { upsertOnlineProcedure } from '../catalog/catalog.repository.ts';
import { enqueueDigitalesAmtEvaluation } from './index.ts';

let app: TestApp;
before(async () => { app = await createTestApp(); });
after(async () => { await app.dispose(); });

const MINISTRY = 'ministerium@demo.digitales-amt.de';
const CASEWORKER = 'sachbearbeitung@coburg.demo.digitales-amt.de';
const MANAGE = '/verwaltung/digitales-amt';
const COBURG = '09463000';
const MUENCHEN = '09162000';
const BAD_NEUSTADT = '09673114';

async function logIn(email: string) {
  const { client, res } = await logInStaff(app, email);
  assert.equal(res.statusCode, 303, `login of ${email}`);
  return client;
}

async function tenantId(slug: string): Promise<string> {
  return (await app.database.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
}

const rowsOf = (doc: ReturnType<typeof html>, selector: string) =>
  doc.querySelectorAll(`${selector} tbody tr`).map((tr) => tr.querySelectorAll('th, td').map((c) => c.text.trim()));

test('the public page explains the rule and lists Coburg and München by count, not Bad Neustadt (49)', async () => {
  const res = await app.server.inject('/digitales-amt');
  assert.equal(res.statusCode, 200);
  const doc = html(res);
  assert.equal(doc.querySelector('h1')!.text, 'Auszeichnung „Digitales Amt“');
  const main = doc.querySelector('main')!.text;
  assert.match(main, /mindestens 50 Verwaltungsleistungen/);
  assert.match(main, /zwei Online-Verfahren an, zählt das als eine Leistung/);
  const table = doc.querySelector('main table')!;
  assert.match(table.querySelector('caption')!.text, /nach Zahl der Leistungen online sortiert/);
  assert.equal(table.querySelectorAll('thead th[scope="col"]').length, 4);
  const rows = table.querySelectorAll('tbody tr');
  assert.deepEqual(rows.map((r) => r.querySelector('th[scope="row"] a')!.getAttribute('href')), [`/gemeinden/${MUENCHEN}`, `/gemeinden/${COBURG}`]);
  assert.deepEqual(rowsOf(doc, 'main').map((r) => [r[0], r[1], r[3]]), [['München', '80', 'Noch nicht'], ['Coburg', '50', 'Noch nicht']]);
  assert.match(rows[0]!.querySelector('time')!.getAttribute('datetime')!, /^\d{4}-\d{2}-\d{2}$/);
  assert.doesNotMatch(main, /Bad Neustadt/);
  for (const href of ['/digitales-amt.csv', '/digitales-amt.json', '/api/v1/digitales-amt']) assert.ok(doc.querySelector(`main a[href="${href}"]`), href);
  assert.equal(doc.querySelector('header nav a[href="/digitales-amt"]')!.getAttribute('aria-current'), 'page', 'in the main navigation');
  assert.ok(html(await app.server.inject('/')).querySelector('header nav a[href="/digitales-amt"]'), 'linked from every page');
});

test('the public page in English', async () => {
  const doc = html(await app.server.inject('/digitales-amt?lang=en'));
  assert.equal(doc.querySelector('h1')!.text, '“Digitales Amt” distinction');
  assert.deepEqual(doc.querySelectorAll('thead th').map((th) => th.text), ['Municipality', 'Services online', 'Awarded on', 'Confirmed by the State Ministry']);
});

test('the CSV lists every connected municipality with a header row, as a UTF-8 download', async () => {
  const res = await app.server.inject('/digitales-amt.csv');
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
  assert.equal(res.headers['content-disposition'], 'attachment; filename="digitales-amt.csv"');
  assert.equal(res.body.split('\r\n')[0], 'ags,name,count,qualifies,qualified_at,confirmed_at');
  const records: Record<string, string>[] = parseCsv(res.rawPayload, { columns: true, encoding: 'utf8' });
  assert.deepEqual(records.map((r) => [r.ags, r.name, r.count, r.qualifies]), [
    ['09162000', 'München', '80', 'true'],
    ['09463000', 'Coburg', '50', 'true'],
    ['09673114', 'Bad Neustadt a.d.Saale', '49', 'false'],
  ], 'by AGS; no district office (Landkreis Coburg), no unconnected municipality (Rödental)');
  const coburg = records.find((r) => r.ags === COBURG)!;
  assert.ok(!Number.isNaN(Date.parse(coburg.qualified_at!)) && coburg.qualified_at!.endsWith('Z'), 'ISO 8601 in UTC');
  assert.equal(coburg.confirmed_at, '');
  assert.equal(records.find((r) => r.ags === BAD_NEUSTADT)!.qualified_at, '');
});

test('the JSON download holds the same records', async () => {
  const res = await app.server.inject('/digitales-amt.json');
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(res.headers['content-disposition'], 'attachment; filename="digitales-amt.json"');
  const body = res.json();
  assert.equal(body.threshold, 50);
  assert.deepEqual(Object.keys(body.municipalities[0]), ['ags', 'name', 'count', 'qualifies', 'qualified_at', 'confirmed_at']);
  assert.deepEqual(body.municipalities.map((m: { ags: string; count: number; qualifies: boolean }) => [m.ags, m.count, m.qualifies]), [
    [MUENCHEN, 80, true], [COBURG, 50, true], [BAD_NEUSTADT, 49, false],
  ]);
  const csv: Record<string, string>[] = parseCsv((await app.server.inject('/digitales-amt.csv')).body, { columns: true });
  assert.deepEqual(body.municipalities.map((m: { qualified_at: string | null }) => m.qualified_at ?? ''), csv.map((r) => r.qualified_at));
});

test('the API lists the municipalities holding the distinction, most services first', async () => {
  const res = await app.server.inject('/api/v1/digitales-amt');
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.json();
  assert.equal(body.threshold, 50);
  assert.deepEqual(body.items.map((i: { ags: string; name: string; procedureCount: number; confirmed: boolean; url: string }) => [i.ags, i.name, i.procedureCount, i.confirmed, i.url]), [
    [MUENCHEN, 'München', 80, false, `/gemeinden/${MUENCHEN}`],
    [COBURG, 'Coburg', 50, false, `/gemeinden/${COBURG}`],
  ]);
  assert.ok(!Number.isNaN(Date.parse(body.items[0].qualifiedAt)));
});

test('the municipality page shows the distinction for Coburg and München, not for Bad Neustadt', async () => {
  for (const ags of [COBURG, MUENCHEN]) {
    const notice = html(await app.server.inject(`/gemeinden/${ags}`)).querySelector('.digitales-amt-award');
    assert.ok(notice, ags);
    assert.match(notice.text, /^Ausgezeichnet als Digitales Amt \(seit \d{1,2}\. \p{L}+ \d{4}\)/u);
    assert.ok(notice.querySelector('a[href="/digitales-amt"]'));
  }
  const neustadt = html(await app.server.inject(`/gemeinden/${BAD_NEUSTADT}`));
  assert.match(neustadt.querySelector('.notice--success')!.text, /angeschlossen/);
  assert.equal(neustadt.querySelector('.digitales-amt-award'), null);
  assert.doesNotMatch(neustadt.querySelector('main')!.text, /Ausgezeichnet/);
  const en = html(await app.server.inject(`/gemeinden/${COBURG}?lang=en`)).querySelector('.digitales-amt-award')!;
  assert.match(en.text, /since \d{1,2} \p{L}+ \d{4}/u);
});

test('staff pages: anonymous visitors go to the login; a caseworker gets "not found", on GET and POST, and no link', async () => {
  const anonymous = await app.server.inject(MANAGE);
  assert.equal(anonymous.statusCode, 303);
  assert.equal(anonymous.headers.location, '/verwaltung/anmelden?weiter=%2Fverwaltung%2Fdigitales-amt');

  const caseworker = await logIn(CASEWORKER);
  const home = html(await caseworker.get('/verwaltung'));
  assert.equal(home.querySelector(`a[href="${MANAGE}"]`), null);
  assert.equal((await caseworker.get(MANAGE)).statusCode, 404);
  const token = home.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
  const post = await caseworker.post(`${MANAGE}/${await tenantId('coburg')}/bestaetigen`, { _csrf: token });
  assert.equal(post.statusCode, 404);
  assert.equal((await app.database.db.selectFrom('digitales_amt_awards').select('confirmed_at').where('tenant_id', '=', await tenantId('coburg')).executeTakeFirstOrThrow()).confirmed_at, null);
});

test('a POST without the CSRF token is refused with 403 and confirms nothing', async () => {
  const ministry = await logIn(MINISTRY);
  const coburg = await tenantId('coburg');
  const res = await ministry.post(`${MANAGE}/${coburg}/bestaetigen`, {});
  assert.equal(res.statusCode, 403);
  const award = await app.database.db.selectFrom('digitales_amt_awards').select('confirmed_at').where('tenant_id', '=', coburg).executeTakeFirstOrThrow();
  assert.equal(award.confirmed_at, null);
});

test('the ministry confirms Coburg: recorded, audited without personal data, shown publicly; a second confirmation or an unknown award gives a message', async () => {
  const ministry = await logIn(MINISTRY);
  const home = html(await ministry.get('/verwaltung'));
  assert.ok(home.querySelector(`main a[href="${MANAGE}"]`), 'the staff home links to the page for ministry staff');

  const page = html(await ministry.get(MANAGE));
  assert.deepEqual(rowsOf(page, '.awards-pending').map((r) => [r[0], r[1]]), [['München', '80'], ['Coburg', '50']]);
  assert.equal(page.querySelector('.awards-confirmed'), null);

  const coburg = await tenantId('coburg');
  const action = `${MANAGE}/${coburg}/bestaetigen`;
  const res = await ministry.submit(MANAGE, {}, action);
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, `${MANAGE}?bestaetigt=${coburg}`);

  const after = html(await ministry.get(String(res.headers.location)));
  assert.equal(after.querySelector('[role="status"]')!.text, 'Die Auszeichnung für Coburg ist bestätigt.');
  assert.deepEqual(rowsOf(after, '.awards-pending').map((r) => r[0]), ['München']);
  const confirmedRow = rowsOf(after, '.awards-confirmed');
  assert.deepEqual(confirmedRow.map((r) => [r[0], r[4], r[5]]), [['Coburg', 'Max Ministerium', 'Öffentlich gelistet']]);

  const db = app.database.db;
  const ministryId = (await db.selectFrom('staff_accounts').select('id').where('email', '=', MINISTRY).executeTakeFirstOrThrow()).id;
  const award = await db.selectFrom('digitales_amt_awards').selectAll().where('tenant_id', '=', coburg).executeTakeFirstOrThrow();
  assert.equal(award.confirmed_by, ministryId);
  assert.ok(award.confirmed_at instanceof Date);
  const events = await db.selectFrom('audit_events').selectAll().where('action', '=', 'digitales_amt.confirmed').execute();
  assert.equal(events.length, 1);
  assert.equal(events[0]!.tenant_id, coburg);
  assert.equal(events[0]!.actor_id, ministryId);
  assert.ok(events[0]!.request_id);
  assert.doesNotMatch(JSON.stringify(events[0]), /ministerium@|Max Ministerium/);

  const publicRows = rowsOf(html(await app.server.inject('/digitales-amt')), 'main');
  assert.match(publicRows.find((r) => r[0] === 'Coburg')![3]!, /^Ja, am \d{1,2}\. \p{L}+ \d{4}$/u);
  assert.equal(publicRows.find((r) => r[0] === 'München')![3], 'Noch nicht');
  const api = (await app.server.inject('/api/v1/digitales-amt')).json();
  assert.equal(api.items.find((i: { ags: string }) => i.ags === COBURG).confirmed, true);
  const csv: Record<string, string>[] = parseCsv((await app.server.inject('/digitales-amt.csv')).body, { columns: true });
  assert.equal(csv.find((r) => r.ags === COBURG)!.confirmed_at, award.confirmed_at!.toISOString());

  // Confirming again (a second tab, a double click): a message, not an error page.
  const token = after.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
  const again = await ministry.post(action, { _csrf: token });
  assert.equal(again.statusCode, 409);
  const againDoc = html(again);
  assert.match(againDoc.querySelector('[role="alert"]')!.text, /Die Auszeichnung für Coburg wurde bereits am .+ bestätigt\. Es wurde nichts geändert\./);
  assert.match(againDoc.querySelector('title')!.text, /^Fehler:/);
  assert.equal((await db.selectFrom('audit_events').select('id').where('action', '=', 'digitales_amt.confirmed').execute()).length, 1);

  // No award for this tenant (Bad Neustadt, 49), an unknown id, a malformed id.
  for (const id of [await tenantId('bad-neustadt'), '00000000-0000-4000-8000-000000000000', 'kein-schluessel']) {
    const unknown = await ministry.post(`${MANAGE}/${id}/bestaetigen`, { _csrf: token });
    assert.equal(unknown.statusCode, 404, id);
    assert.match(html(unknown).querySelector('[role="alert"]')!.text, /Für diese Gemeinde ist keine Auszeichnung verzeichnet/, id);
  }
});

test('the evaluation job is registered: after a 50th service, Bad Neustadt is listed once the worker ran', async () => {
  const db = app.database.db;
  const neustadt = await tenantId('bad-neustadt');
  const linked = await db.selectFrom('online_procedures').select('leika_key').where('tenant_id', '=', neustadt).execute();
  const service = await db.selectFrom('services').select(['leika_key', 'name'])
    .where('leika_key', 'not in', linked.map((l) => l.leika_key)).orderBy('leika_key').executeTakeFirstOrThrow();
  await db.transaction().execute(async (tx) => {
    await upsertOnlineProcedure(tx, neustadt, { leikaKey: service.leika_key, name: 'Neues Verfahren', kind: 'internal', url: null, maturityModel: '2', maturityLevel: 4 });
    await enqueueDigitalesAmtEvaluation(tx, neustadt);
  });
  assert.doesNotMatch(html(await app.server.inject('/digitales-amt')).querySelector('main table')!.text, /Bad Neustadt/, 'not before the evaluation');
  assert.equal(await app.worker.drain(), 1);
  const rows = rowsOf(html(await app.server.inject('/digitales-amt')), 'main');
  assert.deepEqual(rows.map((r) => [r[0], r[1]]), [['München', '80'], ['Bad Neustadt a.d.Saale', '50'], ['Coburg', '50']]);
  assert.ok(html(await app.server.inject(`/gemeinden/${BAD_NEUSTADT}`)).querySelector('.digitales-amt-award'));
});
