/**
 * The markup of the main pages is valid HTML, checked with the Nu Html Checker (vnu.jar from the
 * `vnu-jar` package; needs `java` on the PATH, Debian: default-jre-headless). Pages are rendered
 * through the app (inject), including forms re-rendered with errors and the staff pages, written
 * to a temporary directory and checked in one run of the checker.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestApp, type TestApp } from './support/app.ts';
import { html, TestClient } from './support/http.ts';
import { logInCitizen } from './support/saml-citizen-login.ts';
import { logInStaff } from './support/staff.ts';
import { submitDogTax } from './support/dog-tax.ts';
import { createTenantKeys } from '../src/platform/crypto/tenant-keys.ts';
import { renderPdf } from '../src/platform/pdf/index.ts';
import { storeUpload } from '../src/platform/uploads/index.ts';
import { addMembership, hashPassword, upsertStaffAccount } from '../src/modules/staff/index.ts';

const require = createRequire(import.meta.url);
/** The package's main export is the path of vnu.jar (a String object). */
const VNU_JAR = String(require('vnu-jar'));

let app: TestApp;
before(async () => { app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' }); });
after(async () => { await app.dispose(); });

interface VnuMessage { type: string; subType?: string; url?: string; message: string; extract?: string; lastLine?: number; firstColumn?: number; lastColumn?: number }

/** Runs vnu.jar once on all files; resolves with its messages (it exits non-zero when there are errors). */
function runVnu(files: string[]): Promise<VnuMessage[]> {
  return new Promise((resolve, reject) => {
    execFile('java', ['-Xss1m', '-jar', VNU_JAR, '--errors-only', '--format', 'json', '--stdout', ...files],
      { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new Error('java is not installed (Debian: apt-get install default-jre-headless); it is needed to run the Nu Html Checker'));
          return;
        }
        try {
          resolve((JSON.parse(stdout) as { messages: VnuMessage[] }).messages);
        } catch {
          reject(new Error(`the Nu Html Checker did not answer with JSON (exit ${error?.code}):\n${stdout}\n${stderr}`));
        }
      });
  });
}

test('the main pages, in German and English, with and without form errors, are valid HTML', { timeout: 120_000 }, async () => {
  const pages = new Map<string, string>();
  const add = (name: string, response: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number) => {
    assert.equal(response.statusCode, status, `${name}: status`);
    assert.match(String(response.headers['content-type']), /^text\/html/, `${name}: content type`);
    pages.set(name, response.body);
  };

  const publicPages: [string, number][] = [
    ['/', 200], ['/suche', 200], ['/suche?q=Coburg', 200], ['/suche?q=97616', 200], ['/suche?q=xyzxyz', 200],
    ['/gemeinden', 200], ['/gemeinden?q=Coburg', 200], ['/gemeinden?q=96451', 200],
    ['/gemeinden/09463000', 200], ['/gemeinden/09673114', 200], ['/gemeinden/09473159', 200], ['/landkreise/09473', 200],
    ['/leistungen', 200], ['/leistungen?q=Pass', 200], ['/themen', 200],
    ['/impressum', 200], ['/datenschutz', 200], ['/barrierefreiheit', 200], ['/leichte-sprache', 200],
    ['/barrierefreiheit/feedback', 200], ['/barrierefreiheit/feedback/danke?ref=BF-2345-6789', 200],
    ['/verwaltung/anmelden', 200], ['/pruefen', 200], ['/gibt-es-nicht', 404],
  ];
  for (const lang of ['de', 'en']) {
    for (const [url, status] of publicPages) {
      const full = `${url}${url.includes('?') ? '&' : '?'}lang=${lang}`;
      add(`GET ${full}`, await app.server.inject(full), status);
    }
  }

  // A topic page and a service page, as linked from their index pages.
  for (const [index, pattern] of [['/themen', /href="(\/themen\/[^"]+)"/], ['/leistungen?q=Pass', /href="(\/leistungen\/[^"?]+)"/]] as const) {
    const link = pattern.exec((await app.server.inject(index)).body)?.[1];
    assert.ok(link, `${index} links to a page`);
    add(`GET ${link}`, await app.server.inject(link), 200);
  }

  // Forms re-rendered with errors.
  const visitor = new TestClient(app.server);
  add('POST /barrierefreiheit/feedback (empty)', await visitor.submit('/barrierefreiheit/feedback', {}), 400);
  add('POST /barrierefreiheit/feedback (message too short, e-mail invalid)',
    await visitor.submit('/barrierefreiheit/feedback', { category: 'barrier', message: 'kurz', name: 'Erika', pageUrl: '/', email: 'kein-at' }), 400);
  const sent = await visitor.submit('/barrierefreiheit/feedback',
    { category: 'content', message: 'Der Text der Startseite ist schwer verständlich.', name: 'Erika', pageUrl: '/', email: 'erika@example.org' });
  assert.equal(sent.statusCode, 303);
  add('GET thank-you page after sending', await visitor.get(String(sent.headers.location)), 200);

  const staff = new TestClient(app.server);
  add('POST /verwaltung/anmelden (empty)', await staff.submit('/verwaltung/anmelden', {}), 400);
  add('POST /verwaltung/anmelden (wrong password)',
    await staff.submit('/verwaltung/anmelden', { email: 'betrieb@demo.digitales-amt.de', password: 'falsch-falsch' }), 400);
  const password = await staff.submit('/verwaltung/anmelden', { email: 'betrieb@demo.digitales-amt.de', password: 'Demo-Amt-2026!' });
  assert.equal(password.statusCode, 303);
  add('GET /verwaltung/anmelden/code', await staff.get('/verwaltung/anmelden/code'), 200);
  add('POST /verwaltung/anmelden/code (wrong)', await staff.submit('/verwaltung/anmelden/code', { code: 'x' }), 400);
  const login = await logInStaff(app, 'betrieb@demo.digitales-amt.de', { client: staff });
  assert.equal(login.res.statusCode, 303);
  add('GET /verwaltung (operator)', await staff.get('/verwaltung'), 200);
  await app.worker.drain();
  const mails = await staff.get('/betrieb/mails');
  add('GET /betrieb/mails', mails, 200);
  const mailLink = html(mails).querySelector('table a')?.getAttribute('href');
  assert.ok(mailLink, 'the mail list links to a mail');
  add(`GET ${mailLink}`, await staff.get(mailLink), 200);
  add('GET /betrieb/rueckmeldungen', await staff.get('/betrieb/rueckmeldungen'), 200);
  add('GET /verwaltung?lang=en (operator)', await staff.get('/verwaltung?lang=en'), 200);
  add('GET /verwaltung/passwort', await staff.get('/verwaltung/passwort?lang=de'), 200);
  add('POST /verwaltung/passwort (too short)', await staff.submit('/verwaltung/passwort', { current: 'Demo-Amt-2026!', password: 'kurz', confirm: 'kurz' }), 400);

  // First login of a new staff member: enrolment of the second factor, recovery codes.
  const coburg = (await app.database.db.selectFrom('tenants').select('id').where('slug', '=', 'coburg').executeTakeFirstOrThrow()).id;
  const newcomer = await upsertStaffAccount(app.database.db, { email: 'neu@coburg.demo.digitales-amt.de', displayName: 'Nora Neu', passwordHash: await hashPassword('Demo-Amt-2026!') });
  await addMembership(app.database.db, coburg, newcomer, 'tenant_admin');
  const lk = (await app.database.db.selectFrom('tenants').select('id').where('slug', '=', 'landkreis-coburg').executeTakeFirstOrThrow()).id;
  await addMembership(app.database.db, lk, newcomer, 'caseworker');
  const fresh = new TestClient(app.server);
  await fresh.submit('/verwaltung/anmelden', { email: 'neu@coburg.demo.digitales-amt.de', password: 'Demo-Amt-2026!' });
  add('GET /verwaltung/anmelden/einrichten', await fresh.get('/verwaltung/anmelden/einrichten'), 200);
  add('POST /verwaltung/anmelden/einrichten (wrong)', await fresh.submit('/verwaltung/anmelden/einrichten', { code: '1' }), 400);
  const enrolled = await logInStaff(app, 'neu@coburg.demo.digitales-amt.de', { client: fresh });
  assert.equal(enrolled.recoveryCodes.length, 10);
  add('GET /verwaltung (two tenants: switcher)', await fresh.get('/verwaltung'), 200);
  assert.equal((await fresh.submit('/verwaltung', { tenantId: coburg }, '/verwaltung/behoerde')).statusCode, 303);
  add('GET /verwaltung/mitarbeitende', await fresh.get('/verwaltung/mitarbeitende'), 200);
  add('POST /verwaltung/mitarbeitende (invalid)', await fresh.submit('/verwaltung/mitarbeitende', { displayName: '', email: 'x' }, '/verwaltung/mitarbeitende'), 400);
  add(`GET /verwaltung/mitarbeitende/${newcomer}`, await fresh.get(`/verwaltung/mitarbeitende/${newcomer}`), 200);
  add('GET /verwaltung/netzwerke', await fresh.get('/verwaltung/netzwerke'), 200);
  add('POST /verwaltung/netzwerke (invalid)', await fresh.submit('/verwaltung/netzwerke', { networks: '10.0.0.0/33' }, '/verwaltung/netzwerke'), 400);
  add('GET /verwaltung/anbindungen', await fresh.get('/verwaltung/anbindungen'), 200);
  add('POST /verwaltung/anbindungen/ziele (invalid)', await fresh.submit('/verwaltung/anbindungen', { kind: 'fit_connect', targetName: '', url: 'x', jwk: '{' }, '/verwaltung/anbindungen/ziele'), 400);
  add('POST /verwaltung/anbindungen/zugaenge', await fresh.submit('/verwaltung/anbindungen', { clientName: 'Fachverfahren' }, '/verwaltung/anbindungen/zugaenge'), 200);

  // The FIM import page: empty, with an imported schema's report and preview, and with unusable files.
  const { client: editor } = await logInStaff(app, 'redaktion@muenchen.demo.digitales-amt.de');
  add('GET /verwaltung/formulare/fim-import', await editor.get('/verwaltung/formulare/fim-import'), 200);
  const fimDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../reference-data/fim/xdf2-real/S00000094V1.0_xdf2');
  const fimFiles = (await readdir(fimDir)).filter((n) => n.endsWith('.xml')).map((name) => ({ field: 'files', name, content: readFileSync(path.join(fimDir, name)) }));
  add('POST /verwaltung/formulare/fim-import (S00000094)', await editor.submitMultipart('/verwaltung/formulare/fim-import', fimFiles), 200);
  add('POST /verwaltung/formulare/fim-import (malformed)', await editor.submitMultipart('/verwaltung/formulare/fim-import', [{ field: 'files', name: 'x.xml', content: '<a>' }]), 400);

  // Citizen login through the demo identity provider, the account page, and a refused response.
  const citizen = new TestClient(app.server);
  add('GET /anmelden?niveau=hoch', await citizen.get('/anmelden?niveau=hoch&weiter=/konto'), 200);
  const toIdp = await citizen.submit('/anmelden?niveau=substantiell&weiter=/konto', {});
  add('POST /anmelden/bundid', toIdp, 200);
  const samlRequest = html(toIdp).querySelector('input[name="SAMLRequest"]')!.getAttribute('value')!;
  const choose = await citizen.post('/demo-idp/sso', { SAMLRequest: samlRequest });
  add('POST /demo-idp/sso', choose, 200);
  const idpFields: Record<string, string> = {};
  for (const input of html(choose).querySelectorAll('form input[type="hidden"]')) idpFields[input.getAttribute('name')!] = input.getAttribute('value')!;
  add('POST /demo-idp/antwort (no person)', await citizen.post('/demo-idp/antwort', { ...idpFields, level: 'substantiell' }), 400);
  const handBack = await citizen.post('/demo-idp/antwort', { ...idpFields, person: 'U01', level: 'substantiell' });
  add('POST /demo-idp/antwort', handBack, 200);
  const acs = await citizen.post('/saml/acs', { SAMLResponse: html(handBack).querySelector('input[name="SAMLResponse"]')!.getAttribute('value')! });
  assert.equal(acs.statusCode, 303);
  add('GET /konto', await citizen.get('/konto'), 200);
  add('GET /konto?lang=en', await citizen.get('/konto?lang=en'), 200);
  // Access keys for apps: the page, a refused name, a key shown once and listed.
  add('GET /konto/app-zugang', await citizen.get('/konto/app-zugang'), 200);
  add('POST /konto/app-zugang (no name)', await citizen.submit('/konto/app-zugang', { name: '' }, '/konto/app-zugang'), 400);
  add('POST /konto/app-zugang', await citizen.submit('/konto/app-zugang', { name: 'Telefon' }, '/konto/app-zugang'), 201);
  add('POST /saml/acs (invalid)', await new TestClient(app.server).post('/saml/acs', { SAMLResponse: 'PHg+PC94Pg==' }), 400);
  // SAML single logout: the demo identity provider's sessions, the LogoutRequest on its way, its
  // answer, the confirmed logout page, refused messages.
  add('GET /demo-idp/sitzungen', await citizen.get('/demo-idp/sitzungen'), 200);
  const logout = await citizen.submit('/konto', {}, '/abmelden');
  add('POST /abmelden (SAML)', logout, 200);
  const atIdp = await citizen.post('/demo-idp/slo', { SAMLRequest: html(logout).querySelector('input[name="SAMLRequest"]')!.getAttribute('value')! });
  add('POST /demo-idp/slo', atIdp, 200);
  const sloBack = await citizen.post('/saml/slo', { SAMLResponse: html(atIdp).querySelector('input[name="SAMLResponse"]')!.getAttribute('value')! });
  assert.equal(sloBack.statusCode, 303);
  add('GET /abgemeldet/bundid', await citizen.get(String(sloBack.headers.location)), 200);
  add('GET /abgemeldet', await citizen.get('/abgemeldet?lang=en'), 200);
  add('POST /saml/slo (invalid response)', await new TestClient(app.server).post('/saml/slo', { SAMLResponse: 'PHg+PC94Pg==' }), 400);
  add('POST /saml/slo (invalid request)', await new TestClient(app.server).post('/saml/slo', { SAMLRequest: 'PHg+PC94Pg==' }), 400);

  // Payments: staff list (with results, with filter errors), a payment with a refund error, the
  // simulator's payer page (with a missing choice) and the demo checkout.
  const coburgId = (await app.database.db.selectFrom('tenants').select('id').where('slug', '=', 'coburg').executeTakeFirstOrThrow()).id;
  const paymentRow = await app.database.db.insertInto('payments').values({
    tenant_id: coburgId, payable_kind: 'application', payable_id: '00000000-0000-4000-8000-000000000001', amount_cents: 1300,
    kassenzeichen: '260000000018', purpose: 'FUEHRUNGSZEUGNIS', provider: 'pmpayment', return_path: '/konto', status: 'paid', provider_txid: 'PMVALID0001',
  }).returning('id').executeTakeFirstOrThrow();
  const { client: cashier } = await logInStaff(app, 'sachbearbeitung@coburg.demo.digitales-amt.de');
  add('GET /verwaltung/zahlungen', await cashier.get('/verwaltung/zahlungen'), 200);
  add('GET /verwaltung/zahlungen (invalid filter)', await cashier.get('/verwaltung/zahlungen?von=x&q=a%20b&lang=en'), 400);
  add('GET /verwaltung/zahlungen/:id', await cashier.get(`/verwaltung/zahlungen/${paymentRow.id}`), 200);
  add('POST /verwaltung/zahlungen/:id/erstattung (invalid)', await cashier.submit(`/verwaltung/zahlungen/${paymentRow.id}`, { amount: 'x', reason: '' }, `/verwaltung/zahlungen/${paymentRow.id}/erstattung`), 400);
  await app.database.db.insertInto('payment_simulator_transactions').values({
    id: 'PMVALID0001', protocol: 'pmpayment', merchant: '09463000', reference: '260000000018', amount_cents: 1300, description: 'FUEHRUNGSZEUGNIS',
    procedure: 'application', notify_url: 'http://127.0.0.1:9/n', success_url: 'http://127.0.0.1:9/s', cancel_url: 'http://127.0.0.1:9/s', error_url: 'http://127.0.0.1:9/s',
  }).execute();
  const payer = new TestClient(app.server);
  add('GET /demo-zahlung/pmpayment/:id', await payer.get('/demo-zahlung/pmpayment/PMVALID0001'), 200);
  add('POST /demo-zahlung/pmpayment/:id (no choice)', await payer.submit('/demo-zahlung/pmpayment/PMVALID0001', {}), 400);
  add('GET /demo-zahlung', await payer.get('/demo-zahlung'), 200);
  add('POST /demo-zahlung (empty)', await payer.submit('/demo-zahlung', { amount: '' }), 400);

  // The applicant's pages: start, a step with errors, the check page with the fee, the status page;
  // the form library of an editor.
  const applicant = new TestClient(app.server);
  await logInCitizen(applicant, { person: 'U01', level: 'hoch' });
  const certificate = (await app.database.db.selectFrom('online_procedures').select('id').where('name', '=', 'Führungszeugnis beantragen').executeTakeFirstOrThrow()).id;
  add('GET /antraege/neu/:id', await applicant.get(`/antraege/neu/${certificate}?ags=09463000`), 200);
  const draft = String((await applicant.submit(`/antraege/neu/${certificate}?ags=09463000`, { prefill: 'ja' }, `/antraege/neu/${certificate}`)).headers.location);
  const firstStep = String((await applicant.get(draft)).headers.location);
  add('GET /antraege/:id/schritte/:step (prefilled)', await applicant.get(firstStep), 200);
  add('POST /antraege/:id/schritte/:step (errors)', await applicant.submit(firstStep, { 'f.familienname': '', 'f.geburtsdatum': '31.02.1990' }, firstStep), 400);
  add('GET /antraege/:id/pruefen (fee, errors to fix)', await applicant.get(`${draft}/pruefen`), 200);
  add('GET /antraege', await applicant.get('/antraege'), 200);
  const dogTax = (await app.database.db.selectFrom('online_procedures as p').innerJoin('tenants as t', 't.id', 'p.tenant_id').select('p.id')
    .where('t.slug', '=', 'coburg').where('p.name', '=', 'Hund zur Hundesteuer anmelden').executeTakeFirstOrThrow()).id;
  add('GET /antraege/neu/:id (another municipality)', await applicant.get(`/antraege/neu/${dogTax}?ags=09162000&lang=en`), 200);
  // The mailbox: the applicant's list, a new message (with errors), a thread with its reply form
  // (with errors); the caseworker's list and thread.
  add('GET /postfach (empty)', await applicant.get('/postfach'), 200);
  add('GET /postfach/neu', await applicant.get('/postfach/neu'), 200);
  add('POST /postfach/neu (errors)', await applicant.submitMultipart('/postfach/neu', [{ field: 'anhaenge', name: 'x.pdf', content: 'kein PDF' }], { tenantId: '', subject: '', text: '' }), 400);
  const newThread = await applicant.submitMultipart('/postfach/neu', [], { tenantId: coburgId, subject: 'Frage', text: 'Eine Frage\nin zwei Zeilen' });
  assert.equal(newThread.statusCode, 303);
  const threadUrl = String(newThread.headers.location).split('?')[0]!;
  add('GET /postfach/:threadId (sent)', await applicant.get(String(newThread.headers.location)), 200);
  add('POST /postfach/:threadId (errors)', await applicant.submitMultipart(threadUrl, [], { text: '' }), 400);
  add('GET /postfach (a thread)', await applicant.get('/postfach?lang=en'), 200);
  add('GET /verwaltung/postfach', await cashier.get('/verwaltung/postfach'), 200);
  const staffThreadUrl = threadUrl.replace('/postfach/', '/verwaltung/postfach/');
  add('GET /verwaltung/postfach/:threadId', await cashier.get(staffThreadUrl), 200);
  add('POST /verwaltung/postfach/:threadId (errors)', await cashier.submitMultipart(staffThreadUrl, [], { text: '' }), 400);
  assert.equal((await cashier.submitMultipart(staffThreadUrl, [], { text: 'Die Antwort' })).statusCode, 303);
  add('GET /postfach/:threadId (answered)', await applicant.get(`${threadUrl}?lang=en`), 200);

  // Cases: the inbox (with a case, with filter errors), a case page with evidence and its preview,
  // the status form with an error, the request for information and the decision (each also with
  // errors), the case thread in both mailboxes, the case page after the decision; the applicant's
  // withdrawal and fee pages.
  const { id: caseId, reference } = await submitDogTax(app, applicant, 'Rex');
  const casePath = `/verwaltung/vorgaenge/${caseId}`;
  const { uploadId } = await storeUpload(app.database.db, createTenantKeys(app.cipher), {
    tenantId: coburgId, ownerKind: 'application', ownerId: caseId, fileName: 'Impfpass Rex.pdf', mediaType: 'application/pdf',
    bytes: await renderPdf({ title: 'Impfpass', author: 'Test', blocks: [{ kind: 'paragraph', text: 'Tollwutimpfung' }] }),
  });
  add('GET /verwaltung/vorgaenge', await cashier.get('/verwaltung/vorgaenge'), 200);
  add('GET /verwaltung/vorgaenge (search, English)', await cashier.get(`/verwaltung/vorgaenge?q=${reference}&status=all&lang=en`), 200);
  add('GET /verwaltung/vorgaenge (invalid filter)', await cashier.get('/verwaltung/vorgaenge?status=kaputt&zustaendig=jeder&lang=de'), 400);
  add('GET /verwaltung/vorgaenge/:id (received, evidence)', await cashier.get(casePath), 200);
  add('GET /verwaltung/vorgaenge/:id/nachweise/:uploadId/vorschau', await cashier.get(`${casePath}/nachweise/${uploadId}/vorschau`), 200);
  add('POST /verwaltung/vorgaenge/:id/status (rejection without reason)', await cashier.submit(casePath, { to: 'rejected', reason: '' }, `${casePath}/status`), 400);
  add('POST /verwaltung/vorgaenge/:id/notizen (empty)', await cashier.submit(casePath, { text: '' }, `${casePath}/notizen`), 400);
  assert.equal((await cashier.submit(casePath, { text: 'Impfpass fehlt.\nNachfordern.' }, `${casePath}/notizen`)).statusCode, 303);
  add('GET /antraege/:id/zurueckziehen (possible)', await applicant.get(`/antraege/${caseId}/zurueckziehen`), 200);
  add('GET /antraege/:id/gebuehr (no fee yet)', await applicant.get(`/antraege/${caseId}/gebuehr`), 200);
  add('GET /verwaltung/vorgaenge/:id/nachforderung', await cashier.get(`${casePath}/nachforderung`), 200);
  add('POST /verwaltung/vorgaenge/:id/nachforderung (errors)', await cashier.submit(`${casePath}/nachforderung`, { text: '', dueDate: '31.02.2026' }, `${casePath}/nachforderung`), 400);
  const dueDate = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10).split('-').reverse().join('.');
  const requested = await cashier.submit(`${casePath}/nachforderung`, { text: 'Bitte den Impfpass hochladen.', dueDate }, `${casePath}/nachforderung`);
  assert.equal(requested.statusCode, 303);
  add('GET /verwaltung/vorgaenge/:id (waiting, request sent)', await cashier.get(String(requested.headers.location)), 200);
  const caseThread = html(await applicant.get('/postfach')).querySelectorAll('a').map((a) => a.getAttribute('href') ?? '')
    .find((href) => /^\/postfach\/[0-9a-f-]{36}$/.test(href) && href !== threadUrl);
  assert.ok(caseThread, 'the case thread is in the mailbox');
  add('GET /postfach/:threadId (request for information)', await applicant.get(caseThread), 200);
  const answered = await applicant.submitMultipart(caseThread, [{ field: 'anhaenge', name: 'impfpass.pdf', type: 'application/pdf',
    content: await renderPdf({ title: 'Impfpass', author: 'Test', blocks: [] }) }], { text: 'Anbei der Impfpass.\nGrüße' });
  assert.equal(answered.statusCode, 303);
  add('GET /verwaltung/vorgaenge?beantwortet=1', await cashier.get('/verwaltung/vorgaenge?beantwortet=1'), 200);
  add('GET /verwaltung/postfach/:threadId (case thread)', await cashier.get(caseThread.replace('/postfach/', '/verwaltung/postfach/')), 200);
  add('GET /verwaltung/vorgaenge/:id/bescheid (choose the outcome)', await cashier.get(`${casePath}/bescheid`), 200);
  add('GET /verwaltung/vorgaenge/:id/bescheid (no outcome chosen)', await cashier.get(`${casePath}/bescheid?wahl=1`), 400);
  add('GET /verwaltung/vorgaenge/:id/bescheid?ergebnis=refused', await cashier.get(`${casePath}/bescheid?ergebnis=refused&lang=en`), 200);
  add('POST /verwaltung/vorgaenge/:id/bescheid (errors)', await cashier.submit(`${casePath}/bescheid?ergebnis=granted`, { outcome: '', title: '', body: 'kurz', fee: 'x', action: 'issue' }, `${casePath}/bescheid`), 400);
  const refusalBody = html(await cashier.get(`${casePath}/bescheid?ergebnis=refused`)).querySelector('textarea[name="body"]')!.text;
  add('POST /verwaltung/vorgaenge/:id/bescheid (refusal without reasons)', await cashier.submit(`${casePath}/bescheid?ergebnis=refused`, { outcome: 'refused', title: 'Bescheid', body: refusalBody, fee: '0,00', action: 'issue' }, `${casePath}/bescheid`), 400);
  const decisionBody = html(await cashier.get(`${casePath}/bescheid?ergebnis=granted`)).querySelector('textarea[name="body"]')!.text;
  const issued = await cashier.submit(`${casePath}/bescheid?ergebnis=granted`, { outcome: 'granted', title: 'Bescheid', body: decisionBody, fee: '25,00', action: 'issue' }, `${casePath}/bescheid`);
  assert.equal(issued.statusCode, 303);
  add('GET /verwaltung/vorgaenge/:id (decided)', await cashier.get(String(issued.headers.location)), 200);
  add('GET /postfach/:threadId (decision)', await applicant.get(caseThread), 200);
  add('GET /verwaltung/vorgaenge/:id (decided, English)', await cashier.get(`${casePath}?lang=en`), 200);
  add('GET /antraege/:id/gebuehr (fee due)', await applicant.get(`/antraege/${caseId}/gebuehr`), 200);
  add('GET /antraege/:id/gebuehr?zahlung=failed', await applicant.get(`/antraege/${caseId}/gebuehr?zahlung=failed`), 200);
  add('GET /antraege/:id/zurueckziehen (no longer possible)', await applicant.get(`/antraege/${caseId}/zurueckziehen`), 200);
  // Decision templates (the district office's administrator): the list, a procedure's outcomes, an outcome's editor, with errors.
  const { client: districtAdmin } = await logInStaff(app, 'verwaltung@landkreis-coburg.demo.digitales-amt.de');
  const buildingPermit = (await app.database.db.selectFrom('online_procedures as p').innerJoin('tenants as t', 't.id', 'p.tenant_id').select('p.id')
    .where('t.slug', '=', 'landkreis-coburg').where('p.name', '=', 'Bauantrag online').executeTakeFirstOrThrow()).id;
  const templates = `/verwaltung/bescheidvorlagen/${buildingPermit}`;
  add('GET /verwaltung/bescheidvorlagen', await districtAdmin.get('/verwaltung/bescheidvorlagen'), 200);
  add('GET /verwaltung/bescheidvorlagen/:procedureId', await districtAdmin.get(`${templates}?hinweis=gespeichert&lang=en`), 200);
  add('GET /verwaltung/bescheidvorlagen/:procedureId/:outcome (own)', await districtAdmin.get(`${templates}/refused`), 200);
  add('GET /verwaltung/bescheidvorlagen/:procedureId/:outcome (general, none yet)', await districtAdmin.get(`${templates}/general`), 200);
  add('POST /verwaltung/bescheidvorlagen/:procedureId/:outcome (errors)', await districtAdmin.submit(`${templates}/refused`, { title: '', body: 'Ohne Überschriften für Gründe und Belehrung.' }, `${templates}/refused`), 400);
  const { client: formEditor } = await logInStaff(app, 'redaktion@muenchen.demo.digitales-amt.de');
  add('GET /verwaltung/formulare', await formEditor.get('/verwaltung/formulare'), 200);
  add('POST /verwaltung/formulare (invalid definition)', await formEditor.submit('/verwaltung/formulare', { definition: '{"format":1}' }, '/verwaltung/formulare'), 400);
  const sharedForm = (await app.database.db.selectFrom('forms').select('id').where('shared_at', 'is not', null).executeTakeFirstOrThrow()).id;
  add('GET /verwaltung/formulare/:id (shared by another tenant)', await formEditor.get(`/verwaltung/formulare/${sharedForm}`), 200);
  add('POST /verwaltung/formulare/:id/verfahren (invalid)', await formEditor.submit(`/verwaltung/formulare/${sharedForm}`, { leikaKey: '123', name: '' }, `/verwaltung/formulare/${sharedForm}/verfahren`), 400);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'digitales-amt-html-'));
  try {
    const fileToPage = new Map<string, string>();
    const files: string[] = [];
    let n = 0;
    for (const [name, body] of pages) {
      const file = path.join(dir, `page-${String(++n).padStart(3, '0')}.html`);
      await writeFile(file, body);
      files.push(file);
      fileToPage.set(file, name);
    }
    // A known-bad page in the same run shows that the checker really checks (and that its output is read).
    const canary = path.join(dir, 'canary.html');
    await writeFile(canary, '<!DOCTYPE html><html lang="de"><head><title>x</title></head><body><a href="#" href="#">x</a></body></html>');
    const all = (await runVnu([...files, canary])).map((m) => ({ ...m, file: m.url?.startsWith('file:') ? fileURLToPath(m.url) : m.url }));
    assert.ok(all.some((m) => m.file === canary && m.type === 'error' && /Duplicate attribute/.test(m.message)),
      `the checker did not report the known error in the canary page: ${JSON.stringify(all)}`);
    const messages = all.filter((m) => m.file !== canary);
    const report = messages.map((m) => {
      const page = (m.file && fileToPage.get(m.file)) ?? m.url ?? '?';
      return `- ${page} (line ${m.lastLine ?? '?'}): ${m.type}${m.subType ? `/${m.subType}` : ''}: ${m.message}${m.extract ? `\n    ${JSON.stringify(m.extract)}` : ''}`;
    });
    assert.equal(report.length, 0, `the Nu Html Checker found ${report.length} error(s) in ${pages.size} pages:\n${report.join('\n')}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
