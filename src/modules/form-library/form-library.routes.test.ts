import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadReferenceForm } from '../forms/index.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { submitDogTax } from '../../../test/support/dog-tax.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import { logInCitizen } from '../../../test/support/saml-citizen-login.ts';
import { logInStaff } from '../../../test/support/staff.ts';

let app: TestApp;
before(async () => { app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' }); });
after(async () => app.dispose());

const EDITOR_MUENCHEN = 'redaktion@muenchen.demo.digitales-amt.de';
const ADMIN_LK_COBURG = 'verwaltung@landkreis-coburg.demo.digitales-amt.de';
const CASEWORKER_COBURG = 'sachbearbeitung@coburg.demo.digitales-amt.de';

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
  const noTiming = await lk.submit(page, { formVersion: '1', leikaKey: '99102013000000', name: 'Hundesteuer LRA', fee: '12,50', paymentTiming: 'none', minTrustLevel: 'substantiell', workflow: 'standard' }, action);
  assert.equal(noTiming.statusCode, 400);
  assert.deepEqual(html(noTiming).querySelectorAll('.error-summary a').map((a) => a.getAttribute('href')), ['#paymentTiming']);
  assert.equal(html(noTiming).querySelector('input[name="fee"]')!.getAttribute('value'), '12,50');
  const badFee = await lk.submit(page, { formVersion: '1', leikaKey: '99102013000000', name: 'Hundesteuer LRA', fee: 'zwölf', paymentTiming: 'before_submission', minTrustLevel: 'substantiell', workflow: 'standard' }, action);
  assert.deepEqual(html(badFee).querySelectorAll('.error-summary a').map((a) => a.getAttribute('href')), ['#fee']);
  // No workflow chosen (the page always has one checked; a forged or stale post): refused, the choice linked, the rest kept.
  const noWorkflow = await lk.submit(page, { formVersion: '1', leikaKey: '99102013000000', name: 'Hundesteuer LRA', fee: '12,50', paymentTiming: 'before_submission', minTrustLevel: 'substantiell' }, action);
  assert.equal(noWorkflow.statusCode, 400);
  assert.deepEqual(html(noWorkflow).querySelectorAll('.error-summary a').map((a) => a.getAttribute('href')), ['#workflow']);
  assert.equal(html(noWorkflow).querySelector('#workflow')!.getAttribute('aria-invalid'), 'true');
  assert.equal(html(noWorkflow).querySelector('input[name="name"]')!.getAttribute('value'), 'Hundesteuer LRA');

  const offered = await lk.submit(page, { formVersion: '1', leikaKey: '99102013000000', name: 'Hundesteuer LRA', fee: '12,50', paymentTiming: 'before_submission', minTrustLevel: 'niedrig', workflow: 'notification' }, action);
  assert.equal(offered.statusCode, 303);
  const row = await db.selectFrom('application_procedures as ap').innerJoin('online_procedures as op', 'op.id', 'ap.online_procedure_id')
    .select(['ap.fee_schedule', 'ap.payment_timing', 'ap.min_trust_level', 'op.kind', 'ap.form_id', 'ap.workflow']).where('op.name', '=', 'Hundesteuer LRA').executeTakeFirstOrThrow();
  assert.equal(row.workflow, 'notification');
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
  const saved = await client.submit(page, { formVersion: '1', minTrustLevel: 'hoch', fee: '', paymentTiming: 'before_submission', processingDays: '14', contact: '', workflow: 'standard' }, `/verwaltung/formulare/verfahren/${procedure.id}`);
  assert.equal(saved.statusCode, 303);
  const after = await db.selectFrom('application_procedures').select(['fee_schedule', 'processing_days']).where('online_procedure_id', '=', procedure.id).executeTakeFirstOrThrow();
  assert.deepEqual(after.fee_schedule, procedure.fee_schedule, 'the per-copy fee is kept');
  assert.equal(after.processing_days, 14);
  const unknownVersion = await client.submit(page, { formVersion: '9', minTrustLevel: 'hoch', paymentTiming: 'before_submission', workflow: 'standard' }, `/verwaltung/formulare/verfahren/${procedure.id}`);
  assert.equal(unknownVersion.statusCode, 400);
});

test('the workflow of a procedure: chosen by the tenant administrator with an explanation per choice; open cases keep the workflow they were opened with', async () => {
  const db = app.database.db;
  const procedureId = await dogTaxProcedureId();
  const formId = (await db.selectFrom('application_procedures').select('form_id').where('online_procedure_id', '=', procedureId).executeTakeFirstOrThrow()).form_id;
  // Coburg has no administrator in the demo: make its caseworker one for this test.
  const coburg = await db.selectFrom('tenants').select('id').where('slug', '=', 'coburg').executeTakeFirstOrThrow();
  const staff = await db.selectFrom('staff_accounts').select('id').where('email', '=', CASEWORKER_COBURG).executeTakeFirstOrThrow();
  await db.insertInto('staff_memberships').values({ tenant_id: coburg.id, staff_account_id: staff.id, role: 'tenant_admin' }).onConflict((oc) => oc.doNothing()).execute();
  const { client: admin } = await logInStaff(app, CASEWORKER_COBURG);
  const page = `/verwaltung/formulare/${formId}`;
  const action = `/verwaltung/formulare/verfahren/${procedureId}`;
  const settings = { formVersion: '1', minTrustLevel: 'substantiell', paymentTiming: 'none', fee: '', processingDays: '30', contact: 'Zimmer 7' };
  const applicant = new TestClient(app.server);
  await logInCitizen(applicant, { person: 'U05', level: 'substantiell' });

  // Each workflow is a radio in one fieldset, the stored one checked, with its explanation tied to it.
  const shown = html(await admin.get(page));
  const group = shown.querySelector(`form[action="${action}"] fieldset:has(input[name="workflow"])`)!;
  assert.equal(group.querySelector('legend')!.text, 'Ablauf der Vorgänge');
  const radios = group.querySelectorAll('input[type="radio"]');
  assert.deepEqual(radios.map((r) => [r.getAttribute('value'), r.hasAttribute('checked')]), [['standard', true], ['notification', false]]);
  for (const radio of radios) {
    assert.ok(group.querySelector(`label[for="${radio.id}"]`)!.text.trim(), 'each choice has a label');
    assert.match(group.querySelector(`#${radio.getAttribute('aria-describedby')}`)!.text, /Bescheid/, 'and a one-line explanation');
  }
  assert.match(group.querySelector(`#${procedureId}-workflow-hint`)!.text, /Offene Vorgänge behalten/);

  // An unknown workflow is refused: summary linked to the first choice, the other values kept, nothing stored.
  const bad = await admin.submit(page, { ...settings, workflow: 'beliebig' }, action);
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(html(bad).querySelectorAll('.error-summary a').map((a) => a.getAttribute('href')), [`#${procedureId}-workflow`]);
  assert.equal(html(bad).querySelector(`#${procedureId}-workflow`)!.getAttribute('aria-invalid'), 'true');
  assert.equal(html(bad).querySelector(`#${procedureId}-contact`)!.getAttribute('value'), 'Zimmer 7');
  assert.equal(await workflowOf(procedureId), 'standard');

  // Without the CSRF token, or from another tenant's administrator (their own tenant named): refused, nothing stored.
  assert.equal((await admin.post(action, { ...settings, tenantId: coburg.id, workflow: 'notification', _csrf: 'x' })).statusCode, 403);
  const { client: other } = await logInStaff(app, ADMIN_LK_COBURG);
  const otherPage = html(await other.get('/verwaltung/formulare'));
  const otherTenant = otherPage.querySelector('input[name="tenantId"]')!.getAttribute('value')!;
  const otherToken = otherPage.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
  assert.equal((await other.post(action, { ...settings, tenantId: otherTenant, workflow: 'notification', _csrf: otherToken })).statusCode, 404);
  assert.equal(await workflowOf(procedureId), 'standard');

  // A case opened under the standard workflow, then the procedure becomes a notification.
  const before = await submitDogTax(app, applicant, 'Vorher');
  const saved = await admin.submit(page, { ...settings, workflow: 'notification' }, action);
  assert.equal(saved.statusCode, 303);
  assert.equal(await workflowOf(procedureId), 'notification');
  const audit = await db.selectFrom('audit_events').select('details').where('action', '=', 'forms.procedure_changed').where('subject_id', '=', procedureId).orderBy('id', 'desc').executeTakeFirstOrThrow();
  const details = typeof audit.details === 'string' ? JSON.parse(audit.details) : audit.details;
  assert.equal(details.workflow, 'notification');
  assert.equal(details.previousWorkflow, 'standard');
  assert.ok(!JSON.stringify(details).includes('Zimmer 7'), 'the audit entry holds codes, not the entered texts');
  assert.equal(html(await admin.get(page)).querySelector(`#${procedureId}-workflow-notification`)!.hasAttribute('checked'), true);

  // The case opened before keeps the standard workflow (closing needs a decision); a new one is a notification.
  const after = await submitDogTax(app, applicant, 'Nachher');
  assert.deepEqual(await closeAfterStarting(admin, before.id), [false, 409]);
  assert.deepEqual(await closeAfterStarting(admin, after.id), [true, 303]);

  // And back: a notification opened before stays closable without a decision; cases opened afterwards need one.
  const notification = await submitDogTax(app, applicant, 'Anzeige');
  assert.equal((await admin.submit(page, { ...settings, workflow: 'standard' }, action)).statusCode, 303);
  const standard = await submitDogTax(app, applicant, 'Antrag');
  assert.deepEqual(await closeAfterStarting(admin, notification.id), [true, 303]);
  assert.deepEqual(await closeAfterStarting(admin, standard.id), [false, 409]);
  assert.deepEqual(
    (await db.selectFrom('cases').select(['id', 'workflow']).where('id', 'in', [before.id, after.id, notification.id, standard.id]).execute())
      .map((c) => [c.id, c.workflow]).sort(),
    [[before.id, 'standard'], [after.id, 'notification'], [notification.id, 'notification'], [standard.id, 'standard']].sort(),
  );
});

async function dogTaxProcedureId(): Promise<string> {
  const row = await app.database.db.selectFrom('online_procedures as op').innerJoin('tenants as t', 't.id', 'op.tenant_id')
    .select('op.id').where('t.slug', '=', 'coburg').where('op.name', '=', 'Hund zur Hundesteuer anmelden').executeTakeFirstOrThrow();
  return row.id;
}

async function workflowOf(procedureId: string): Promise<string> {
  return (await app.database.db.selectFrom('application_procedures').select('workflow').where('online_procedure_id', '=', procedureId).executeTakeFirstOrThrow()).workflow;
}

/** Starts work on the case, then tries to close it: whether the page offered closing, and the answer. */
async function closeAfterStarting(caseworker: TestClient, caseId: string): Promise<[boolean, number]> {
  const page = `/verwaltung/vorgaenge/${caseId}`;
  assert.equal((await caseworker.submit(page, { to: 'in_progress' }, `${page}/status`)).statusCode, 303);
  const offered = html(await caseworker.get(page)).querySelectorAll(`form[action="${page}/status"] button`).some((b) => b.getAttribute('value') === 'closed');
  return [offered, (await caseworker.submit(page, { to: 'closed' }, `${page}/status`)).statusCode];
}
