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

const EDITOR_MUENCHEN = 'redaktion@muenchen.demo.digitales-amt.de';
const ADMIN_LK_COBURG = 'verwaltung@landkreis-coburg.demo.digitales-amt.de';
const CASEWORKER_COBURG = 'sachbearbeitung@coburg.demo.digitales-amt.de';
const MUENCHEN_AGS = '09162000';

async function logIn(email: string): Promise<TestClient> {
  const { client, res } = await logInStaff(app, email);
  assert.equal(res.statusCode, 303, `login of ${email}`);
  return client;
}

async function tenantId(slug: string): Promise<string> {
  return (await app.database.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
}

/** A staff account of its own for one test, with the given memberships. */
async function createStaff(email: string, displayName: string, memberships: [string, 'editor' | 'tenant_admin' | 'caseworker'][]): Promise<TestClient> {
  const id = await upsertStaffAccount(app.database.db, { email, displayName, passwordHash: await hashPassword(DEMO_PASSWORD) });
  for (const [slug, role] of memberships) await addMembership(app.database.db, await tenantId(slug), id, role);
  return logIn(email);
}

/** The fields a browser would send for the form with `action` on a page loaded earlier: its hidden fields and CSRF token. */
function formFields(doc: HTMLElement, action: string): Record<string, string> {
  const form = doc.querySelector(`form[action="${action}"]`);
  assert.ok(form, `form ${action}`);
  const fields: Record<string, string> = {};
  for (const input of form.querySelectorAll('input[type="hidden"]')) fields[input.getAttribute('name')!] = input.getAttribute('value') ?? '';
  return fields;
}

const text = (doc: HTMLElement, selector: string) => (doc.querySelector(selector)?.text ?? '').replace(/\s+/g, ' ').trim();
const summaryLinks = (doc: HTMLElement) => doc.querySelectorAll('.error-summary a').map((a) => [a.getAttribute('href'), a.text.trim()]);

async function localTextRows(tenant: string, leikaKey: string) {
  const db = app.database.db;
  return {
    text: await db.selectFrom('local_service_texts').selectAll().where('tenant_id', '=', tenant).where('leika_key', '=', leikaKey).executeTakeFirst(),
    versions: await db.selectFrom('local_service_text_versions').selectAll().where('tenant_id', '=', tenant).where('leika_key', '=', leikaKey).orderBy('version').execute(),
  };
}

test('an editor finds a service with the public search and opens its editor page for their authority', async () => {
  const editor = await logIn(EDITOR_MUENCHEN);
  const doc = html(await editor.get('/verwaltung/leistungen?q=Wohnsitz+ummelden'));
  assert.match(text(doc, '.context'), /Landeshauptstadt München/);
  const first = doc.querySelector('.result-list li')!;
  assert.equal(first.querySelector('a')!.getAttribute('href'), '/verwaltung/leistungen/99115005104000');
  assert.match(text(first, '.badge'), /Online-Verfahren Ihrer Behörde: 1/);
  const byKey = await editor.get('/verwaltung/leistungen?q=99115005104000');
  assert.equal(byKey.headers.location, '/verwaltung/leistungen/99115005104000', 'a LeiKa key opens the service directly');
  const page = html(await editor.get('/verwaltung/leistungen/99115005104000'));
  assert.equal(text(page, 'h1'), 'Wohnsitz Anmeldung');
  assert.equal(page.querySelector('a[href^="/leistungen/"]')!.getAttribute('href'), `/leistungen/99115005104000?ags=${MUENCHEN_AGS}`);
  assert.equal((await editor.get('/verwaltung/leistungen/99999999999999')).statusCode, 404);
  assert.equal((await editor.get('/verwaltung/leistungen/1234')).statusCode, 404);
});

test('an editor saves a local text, and the public service page for the municipality shows it', async () => {
  const editor = await logIn(EDITOR_MUENCHEN);
  const key = '99115005104000';
  const page = `/verwaltung/leistungen/${key}`;
  const res = await editor.submit(page, {
    fees: 'In München kostet die Anmeldung nichts.', contact: 'Bürgerbüro Ruppertstraße, Telefon 089 233-96000', localRequirements: 'Termin über das Terminportal der Stadt.',
  }, `${page}/text`);
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, `${page}?hinweis=text-gespeichert#text`);
  assert.match(text(html(await editor.get(String(res.headers.location))), '.notice'), /gespeichert/);

  const publicPage = html(await app.server.inject(`/leistungen/${key}?ags=${MUENCHEN_AGS}`));
  const main = text(publicPage, 'main');
  assert.match(main, /In München kostet die Anmeldung nichts\./);
  assert.doesNotMatch(main, /Die Anmeldung ist gebührenfrei/, 'the local fees replace the state text');
  assert.match(text(publicPage, '.authority'), /Bürgerbüro Ruppertstraße/);
  assert.match(text(publicPage, '.local'), /Termin über das Terminportal/);
  assert.doesNotMatch(text(html(await app.server.inject(`/leistungen/${key}?ags=09463000`)), 'main'), /In München kostet/, 'not shown for Coburg');

  const audit = await app.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'catalog.local_text.saved').where('subject_id', '=', key).execute();
  assert.equal(audit.length, 1);
  assert.equal(audit[0]!.tenant_id, await tenantId('muenchen'));
  assert.deepEqual(audit[0]!.details, { version: 1 });
});

test('the history shows each version with who saved it, when and what changed; saving unchanged text adds none', async () => {
  const editor = await logIn(EDITOR_MUENCHEN);
  const key = '99102013000000';
  const page = `/verwaltung/leistungen/${key}`;
  assert.equal((await editor.submit(page, { fees: '75 Euro je Hund', contact: '', localRequirements: '' }, `${page}/text`)).statusCode, 303);
  assert.equal((await editor.submit(page, { fees: '100 Euro je Hund', contact: 'Steueramt', localRequirements: '' }, `${page}/text`)).statusCode, 303);
  const unchanged = await editor.submit(page, { fees: '100 Euro je Hund', contact: 'Steueramt', localRequirements: '' }, `${page}/text`);
  assert.equal(unchanged.headers.location, `${page}?hinweis=text-unveraendert#text`);

  const doc = html(await editor.get(page));
  const rows = doc.querySelectorAll('table.history tbody tr').map((tr) => tr.querySelectorAll('th, td').map((c) => c.text.replace(/\s+/g, ' ').trim()));
  assert.equal(rows.length, 2);
  assert.deepEqual(rows.map((r) => r[0]), ['2', '1']);
  for (const r of rows) {
    assert.equal(r[1], 'Maria Redaktion (München)');
    assert.match(r[2]!, /\d{1,2}\. \w+ 20\d\d/, 'the date');
  }
  assert.match(rows[0]![3]!, /^Gebühren bei Ihrer Behörde, Kontakt für diese Leistung Fassung anzeigen/);
  assert.match(rows[1]![3]!, /^Gebühren bei Ihrer Behörde Fassung anzeigen/);
  assert.match(rows[1]![3]!, /75 Euro je Hund/, 'the old version can be read');
  assert.equal(doc.querySelector('input[name="version"]')!.getAttribute('value'), '2');

  const { text: row, versions } = await localTextRows(await tenantId('muenchen'), key);
  assert.equal(row!.version, 2);
  const [account] = await app.database.db.selectFrom('staff_accounts').select('id').where('email', '=', EDITOR_MUENCHEN).execute();
  assert.deepEqual(versions.map((v) => [v.version, v.fees, v.changed_by]), [[1, '75 Euro je Hund', account!.id], [2, '100 Euro je Hund', account!.id]]);
});

test('a save based on an old version is refused with a conflict message, the values kept and nothing written', async () => {
  const key = '99050012104000';
  const page = `/verwaltung/leistungen/${key}`;
  const action = `${page}/text`;
  const first = await logIn(EDITOR_MUENCHEN);
  const second = await createStaff('zweite-redaktion@muenchen.demo.digitales-amt.de', 'Zoe Zweitredaktion (München)', [['muenchen', 'editor']]);
  assert.equal((await first.submit(page, { fees: 'Gebühr 1', contact: '', localRequirements: '' }, action)).statusCode, 303);

  const opened = formFields(html(await first.get(page)), action);
  assert.equal(opened.version, '1');
  assert.equal((await second.submit(page, { fees: 'Gebühr von Zoe', contact: '', localRequirements: '' }, action)).statusCode, 303);
  const tenant = await tenantId('muenchen');
  const before = await localTextRows(tenant, key);

  const res = await first.post(action, { ...opened, fees: 'Gebühr von Maria', contact: 'Kontakt von Maria', localRequirements: '' });
  assert.equal(res.statusCode, 409);
  const doc = html(res);
  assert.match(text(doc, 'title'), /^Fehler:/);
  assert.match(text(doc, '.error-summary'), /neuere Fassung[\s\S]*Zoe Zweitredaktion \(München\) hat am .* Version 2 gespeichert/);
  assert.equal(doc.querySelector('#fees')!.text, 'Gebühr von Maria');
  assert.equal(doc.querySelector('#contact')!.text, 'Kontakt von Maria');
  assert.match(text(doc, '.current-version'), /Version 2[\s\S]*Gebühr von Zoe/);
  assert.equal(doc.querySelector(`form[action="${action}"] input[name="version"]`)!.getAttribute('value'), '2', 'saving again is a deliberate overwrite');
  assert.deepEqual(await localTextRows(tenant, key), before, 'nothing written');

  const again = await first.post(action, { ...formFields(doc, action), fees: 'Gebühr von Maria', contact: 'Kontakt von Maria', localRequirements: '' });
  assert.equal(again.statusCode, 303);
  assert.equal((await localTextRows(tenant, key)).text!.fees, 'Gebühr von Maria');
});

test('invalid procedure input is refused with 400, an error summary linking to each field and the values kept; nothing is written', async () => {
  const editor = await logIn(EDITOR_MUENCHEN);
  const key = '99102013010000';
  const page = `/verwaltung/leistungen/${key}`;
  const action = `${page}/verfahren`;
  const count = async () => (await app.database.db.selectFrom('online_procedures').select('id').where('leika_key', '=', key).execute()).length;
  const audits = async () => (await app.database.db.selectFrom('audit_events').select('id').where('action', 'like', 'catalog.procedure.%').execute()).length;
  const evaluations = async () => (await app.database.db.selectFrom('jobs').select('id').where('type', '=', 'digitales-amt.evaluate@1').execute()).length;
  const [proceduresBefore, auditsBefore, evaluationsBefore] = [await count(), await audits(), await evaluations()];

  const res = await editor.submit(page, { name: 'Hundesteuer-Befreiung beantragen', kind: 'external', url: 'http://hund.muenchen.de/befreiung', maturityModel: '1', maturityLevel: '6' }, action);
  assert.equal(res.statusCode, 400);
  const doc = html(res);
  assert.match(text(doc, 'title'), /^Fehler:/);
  assert.deepEqual(summaryLinks(doc), [
    ['#url', 'Geben Sie eine vollständige Adresse ein, die mit https:// beginnt'],
    ['#maturityLevel', 'Im Reifegradmodell 1.x liegt der Reifegrad zwischen 0 und 4'],
  ]);
  assert.equal(doc.querySelector('#url')!.getAttribute('value'), 'http://hund.muenchen.de/befreiung');
  assert.equal(doc.querySelector('#url')!.getAttribute('aria-invalid'), 'true');
  assert.match(doc.querySelector('#url')!.getAttribute('aria-describedby')!, /url-error/);
  assert.equal(doc.querySelector('#maturityLevel')!.getAttribute('value'), '6');
  assert.equal(doc.querySelector('#name')!.getAttribute('value'), 'Hundesteuer-Befreiung beantragen');
  assert.ok(doc.querySelector('input[name="kind"][value="external"]')!.hasAttribute('checked'));
  assert.ok(doc.querySelector('input[name="maturityModel"][value="1"]')!.hasAttribute('checked'));

  const empty = html(await editor.submit(page, {}, action));
  assert.deepEqual(summaryLinks(empty).map(([href]) => href), ['#name', '#kind', '#maturityModel', '#maturityLevel']);
  const internalWithUrl = html(await editor.submit(page, { name: 'X', kind: 'internal', url: 'https://x.de', maturityModel: '2', maturityLevel: '8' }, action));
  assert.deepEqual(summaryLinks(internalWithUrl).map(([href]) => href), ['#url', '#maturityLevel']);
  const taken = await editor.submit('/verwaltung/leistungen/99115005104000', { name: 'Wohnsitz Anmeldung online', kind: 'internal', maturityModel: '2', maturityLevel: '3' }, '/verwaltung/leistungen/99115005104000/verfahren');
  assert.equal(taken.statusCode, 400);
  assert.deepEqual(summaryLinks(html(taken)), [['#name', 'Für diese Leistung ist bereits ein Verfahren Ihrer Behörde mit diesem Namen verknüpft']]);

  const tooLong = await editor.submit(page, { fees: 'x'.repeat(2001), contact: 'Steueramt', localRequirements: '' }, `${page}/text`);
  assert.equal(tooLong.statusCode, 400);
  assert.deepEqual(summaryLinks(html(tooLong)), [['#fees', 'Die Gebühren dürfen höchstens 2.000 Zeichen lang sein']]);
  assert.equal(html(tooLong).querySelector('#contact')!.text, 'Steueramt');

  assert.equal(await count(), proceduresBefore, 'no procedure written');
  assert.equal(await evaluations(), evaluationsBefore, 'nothing queued');
  assert.equal(await audits(), auditsBefore, 'nothing audited');
  assert.equal((await localTextRows(await tenantId('muenchen'), key)).versions.length, 0);
});

test('a linked procedure makes the public search say "online möglich" for the municipality, until it is deactivated or removed', async () => {
  const editor = await logIn(EDITOR_MUENCHEN);
  const key = '99102013010000';
  const page = `/verwaltung/leistungen/${key}`;
  const badge = async () => {
    const doc = html(await app.server.inject(`/leistungen?q=Hundesteuer+Befreiung&ags=${MUENCHEN_AGS}`));
    const item = doc.querySelectorAll('.result-list li').find((li) => li.querySelector('a')?.getAttribute('href') === `/leistungen/${key}`);
    assert.ok(item, 'the service is found');
    return text(item, '.badge');
  };
  assert.equal(await badge(), 'nicht online');
  const muenchen = await tenantId('muenchen');
  const evaluations = async () => (await app.database.db.selectFrom('jobs').select('id')
    .where('type', '=', 'digitales-amt.evaluate@1').where('tenant_id', '=', muenchen).execute()).length;
  const awardCount = async () => (await app.database.db.selectFrom('digitales_amt_awards').select('procedure_count')
    .where('tenant_id', '=', muenchen).executeTakeFirstOrThrow()).procedure_count;
  await app.worker.drain();
  const [evaluationsBefore, countBefore] = [await evaluations(), await awardCount()];

  const res = await editor.submit(page, { name: 'Befreiung von der Hundesteuer beantragen', kind: 'external', url: 'HTTPS://Steuer.Muenchen.de/hund', maturityModel: '2', maturityLevel: '6' }, `${page}/verfahren`);
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, `${page}?hinweis=verfahren-verknuepft#verfahren`);
  assert.equal(await badge(), 'online möglich');
  assert.equal(await evaluations(), evaluationsBefore + 1, 'the Digitales Amt evaluation is queued with the link');
  await app.worker.drain();
  assert.equal(await awardCount(), countBefore + 1, 'and counts the service once it ran');
  const servicePage = html(await app.server.inject(`/leistungen/${key}?ags=${MUENCHEN_AGS}`));
  assert.equal(servicePage.querySelector('.procedures a')!.getAttribute('href'), 'https://steuer.muenchen.de/hund');

  const row = await app.database.db.selectFrom('online_procedures').selectAll().where('leika_key', '=', key).executeTakeFirstOrThrow();
  assert.deepEqual([row.tenant_id, row.kind, row.maturity_model, row.maturity_level, row.active], [muenchen, 'external', '2', 6, true]);
  const procedurePage = `${page}/verfahren/${row.id}`;

  assert.equal((await editor.submit(page, {}, `${procedurePage}/status`)).statusCode, 303);
  assert.equal(await badge(), 'nicht online');
  assert.match(text(html(await editor.get(page)), 'table.procedures'), /deaktiviert/);
  assert.equal((await editor.submit(page, {}, `${procedurePage}/status`)).statusCode, 303);
  assert.equal(await badge(), 'online möglich');

  const edit = html(await editor.get(procedurePage));
  assert.equal(edit.querySelector('#maturityLevel')!.getAttribute('value'), '6', 'the form shows the stored values');
  const changed = await editor.submit(procedurePage, { name: 'Befreiung von der Hundesteuer beantragen', kind: 'external', url: 'https://steuer.muenchen.de/hund', maturityModel: '2', maturityLevel: '7' }, procedurePage);
  assert.equal(changed.statusCode, 303);
  assert.equal((await app.database.db.selectFrom('online_procedures').select('maturity_level').where('id', '=', row.id).executeTakeFirstOrThrow()).maturity_level, 7);

  const removed = await editor.submit(procedurePage, {}, `${procedurePage}/entfernen`);
  assert.equal(removed.headers.location, `${page}?hinweis=verfahren-entfernt#verfahren`);
  assert.equal(await badge(), 'nicht online');
  assert.equal((await app.database.db.selectFrom('online_procedures').select('id').where('id', '=', row.id).execute()).length, 0);
  assert.equal((await editor.get(procedurePage)).statusCode, 404);
  assert.equal(await evaluations(), evaluationsBefore + 4, 'queued again on deactivating, reactivating and removing (not on changing details)');
  await app.worker.drain();
  assert.equal(await awardCount(), countBefore);

  const audit = await app.database.db.selectFrom('audit_events').select(['action', 'tenant_id', 'details']).where('subject_id', '=', row.id).orderBy('created_at').execute();
  assert.deepEqual(audit.map((a) => a.action), ['catalog.procedure.linked', 'catalog.procedure.deactivated', 'catalog.procedure.reactivated', 'catalog.procedure.updated', 'catalog.procedure.removed']);
  assert.ok(audit.every((a) => a.tenant_id === row.tenant_id));
  assert.doesNotMatch(JSON.stringify(audit), /Befreiung von der Hundesteuer|Maria|redaktion@/, 'no names in the details');
});

test('an editor can neither see nor change another tenant\'s procedure or local text: "not found"', async () => {
  const db = app.database.db;
  const lkCoburg = await tenantId('landkreis-coburg');
  const foreign = await db.selectFrom('online_procedures').selectAll().where('tenant_id', '=', lkCoburg).orderBy('leika_key').executeTakeFirstOrThrow();
  const foreignUrl = `/verwaltung/leistungen/${foreign.leika_key}/verfahren/${foreign.id}`;
  // The district office's own administrator does see it: the route works, the tenant decides.
  assert.equal((await (await logIn(ADMIN_LK_COBURG)).get(foreignUrl)).statusCode, 200);

  const editor = await logIn(EDITOR_MUENCHEN);
  assert.equal((await editor.get(foreignUrl)).statusCode, 404);
  const ownPage = html(await editor.get(`/verwaltung/leistungen/${foreign.leika_key}`));
  assert.equal(ownPage.querySelector('table.procedures'), null, 'not listed on the editor page');
  assert.ok(!text(ownPage, 'main').includes(foreign.name));
  const own = formFields(ownPage, `/verwaltung/leistungen/${foreign.leika_key}/text`);
  const muenchen = await tenantId('muenchen');
  assert.equal(own.tenantId, muenchen);
  for (const tenant of [muenchen, lkCoburg]) {
    const fields = { _csrf: own._csrf!, tenantId: tenant };
    assert.equal((await editor.post(`${foreignUrl}/status`, { ...fields, active: 'false' })).statusCode, 404);
    assert.equal((await editor.post(`${foreignUrl}/entfernen`, fields)).statusCode, 404);
    assert.equal((await editor.post(foreignUrl, { ...fields, name: 'Übernommen', kind: 'internal', maturityModel: '2', maturityLevel: '1' })).statusCode, 404);
  }
  assert.deepEqual(await db.selectFrom('online_procedures').selectAll().where('id', '=', foreign.id).executeTakeFirst(), foreign, 'unchanged');

  const forged = await editor.post(`/verwaltung/leistungen/${foreign.leika_key}/text`, { ...own, tenantId: lkCoburg, fees: 'Von München geschrieben' });
  assert.equal(forged.statusCode, 404);
  assert.equal((await localTextRows(lkCoburg, foreign.leika_key)).text, undefined);
  assert.equal((await localTextRows(muenchen, foreign.leika_key)).text, undefined);
  assert.equal((await db.selectFrom('audit_events').select('id').where('tenant_id', '=', lkCoburg).where('action', 'like', 'catalog.%').execute()).length, 0);
});

test('staff without an editor role get "not found"; anonymous visitors are sent to the login; the staff home links editors to the editor', async () => {
  const caseworker = await logIn(CASEWORKER_COBURG);
  for (const url of ['/verwaltung/leistungen', '/verwaltung/leistungen/99115005104000']) {
    assert.equal((await caseworker.get(url)).statusCode, 404, url);
  }
  const token = formFields(html(await caseworker.get('/verwaltung')), '/verwaltung/abmelden')._csrf!;
  const post = await caseworker.post('/verwaltung/leistungen/99115005104000/text', { _csrf: token, tenantId: await tenantId('coburg'), version: '0', fees: 'x' });
  assert.equal(post.statusCode, 404);
  assert.equal(html(await caseworker.get('/verwaltung')).querySelector('a[href="/verwaltung/leistungen"]'), null);

  const anonymous = await new TestClient(app.server).get('/verwaltung/leistungen/99115005104000');
  assert.equal(anonymous.statusCode, 303);
  assert.equal(anonymous.headers.location, '/verwaltung/anmelden?weiter=%2Fverwaltung%2Fleistungen%2F99115005104000');

  for (const email of [EDITOR_MUENCHEN, ADMIN_LK_COBURG]) {
    const staff = await logIn(email);
    const home = html(await staff.get('/verwaltung'));
    assert.ok(home.querySelector('a[href="/verwaltung/leistungen"]'), email);
    assert.equal((await staff.get('/verwaltung/leistungen')).statusCode, 200, email);
  }
});

test('a POST without the CSRF token is refused with 403 and writes nothing', async () => {
  const editor = await logIn(EDITOR_MUENCHEN);
  const page = '/verwaltung/leistungen/99008001012000';
  const fields = formFields(html(await editor.get(page)), `${page}/text`);
  const { _csrf: _token, ...withoutToken } = fields;
  assert.equal((await editor.post(`${page}/text`, { ...withoutToken, fees: 'ohne Token' })).statusCode, 403);
  assert.equal((await editor.post(`${page}/text`, { ...withoutToken, _csrf: 'falsch', fees: 'falscher Token' })).statusCode, 403);
  assert.equal((await editor.post(`${page}/verfahren`, { ...withoutToken, name: 'ohne Token', kind: 'internal', maturityModel: '2', maturityLevel: '1' })).statusCode, 403);
  assert.equal((await localTextRows(await tenantId('muenchen'), '99008001012000')).text, undefined);
  assert.equal((await app.database.db.selectFrom('online_procedures').select('id').where('name', '=', 'ohne Token').execute()).length, 0);
});

test('staff with several tenants edit for the active one, switched in the header; a form left open for another tenant is "not found"', async () => {
  const staff = await createStaff('redaktion@zwei-behoerden.demo.digitales-amt.de', 'Rita Zweifach', [['muenchen', 'editor'], ['coburg', 'tenant_admin'], ['landkreis-coburg', 'caseworker']]);
  const home = html(await staff.get('/verwaltung'));
  assert.deepEqual(home.querySelectorAll('#tenant-switch option').map((o) => o.text), ['Landeshauptstadt München', 'Landratsamt Coburg', 'Stadt Coburg']);
  assert.equal(home.querySelector('#tenant-switch option[selected]')!.text, 'Landeshauptstadt München', 'the first tenant is active after login');
  const muenchenPage = html(await staff.get('/verwaltung/leistungen/99115005104000'));
  assert.match(text(muenchenPage, '.context'), /München/);
  const openForMuenchen = formFields(muenchenPage, '/verwaltung/leistungen/99115005104000/text');

  // As caseworker of the district office: no editor pages.
  assert.equal((await staff.submit('/verwaltung', { tenantId: await tenantId('landkreis-coburg') }, '/verwaltung/behoerde')).statusCode, 303);
  assert.equal((await staff.get('/verwaltung/leistungen')).statusCode, 404);
  assert.equal(html(await staff.get('/verwaltung')).querySelector('a[href="/verwaltung/leistungen"]'), null);

  assert.equal((await staff.submit('/verwaltung', { tenantId: await tenantId('coburg') }, '/verwaltung/behoerde')).statusCode, 303);
  const coburgPage = html(await staff.get('/verwaltung/leistungen/99115005104000'));
  assert.match(text(coburgPage, '.context'), /Stadt Coburg/);
  assert.equal(coburgPage.querySelector('a[href^="/leistungen/99115005104000"]')!.getAttribute('href'), '/leistungen/99115005104000?ags=09463000');

  // The form still open for München is refused now that Coburg is active; nothing is written.
  const stale = await staff.post('/verwaltung/leistungen/99115005104000/text', { ...openForMuenchen, fees: 'Münchner Gebühr' });
  assert.equal(stale.statusCode, 404);
  assert.notEqual((await localTextRows(await tenantId('muenchen'), '99115005104000')).text?.fees, 'Münchner Gebühr');
  const saved = await staff.submit('/verwaltung/leistungen/99115005104000', { fees: 'Coburger Gebühr' }, '/verwaltung/leistungen/99115005104000/text');
  assert.equal(saved.statusCode, 303);
  assert.equal((await localTextRows(await tenantId('coburg'), '99115005104000')).text!.fees, 'Coburger Gebühr');

  // A tenant the staff member does not belong to cannot be switched to.
  assert.equal((await staff.submit('/verwaltung', { tenantId: await tenantId('bad-neustadt') }, '/verwaltung/behoerde')).statusCode, 404);
});
