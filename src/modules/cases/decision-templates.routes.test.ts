/**
 * Decisions by outcome over HTTP: the caseworker chooses the outcome and gets that outcome's
 * template (own, general, platform default); a refusal without reasons is not issued; the issued
 * decision and its trail entry carry the outcome; the tenant administrator keeps one template per
 * outcome, and no administrator reaches another tenant's templates. Plus migration 0015 on a
 * database that had the old single template.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../platform/db/database.ts';
import { migrate, MIGRATIONS_DIR } from '../../platform/db/migrations.ts';
import { createSealKeyStore, isSealValid, verifyPdfSeal } from '../../platform/pdf/index.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { procedureId, submitDogTax } from '../../../test/support/dog-tax.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import { logInCitizen } from '../../../test/support/saml-citizen-login.ts';
import { logInStaff } from '../../../test/support/staff.ts';
import { verifyCaseTrail } from '../case-trail/index.ts';

let app: TestApp;
before(async () => { app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' }); });
after(async () => app.dispose());

const CASEWORKER = 'sachbearbeitung@coburg.demo.digitales-amt.de';
const DISTRICT_ADMIN = 'verwaltung@landkreis-coburg.demo.digitales-amt.de';
const TEMPLATES = '/verwaltung/bescheidvorlagen';

const textarea = (res: { body: string }, name = 'body') => html(res as never).querySelector(`textarea[name="${name}"]`)?.text;
const summaryLinks = (res: { body: string }) => html(res as never).querySelectorAll('.error-summary a').map((a) => a.getAttribute('href'));

async function decidableCase(person: string, dog: string) {
  const applicant = new TestClient(app.server);
  await logInCitizen(applicant, { person, level: 'substantiell' });
  const { id, reference } = await submitDogTax(app, applicant, dog);
  const staff = (await logInStaff(app, CASEWORKER)).client;
  const page = `/verwaltung/vorgaenge/${id}`;
  assert.equal((await staff.submit(page, { to: 'in_progress' }, `${page}/status`)).statusCode, 303);
  return { applicant, staff, id, reference, page };
}

test('the caseworker chooses the outcome first, and each outcome starts from its own template, else the general one, else the default', async () => {
  const { staff, reference, page } = await decidableCase('U02', 'Struppi');

  // Without a draft the page asks for the outcome: no text yet.
  const chooser = html(await staff.get(`${page}/bescheid`));
  assert.deepEqual(chooser.querySelectorAll('input[name="ergebnis"]').map((i) => i.getAttribute('value')), ['granted', 'partially_granted', 'refused', 'other']);
  assert.deepEqual(chooser.querySelectorAll('fieldset label').map((l) => l.text), ['Stattgabe', 'Teilweise Stattgabe', 'Ablehnung', 'Sonstige Entscheidung']);
  assert.equal(chooser.querySelector('textarea[name="body"]'), null);
  assert.equal(chooser.querySelector('form[method="get"]')?.getAttribute('action'), `${page}/bescheid`);
  // Sent without a choice: an error on the radios.
  const none = await staff.get(`${page}/bescheid?wahl=1`);
  assert.equal(none.statusCode, 400);
  assert.deepEqual(summaryLinks(none), ['#ergebnis']);

  // Coburg's demo Hundesteuer has templates for approval and rejection; the others fall back.
  const expected = {
    granted: { text: /1\. Ihr Hund ist ab dem angegebenen Beginn der Haltung zur Hundesteuer angemeldet\./, source: /Vorlage der Leistung für „Stattgabe“/ },
    refused: { text: /\[\[Bitte begründen Sie die Ablehnung, zum Beispiel: Der Hund wird nicht im Gemeindegebiet gehalten/, source: /Vorlage der Leistung für „Ablehnung“/ },
    partially_granted: { text: /wird teilweise stattgegeben\. Im Übrigen wird er abgelehnt\./, source: /Standardtext der Plattform für „Teilweise Stattgabe“/ },
    other: { text: /\[\[Bitte geben Sie die Entscheidung an/, source: /Standardtext der Plattform für „Sonstige Entscheidung“/ },
  };
  for (const [outcome, want] of Object.entries(expected)) {
    const res = await staff.get(`${page}/bescheid?ergebnis=${outcome}&wahl=1`);
    assert.equal(res.statusCode, 200, outcome);
    const doc = html(res);
    const body = textarea(res)!;
    assert.match(body, want.text, outcome);
    assert.match(body, new RegExp(reference), `${outcome}: filled with the case data`);
    assert.doesNotMatch(body, /\{\{/, `${outcome}: no placeholder left`);
    assert.equal(doc.querySelector('input[type="hidden"][name="outcome"]')?.getAttribute('value'), outcome);
    assert.equal(doc.querySelector(`input[name="ergebnis"][value="${outcome}"]`)?.getAttribute('checked'), '', `${outcome}: chosen in the chooser`);
    assert.match(doc.querySelector('main')!.text, want.source, `${outcome}: says where the text comes from`);
  }
  assert.equal(textarea(await staff.get(`${page}/bescheid?ergebnis=refused`), 'body')!.includes('Gegen diesen Bescheid kann innerhalb eines Monats nach seiner Bekanntgabe entweder Widerspruch'), true, 'Coburg\'s own legal remedy');

  // With a general template, the outcomes without their own start from it.
  const coburg = (await app.database.db.selectFrom('tenants').select('id').where('slug', '=', 'coburg').executeTakeFirstOrThrow()).id;
  const dogTax = await procedureId(app, 'coburg', 'Hund zur Hundesteuer anmelden');
  await app.database.db.insertInto('decision_templates').values({ tenant_id: coburg, procedure_id: dogTax, outcome: 'general', title: 'Allgemeiner Bescheid', body: 'Allgemeine Vorlage zum Antrag {{antragsnummer}}: [[Entscheidung]]' }).execute();
  try {
    const partial = await staff.get(`${page}/bescheid?ergebnis=partially_granted`);
    assert.equal(textarea(partial), `Allgemeine Vorlage zum Antrag ${reference}: [[Entscheidung]]`);
    assert.equal(html(partial).querySelector('input[name="title"]')?.getAttribute('value'), 'Allgemeiner Bescheid');
    assert.match(html(partial).querySelector('main')!.text, /allgemeinen Vorlage der Leistung/);
    assert.match(textarea(await staff.get(`${page}/bescheid?ergebnis=refused`))!, /Bitte begründen Sie die Ablehnung, zum Beispiel/, 'an outcome\'s own template wins over the general one');
  } finally {
    await app.database.db.deleteFrom('decision_templates').where('tenant_id', '=', coburg).where('outcome', '=', 'general').execute();
  }
  // A caseworker who is no administrator gets no link to the templates (and the pages are not found).
  assert.equal(html(await staff.get(`${page}/bescheid?ergebnis=granted`)).querySelector(`a[href="${TEMPLATES}/${dogTax}"]`), null);
  assert.equal((await staff.get(TEMPLATES)).statusCode, 404);
});

test('a refusal without reasons is not issued (values kept); with them it is issued, sealed, and the decision and its trail entry carry the outcome', async () => {
  const { applicant, staff, id, page } = await decidableCase('U03', 'Hasso');
  const proposed = textarea(await staff.get(`${page}/bescheid?ergebnis=refused`))!;
  const title = 'Bescheid über Ihren Antrag zur Hundesteuer';
  const issue = (body: string, fee = '0,00') => staff.submit(`${page}/bescheid?ergebnis=refused`, { outcome: 'refused', title, body, fee, action: 'issue' }, `${page}/bescheid`);

  // As proposed: the reasons are still the gap.
  const asProposed = await issue(proposed, '5,00');
  assert.equal(asProposed.statusCode, 400);
  assert.deepEqual(summaryLinks(asProposed), ['#body']);
  const doc = html(asProposed);
  assert.match(doc.querySelector('#body-error')!.text, /Eine Ablehnung muss begründet werden/);
  assert.equal(doc.querySelector('textarea[name="body"]')!.getAttribute('aria-invalid'), 'true');
  assert.equal(textarea(asProposed), proposed, 'the text is kept');
  assert.equal(doc.querySelector('input[name="title"]')?.getAttribute('value'), title);
  assert.equal(doc.querySelector('input[name="fee"]')?.getAttribute('value'), '5,00');
  assert.equal(doc.querySelector('input[type="hidden"][name="outcome"]')?.getAttribute('value'), 'refused');
  assert.match(doc.querySelector('title')!.text, /^Fehler:/);
  // The gap removed but nothing written under "Gründe:": still refused; so is a text without the legal remedy.
  const emptied = proposed.replace(/\[\[Bitte begründen Sie die Ablehnung[^\]]*\]\]/, '');
  assert.notEqual(emptied, proposed);
  assert.equal((await issue(emptied)).statusCode, 400);
  const reasons = 'Der Hund wird nach Ihren Angaben nicht im Stadtgebiet gehalten; steuerpflichtig ist nur, wer einen Hund im Stadtgebiet hält.';
  const withReasons = proposed.replace(/\[\[Bitte begründen Sie die Ablehnung[^\]]*\]\]/, reasons);
  const noRemedy = await issue(withReasons.replace(/Rechtsbehelfsbelehrung:[\s\S]*?(?=\n\nMit freundlichen Grüßen)/, ''));
  assert.equal(noRemedy.statusCode, 400);
  assert.match(html(noRemedy).querySelector('#body-error')!.text, /Rechtsbehelfsbelehrung/);
  assert.equal(await app.database.db.selectFrom('decisions').select('id').where('case_id', '=', id).executeTakeFirst(), undefined, 'nothing stored when refused');

  // A draft may keep the gap; it is kept with its outcome.
  assert.equal((await staff.submit(`${page}/bescheid?ergebnis=refused`, { outcome: 'refused', title, body: proposed, fee: '0,00', action: 'save' }, `${page}/bescheid`)).statusCode, 303);
  const draft = html(await staff.get(`${page}/bescheid`));
  assert.equal(draft.querySelector('input[type="hidden"][name="outcome"]')?.getAttribute('value'), 'refused');
  assert.match(html(await staff.get(page)).querySelector('main')!.text, /Entwurf gespeichert \(Ablehnung\)/);

  const issued = await issue(withReasons);
  assert.equal(issued.statusCode, 303, html(issued).querySelector('.error-summary')?.text);
  const decision = await app.database.db.selectFrom('decisions').selectAll().where('case_id', '=', id).executeTakeFirstOrThrow();
  assert.equal(decision.status, 'issued');
  assert.equal(decision.outcome, 'refused');
  const entry = await app.database.db.selectFrom('case_trail').select(['details']).where('case_id', '=', id).where('action', '=', 'decision.issued').executeTakeFirstOrThrow();
  const details = entry.details as Record<string, unknown>;
  assert.equal(details.outcome, 'refused');
  assert.deepEqual(Object.keys(details).sort(), ['decisionId', 'feeCents', 'messageId', 'outcome', 'pdfSha256'], 'codes and ids only');
  assert.doesNotMatch(JSON.stringify(details), /Hasso|Stadtgebiet/);
  assert.equal((await verifyCaseTrail(app.database.db)).ok, true);
  const casePage = html(await staff.get(page)).querySelector('main')!.text;
  assert.match(casePage, /Erlassen am .*: Ablehnung\./);
  assert.match(casePage, /Bescheid erlassen \(Entscheidung: Ablehnung\)/);

  // The applicant's side is as before: the status history says decided, the fee page names the outcome.
  assert.match(html(await applicant.get(`/antraege/${id}`)).querySelector('.timeline')!.text, /Entschieden/);
  assert.match(html(await applicant.get(`/antraege/${id}/gebuehr`)).querySelector('main')!.text, /erlassen: Ablehnung\./);

  // The sealed PDF verifies (the project's verifier and pdfsig) and holds the reasons.
  const pdf = await staff.get(`${page}/bescheid.pdf`);
  assert.equal(pdf.statusCode, 200);
  const anchors = await createSealKeyStore({ db: app.database.db, cipher: app.cipher, config: app.config.seal }).trustAnchors();
  assert.ok(isSealValid(await verifyPdfSeal(pdf.rawPayload, anchors)));
  const dir = await mkdtemp(path.join(tmpdir(), 'ablehnung-'));
  try {
    const file = path.join(dir, 'ablehnung.pdf');
    await writeFile(file, pdf.rawPayload);
    const { stdout } = await promisify(execFile)('pdfsig', [file]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
    assert.match(stdout, /Signature is Valid/);
    const { stdout: text } = await promisify(execFile)('pdftotext', [file, '-']);
    assert.match(text.replace(/\s+/g, ' '), /steuerpflichtig ist nur, wer einen Hund im Stadtgebiet hält/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the tenant administrator keeps one template per outcome (error summary, values kept, audited); another tenant\'s templates are not found', async () => {
  const db = app.database.db;
  const admin = (await logInStaff(app, DISTRICT_ADMIN)).client;
  const building = await procedureId(app, 'landkreis-coburg', 'Bauantrag online');
  const coburgDogTax = await procedureId(app, 'coburg', 'Hund zur Hundesteuer anmelden');
  const base = `${TEMPLATES}/${building}`;

  const list = html(await admin.get(TEMPLATES));
  const rows = list.querySelectorAll('dl.template-procedures dt, dl.template-procedures dd').map((r) => r.text.replace(/\s+/g, ' ').trim());
  assert.deepEqual(rows, ['Bauantrag online', 'Eigene Vorlagen: Stattgabe, Ablehnung'], 'only the own tenant\'s procedures, with the demo templates');
  assert.match(html(await admin.get('/verwaltung')).querySelector('main')!.text, /Bescheidvorlagen je Leistung und Entscheidung/);

  const states = () => admin.get(base).then((res) => html(res).querySelectorAll('dl.template-outcomes dt').map((dt) => [dt.text, dt.nextElementSibling!.text.trim().split('\n')[0]!.trim()]));
  const before = await states();
  assert.deepEqual(before.map(([o]) => o), ['Stattgabe', 'Teilweise Stattgabe', 'Ablehnung', 'Sonstige Entscheidung', 'Allgemeine Vorlage']);
  assert.match(before[0]![1]!, /^Eigene Vorlage/);
  assert.equal(before[1]![1], 'Standardtext der Plattform');
  assert.match(before[4]![1]!, /^Keine/);

  // The editor of an outcome without a template starts from what a decision would start from.
  const partial = await admin.get(`${base}/partially_granted`);
  assert.equal(partial.statusCode, 200);
  assert.match(textarea(partial)!, /wird teilweise stattgegeben/);
  assert.match(textarea(partial)!, /Gebühr von \{\{gebuehr\}\}/, 'the procedure charges with the decision: placeholders stay in a template');
  assert.match(html(partial).querySelector('main')!.text, /Standardtext der Plattform/);
  assert.match(textarea(await admin.get(`${base}/refused`))!, /Ablehnung des Bauantrags|Der Bauantrag wird abgelehnt/);

  // Errors: in an error summary, with the values kept; a refusal template keeps its headings.
  const empty = await admin.submit(`${base}/refused`, { title: '', body: 'kurz' }, `${base}/refused`);
  assert.equal(empty.statusCode, 400);
  assert.deepEqual(summaryLinks(empty), ['#title', '#body']);
  const headless = 'Der Bauantrag wird abgelehnt, weil das Vorhaben im Außenbereich liegt und öffentliche Belange beeinträchtigt.';
  const noHeadings = await admin.submit(`${base}/refused`, { title: 'Ablehnung', body: headless }, `${base}/refused`);
  assert.equal(noHeadings.statusCode, 400);
  assert.deepEqual(summaryLinks(noHeadings), ['#body']);
  assert.match(html(noHeadings).querySelector('#body-error')!.text, /„Gründe:“.*„Rechtsbehelfsbelehrung:“/s);
  assert.equal(textarea(noHeadings), headless);
  assert.equal(html(noHeadings).querySelector('input[name="title"]')?.getAttribute('value'), 'Ablehnung');
  // Without the CSRF token nothing is stored.
  assert.equal((await admin.post(`${base}/general`, { title: 'Ohne Token', body: 'Allgemeine Vorlage ohne gültiges Token.' })).statusCode, 403);

  // A general template: saved, shown as the fallback of the outcomes without their own, audited without its text.
  const general = 'Sehr geehrte Damen und Herren,\n\n[[Entscheidung über den Bauantrag {{antragsnummer}}]]\n\nGründe:\n\n[[Begründung]]\n\nMit freundlichen Grüßen\n{{behoerde}}';
  const saved = await admin.submit(`${base}/general`, { title: 'Bescheid zum Bauantrag', body: general }, `${base}/general`);
  assert.equal(saved.statusCode, 303);
  assert.equal(saved.headers.location, `${base}?hinweis=gespeichert`);
  const stored = await db.selectFrom('decision_templates').select(['outcome', 'title', 'body']).where('procedure_id', '=', building).where('outcome', '=', 'general').executeTakeFirstOrThrow();
  assert.deepEqual(stored, { outcome: 'general', title: 'Bescheid zum Bauantrag', body: general });
  const after = html(await admin.get(`${base}?hinweis=gespeichert`));
  assert.match(after.querySelector('[role="status"]')!.text, /Die Vorlage wurde gespeichert/);
  assert.equal((await states())[1]![1], 'Allgemeine Vorlage der Leistung');
  assert.match(html(await admin.get(`${base}/partially_granted`)).querySelector('main')!.text, /allgemeine Vorlage der Leistung/);
  const audit = await db.selectFrom('audit_events').select(['action', 'details', 'subject_id']).where('action', '=', 'cases.decision_template_saved').execute();
  assert.deepEqual(audit.map((a) => [a.subject_id, a.details]), [[building, { outcome: 'general' }]]);

  // Removed: the outcome falls back again; removing twice is "not found".
  assert.ok(html(await admin.get(`${base}/general`)).querySelector(`form[action="${base}/general/entfernen"]`), 'an own template can be removed');
  assert.equal((await admin.submit(`${base}/general`, {}, `${base}/general/entfernen`)).statusCode, 303);
  assert.equal(await db.selectFrom('decision_templates').select('outcome').where('procedure_id', '=', building).where('outcome', '=', 'general').executeTakeFirst(), undefined);
  const csrf = html(await admin.get(base)).querySelector('input[name="_csrf"]')?.getAttribute('value') ?? html(await admin.get('/verwaltung')).querySelector('input[name="_csrf"]')!.getAttribute('value')!;
  assert.equal((await admin.post(`${base}/general/entfernen`, { _csrf: csrf })).statusCode, 404);
  assert.equal((await admin.get(`${base}/vielleicht`)).statusCode, 404, 'an unknown outcome');
  assert.equal((await admin.get(`${TEMPLATES}/kein-verfahren`)).statusCode, 404);

  // Coburg's procedure (another tenant): not found on every page and action, and its templates unchanged.
  const coburgTemplates = () => db.selectFrom('decision_templates').selectAll().where('procedure_id', '=', coburgDogTax).orderBy('outcome').execute();
  const coburgBefore = JSON.stringify(await coburgTemplates());
  assert.match(coburgBefore, /Hundesteuer/);
  for (const url of [`${TEMPLATES}/${coburgDogTax}`, `${TEMPLATES}/${coburgDogTax}/refused`, `${TEMPLATES}/${coburgDogTax}/general`]) {
    const res = await admin.get(url);
    assert.equal(res.statusCode, 404, url);
    assert.doesNotMatch(res.body, /Hundesteuer/, url);
  }
  for (const url of [`${TEMPLATES}/${coburgDogTax}/refused`, `${TEMPLATES}/${coburgDogTax}/general`, `${TEMPLATES}/${coburgDogTax}/refused/entfernen`]) {
    assert.equal((await admin.post(url, { _csrf: csrf, title: 'Übernommen', body: 'Gründe:\n\nx\n\nRechtsbehelfsbelehrung:\nx' })).statusCode, 404, url);
  }
  assert.equal(JSON.stringify(await coburgTemplates()), coburgBefore);
});

test('migration 0015: the single template of a procedure becomes its approval template; outcomes are checked', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'migrationen-'));
  const database = await openDatabase({ dataDir: null });
  try {
    for (const name of (await readdir(MIGRATIONS_DIR)).filter((n) => n < '0015')) await cp(path.join(MIGRATIONS_DIR, name), path.join(dir, name));
    await migrate(database, dir);
    const tenant = await sql<{ id: string }>`INSERT INTO tenants (slug, name, kind) VALUES ('ministerium-test', 'Ministerium', 'ministry') RETURNING id`.execute(database.db);
    const tenantId = tenant.rows[0]!.id;
    await sql`INSERT INTO decision_templates (tenant_id, procedure_id, title, body) VALUES (${tenantId}, gen_random_uuid(), 'Alt', 'Der bisherige Text der Vorlage')`.execute(database.db);
    assert.ok((await migrate(database)).includes('0015_decision_outcome_templates'));
    const rows = await database.db.selectFrom('decision_templates').select(['outcome', 'title']).execute();
    assert.deepEqual(rows, [{ outcome: 'granted', title: 'Alt' }]);
    const procedure = (await database.db.selectFrom('decision_templates').select('procedure_id').executeTakeFirstOrThrow()).procedure_id;
    await database.db.insertInto('decision_templates').values({ tenant_id: tenantId, procedure_id: procedure, outcome: 'refused', title: 'Ablehnung', body: 'x' }).execute();
    await assert.rejects(database.db.insertInto('decision_templates').values({ tenant_id: tenantId, procedure_id: procedure, outcome: 'refused', title: 'Zweite', body: 'x' }).execute(), /duplicate key/);
    await assert.rejects(sql`INSERT INTO decision_templates (tenant_id, procedure_id, outcome, title, body) VALUES (${tenantId}, ${procedure}, 'vielleicht', 'A', 'x')`.execute(database.db), /check constraint/);
    const check = await sql<{ def: string }>`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'decisions_outcome_check'`.execute(database.db);
    assert.match(check.rows[0]!.def, /'other'/);
  } finally {
    await database.close();
    await rm(dir, { recursive: true, force: true });
  }
});
