import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadReferenceForm } from '../forms/index.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html } from '../../../test/support/http.ts';
import { logInStaff } from '../../../test/support/staff.ts';

let app: TestApp;
before(async () => { app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' }); });
after(async () => app.dispose());

const EDITOR_MUENCHEN = 'redaktion@muenchen.demo.digitales-amt.de';
const ADMIN_LK_COBURG = 'verwaltung@landkreis-coburg.demo.digitales-amt.de';

test('a form is stored from its definition: bad JSON and invalid definitions are refused with the problems, the text kept', async () => {
  const { client } = await logInStaff(app, EDITOR_MUENCHEN);
  const notJson = await client.submit('/verwaltung/formulare', { definition: '{"format": 1,' }, '/verwaltung/formulare');
  assert.equal(notJson.statusCode, 400);
  assert.match(html(notJson).querySelector('.error-summary')!.text, /kein gültiges JSON/);
  assert.equal(html(notJson).querySelector('textarea[name="definition"]')!.text, '{"format": 1,');
  const invalid = await client.submit('/verwaltung/formulare', { definition: JSON.stringify({ format: 1, title: { de: 'X' }, steps: [{ id: 's', title: { de: 'S' }, items: [{ kind: 'field', id: 'a', type: 'choice', label: { de: 'A' } }] }] }) }, '/verwaltung/formulare');
  assert.equal(invalid.statusCode, 400);
  assert.ok(html(invalid).querySelectorAll('#problems-title + ul li').length >= 1, 'each problem is listed');
  const before = await app.database.db.selectFrom('forms').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();

  const definition = loadReferenceForm('hundesteuer');
  const stored = await client.submit('/verwaltung/formulare', { definition: JSON.stringify({ ...definition, title: { de: 'Hundesteuer München' } }) }, '/verwaltung/formulare');
  assert.equal(stored.statusCode, 303);
  const page = html(await client.get(String(stored.headers.location)));
  assert.match(page.querySelector('[role="status"]')!.text, /Fassung 1/);
  const after = await app.database.db.selectFrom('forms').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(after.n), Number(before.n) + 1);
});

test('another authority adopts a shared form with its own fee; an unshared form is not found for it', async () => {
  const { client: lk } = await logInStaff(app, ADMIN_LK_COBURG);
  const db = app.database.db;
  const shared = await db.selectFrom('forms').select(['id', 'title']).where('slug', '=', 'anmeldung-eines-hundes-zur-hundesteuer').executeTakeFirst()
    ?? await db.selectFrom('forms').select(['id', 'title']).where('shared_at', 'is not', null).orderBy('title').executeTakeFirstOrThrow();
  const unshared = await db.selectFrom('forms').select('forms.id').where('shared_at', 'is', null).innerJoin('tenants', 'tenants.id', 'forms.owner_tenant_id').where('tenants.slug', '=', 'coburg').executeTakeFirstOrThrow();
  assert.equal((await lk.get(`/verwaltung/formulare/${unshared.id}`)).statusCode, 404);

  const page = `/verwaltung/formulare/${shared.id}`;
  const action = `${page}/verfahren`;
  const noTiming = await lk.submit(page, { formVersion: '1', leikaKey: '99102013000000', name: 'Hundesteuer LRA', fee: '12,50', paymentTiming: 'none', minTrustLevel: 'substantiell' }, action);
  assert.equal(noTiming.statusCode, 400);
  assert.deepEqual(html(noTiming).querySelectorAll('.error-summary a').map((a) => a.getAttribute('href')), ['#paymentTiming']);
  assert.equal(html(noTiming).querySelector('input[name="fee"]')!.getAttribute('value'), '12,50');
  const badFee = await lk.submit(page, { formVersion: '1', leikaKey: '99102013000000', name: 'Hundesteuer LRA', fee: 'zwölf', paymentTiming: 'before_submission', minTrustLevel: 'substantiell' }, action);
  assert.deepEqual(html(badFee).querySelectorAll('.error-summary a').map((a) => a.getAttribute('href')), ['#fee']);

  const offered = await lk.submit(page, { formVersion: '1', leikaKey: '99102013000000', name: 'Hundesteuer LRA', fee: '12,50', paymentTiming: 'before_submission', minTrustLevel: 'niedrig' }, action);
  assert.equal(offered.statusCode, 303);
  const row = await db.selectFrom('application_procedures as ap').innerJoin('online_procedures as op', 'op.id', 'ap.online_procedure_id')
    .select(['ap.fee_schedule', 'ap.payment_timing', 'ap.min_trust_level', 'op.kind', 'ap.form_id']).where('op.name', '=', 'Hundesteuer LRA').executeTakeFirstOrThrow();
  assert.equal(row.form_id, shared.id, 'the adopted form, not a copy');
  assert.equal(row.kind, 'internal');
  assert.equal(row.payment_timing, 'before_submission');
  assert.deepEqual((typeof row.fee_schedule === 'string' ? JSON.parse(row.fee_schedule) : row.fee_schedule).items[0].cents, 1250);
  const audit = await db.selectFrom('audit_events').select('details').where('action', '=', 'forms.procedure_offered').orderBy('id', 'desc').executeTakeFirstOrThrow();
  assert.equal((typeof audit.details === 'string' ? JSON.parse(audit.details) : audit.details).adopted, true);
});

test('changing a procedure: an empty fee keeps a per-copy rule; a new version is taken only when chosen', async () => {
  const { client } = await logInStaff(app, 'sachbearbeitung@coburg.demo.digitales-amt.de');
  assert.equal((await client.get('/verwaltung/formulare')).statusCode, 404, 'caseworkers do not edit forms');
  const db = app.database.db;
  const procedure = await db.selectFrom('application_procedures as ap').innerJoin('online_procedures as op', 'op.id', 'ap.online_procedure_id')
    .select(['ap.online_procedure_id as id', 'ap.form_id', 'ap.fee_schedule']).where('op.name', '=', 'Führungszeugnis beantragen').executeTakeFirstOrThrow();
  // Coburg has no editor in the demo: give the caseworker the editor role for this test.
  const coburg = await db.selectFrom('tenants').select('id').where('slug', '=', 'coburg').executeTakeFirstOrThrow();
  const staff = await db.selectFrom('staff_accounts').select('id').where('email', '=', 'sachbearbeitung@coburg.demo.digitales-amt.de').executeTakeFirstOrThrow();
  await db.insertInto('staff_memberships').values({ tenant_id: coburg.id, staff_account_id: staff.id, role: 'editor' }).execute();
  const page = `/verwaltung/formulare/${procedure.form_id}`;
  const shown = html(await client.get(page));
  assert.match(shown.querySelector('main')!.text, /je Stück/);
  const saved = await client.submit(page, { formVersion: '1', minTrustLevel: 'hoch', fee: '', paymentTiming: 'before_submission', processingDays: '14', contact: '' }, `/verwaltung/formulare/verfahren/${procedure.id}`);
  assert.equal(saved.statusCode, 303);
  const after = await db.selectFrom('application_procedures').select(['fee_schedule', 'processing_days']).where('online_procedure_id', '=', procedure.id).executeTakeFirstOrThrow();
  assert.deepEqual(after.fee_schedule, procedure.fee_schedule, 'the per-copy fee is kept');
  assert.equal(after.processing_days, 14);
  const unknownVersion = await client.submit(page, { formVersion: '9', minTrustLevel: 'hoch', paymentTiming: 'before_submission' }, `/verwaltung/formulare/verfahren/${procedure.id}`);
  assert.equal(unknownVersion.statusCode, 400);
});
