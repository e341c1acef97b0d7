/**
 * A case from submission to the sealed decision, in Chromium (two browser contexts: the citizen and
 * the caseworker), axe-core on every page either of them loads:
 * - the citizen (demo identity provider, U05 at "substantiell") submits Coburg's Hundesteuer
 *   registration;
 * - the caseworker (password and TOTP) finds the case in the inbox by its application number,
 *   previews the evidence, starts processing and asks for a document (a refused empty request first);
 * - the citizen sees the application waiting (withdrawal offered, not done) and answers in the
 *   mailbox with a text and a real PDF (a refused reply without text first);
 * - the caseworker sees the case marked "beantwortet", reads the reply and downloads the PDF from the
 *   staff side of the thread, chooses the outcome of the decision and gets that outcome's template
 *   (a refusal issued with its reasons still a gap is refused), chooses approval instead, edits and
 *   issues it (a text too short refused first); their own download of it is no notification;
 * - the citizen downloads the sealed decision from the mailbox (the Bekanntgabe, recorded once); its
 *   seal verifies with the project's verifier and with Debian's pdfsig, a changed byte breaks it;
 * - the caseworker sees it as "Abgerufen (bekanntgegeben)".
 * Error summaries are checked for focus, and the inbox, the mailbox and the case page for reflow at
 * 320 CSS pixels.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { createTenantKeys } from '../../src/platform/crypto/tenant-keys.ts';
import { storeUpload } from '../../src/platform/uploads/index.ts';
import { createSealKeyStore, isSealValid, renderPdf, verifyPdfSeal } from '../../src/platform/pdf/index.ts';
import {
  assertReflows, CASEWORKER_EMAIL, checkAccessibility, closeContext, continueButton, DEMO_PASSWORD, enterTotpCode, launchBrowser,
  logInCitizenWithDemoOidc, mainText, navigate, newContext, newPage, pathOf, startServer, visit, waitForFocus, type Browser,
  type Page, type TestServer,
} from './browser.ts';

let server: TestServer;
let browser: Browser;
before(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
after(async () => { await browser?.close(); await server?.close(); });


/** Citizen login through the demo identity provider (OpenID Connect side). */
const logInCitizen = (page: Page, person: RegExp, level: string, returnTo: string) => logInCitizenWithDemoOidc(page, server, person, level, returnTo);

/** Caseworker: password and TOTP code, starting from a staff page (the login returns to it). */
async function logInCaseworker(page: Page, startPath: string) {
  await visit(page, server, startPath);
  await page.getByLabel('Dienstliche E-Mail-Adresse').fill(CASEWORKER_EMAIL);
  await page.getByLabel('Passwort').fill(DEMO_PASSWORD);
  await navigate(page, () => page.getByRole('button', { name: 'Anmelden' }).click());
  await enterTotpCode(page, server, CASEWORKER_EMAIL);
  assert.equal(pathOf(page), startPath, 'back at the page that asked for the login');
}

/** The status of the case in the database (and the application's, which must agree). */
async function caseStatus(id: string): Promise<string> {
  const row = await server.app.database.db.selectFrom('cases').innerJoin('applications', 'applications.id', 'cases.id')
    .select(['cases.status as caseStatus', 'applications.status as applicationStatus']).where('cases.id', '=', id).executeTakeFirstOrThrow();
  assert.equal(row.caseStatus, row.applicationStatus, 'case and application agree');
  return row.caseStatus;
}

test('the whole case: submitted, document requested, answered in the mailbox, decided, the sealed decision retrieved and verified', { timeout: 240_000 }, async () => {
  const citizenContext = await newContext(browser, { acceptDownloads: true });
  const staffContext = await newContext(browser, { acceptDownloads: true });
  const dir = await mkdtemp(path.join(tmpdir(), 'case-journey-'));
  try {
    const citizen = await newPage(citizenContext);
    const staff = await newPage(staffContext);

    // --- 1. The citizen submits the Hundesteuer registration ----------------------------------
    await logInCitizen(citizen, /\(U05, /, 'substantiell', '/leistungen/99102013000000?ags=09463000');
    await navigate(citizen, () => citizen.getByRole('link', { name: /Hund zur Hundesteuer anmelden/ }).click());
    await navigate(citizen, () => citizen.getByRole('button', { name: 'Antrag beginnen' }).click());
    // The holder is prefilled from the account (Neudettelsau); the dog lives in Coburg.
    assert.equal(await citizen.locator('[name="f.familienname"]').inputValue(), 'Bittel');
    await citizen.locator('[name="f.anschrift.street"]').fill('Rankestr.');
    await citizen.locator('[name="f.anschrift.houseNumber"]').fill('13');
    await citizen.locator('[name="f.anschrift.postcode"]').fill('96450');
    await citizen.locator('[name="f.anschrift.city"]').fill('Coburg');
    await navigate(citizen, () => continueButton(citizen).click());
    await citizen.locator('[name="f.hunde.0.hund_name"]').fill('Luna');
    await citizen.locator('[name="f.hunde.0.rasse"]').fill('Beagle');
    await citizen.locator('input[name="f.hunde.0.hund_geschlecht"][value="huendin"]').check();
    await citizen.locator('[name="f.hunde.0.wurfdatum"]').fill('01.03.2024');
    await citizen.locator('[name="f.hunde.0.gehalten_seit"]').fill('01.06.2024');
    await citizen.locator('input[name="f.hunde.0.listenhund"][value="no"]').check();
    await navigate(citizen, () => continueButton(citizen).click());
    await citizen.locator('input[name="f.ermaessigung_beantragt"][value="no"]').check();
    await navigate(citizen, () => continueButton(citizen).click());
    await citizen.locator('input[name="f.lastschrift"][value="no"]').check();
    await navigate(citizen, () => continueButton(citizen).click());
    assert.match(await mainText(citizen), /Luna/);
    await navigate(citizen, () => citizen.getByRole('button', { name: 'Antrag verbindlich absenden' }).click());
    assert.match(await mainText(citizen), /Ihr Antrag ist eingegangen/);
    const reference = (await citizen.locator('.reference').innerText()).trim();
    assert.match(reference, /^DA-\d{4}-\d{7}$/);
    const caseId = /^\/antraege\/([0-9a-f-]{36})/.exec(pathOf(citizen))?.[1];
    assert.ok(caseId, `the application's page: ${citizen.url()}`);
    assert.equal(await caseStatus(caseId), 'submitted');

    // --- 2. The caseworker finds the case, starts processing, asks for a document -------------
    await logInCaseworker(staff, '/verwaltung/vorgaenge');
    assert.equal(await staff.getByRole('heading', { level: 1 }).innerText(), 'Vorgänge');
    await staff.getByLabel('Suche', { exact: true }).fill(reference);
    await navigate(staff, () => staff.getByRole('button', { name: 'Anzeigen' }).click());
    assert.equal(await staff.getByRole('status').innerText(), '1 Vorgang');
    const row = staff.locator('table.inbox tbody tr').filter({ hasText: reference });
    assert.match(await row.innerText(), /Eingegangen/);
    assert.match(await row.innerText(), /Jochen Bittel/);
    await navigate(staff, () => row.getByRole('link', { name: reference }).click());
    const casePath = `/verwaltung/vorgaenge/${caseId}`;
    assert.equal(pathOf(staff), casePath);
    assert.equal(await staff.getByRole('heading', { level: 1 }).innerText(), `Vorgang ${reference}`);
    const answers = staff.getByRole('region', { name: 'Angaben im Antrag' });
    assert.match(await answers.innerText(), /Luna/);
    // The steps of the form are sub-headings of "Angaben im Antrag".
    assert.deepEqual(await answers.getByRole('heading', { level: 3 }).allInnerTexts(), ['Halterin oder Halter', 'Hunde', 'Ermäßigung', 'Zahlung']);
    assert.equal(await answers.getByRole('heading', { level: 2 }).count(), 1);

    // Evidence the applicant uploaded with the application (the Hundesteuer form asks for none: stored here), previewed in the page.
    await storeUpload(server.app.database.db, createTenantKeys(server.app.cipher), {
      tenantId: (await server.app.database.db.selectFrom('cases').select('tenant_id').where('id', '=', caseId).executeTakeFirstOrThrow()).tenant_id,
      ownerKind: 'application', ownerId: caseId, fileName: 'Sachkundenachweis.pdf', mediaType: 'application/pdf',
      bytes: await renderPdf({ title: 'Sachkundenachweis', author: 'Test', blocks: [{ kind: 'paragraph', text: 'Sachkunde nachgewiesen.' }] }),
    });
    await visit(staff, server, casePath);
    await navigate(staff, () => staff.getByRole('link', { name: 'Ansehen Sachkundenachweis.pdf' }).click());
    assert.equal(await staff.getByRole('heading', { level: 1 }).innerText(), 'Vorschau: Sachkundenachweis.pdf');
    // The document is shown in the page (in the download's sandbox), in a frame of a usable size.
    const frame = staff.locator('iframe[title="Vorschau des Dokuments Sachkundenachweis.pdf"]');
    assert.ok(((await frame.boundingBox())?.height ?? 0) >= 400, 'the preview is tall enough to read');
    const back = staff.getByRole('link', { name: 'Zurück zum Vorgang' });
    await back.scrollIntoViewIfNeeded();
    await navigate(staff, () => back.click());
    assert.equal(pathOf(staff), casePath);
    await navigate(staff, () => staff.getByRole('button', { name: 'Bearbeitung beginnen' }).click());
    assert.match(await staff.getByRole('status').innerText(), /Der Status wurde geändert/);
    assert.equal(await caseStatus(caseId), 'in_progress');

    await navigate(staff, () => staff.getByRole('link', { name: 'Unterlagen oder Angaben nachfordern' }).click());
    assert.equal(pathOf(staff), `${casePath}/nachforderung`);
    await assertReflows(staff);
    const request = 'Bitte laden Sie den Impfpass von Luna (Tollwutimpfung) hoch.';
    // Without a text the form comes back with the error and the deadline kept.
    const due = await staff.getByLabel('Frist').inputValue();
    assert.match(due, /^\d{2}\.\d{2}\.\d{4}$/, 'a deadline is proposed');
    let response = await navigate(staff, () => staff.getByRole('button', { name: 'Nachforderung senden' }).click());
    assert.equal(response.status(), 400);
    assert.match(await staff.title(), /^Fehler: Nachforderung/);
    assert.deepEqual(await staff.locator('.error-summary a').allInnerTexts(), ['Beschreiben Sie, was benötigt wird.']);
    await waitForFocus(staff, 'div.error-summary');
    await staff.locator('.error-summary a').first().click();
    await waitForFocus(staff, '#text');
    assert.equal(await staff.getByLabel('Was wird benötigt?').getAttribute('aria-invalid'), 'true');
    assert.equal(await staff.getByLabel('Frist').inputValue(), due);
    await staff.getByLabel('Was wird benötigt?').fill(request);
    response = await navigate(staff, () => staff.getByRole('button', { name: 'Nachforderung senden' }).click());
    assert.equal(response.status(), 200);
    assert.equal(pathOf(staff), casePath);
    assert.match(await staff.getByRole('status').innerText(), /Die Nachforderung wurde gesendet/);
    // The request as the applicant gets it, its lines kept.
    assert.match(await staff.locator('.messages').innerText(), /Impfpass von Luna \(Tollwutimpfung\) hoch\.\n+Bitte antworten Sie bis zum/);
    assert.equal(await caseStatus(caseId), 'waiting');

    // --- 3. The citizen answers in the mailbox with a text and a PDF --------------------------
    // The application's page says the authority waits; withdrawing is offered (and not done).
    await visit(citizen, server, `/antraege/${caseId}`);
    assert.match(await citizen.locator('.timeline').innerText(), /Wartet auf Sie/);
    await navigate(citizen, () => citizen.getByRole('link', { name: 'Antrag zurückziehen' }).click());
    assert.equal(await citizen.getByRole('heading', { level: 1 }).innerText(), 'Antrag zurückziehen');
    assert.equal(await citizen.getByRole('button', { name: 'Antrag verbindlich zurückziehen' }).count(), 1);
    await navigate(citizen, () => citizen.getByRole('link', { name: 'Zurück zum Antrag' }).click());
    assert.equal(pathOf(citizen), `/antraege/${caseId}`);
    await visit(citizen, server, '/postfach');
    await assertReflows(citizen);
    assert.equal(await citizen.getByRole('status').innerText(), '1 ungelesene Nachricht');
    const threadLink = citizen.locator('table tbody tr').filter({ hasText: 'Stadt Coburg' }).getByRole('link').first();
    await navigate(citizen, () => threadLink.click());
    assert.match(pathOf(citizen), /^\/postfach\/[0-9a-f-]{36}$/);
    const threadPath = pathOf(citizen);
    assert.match(await citizen.locator('.mailbox-messages').innerText(), /Nachforderung[\s\S]*Impfpass von Luna/);
    await assertReflows(citizen);
    const evidence = await renderPdf({ title: 'Impfpass', author: 'Tierarztpraxis Coburg', blocks: [{ kind: 'paragraph', text: 'Tollwutimpfung von Luna am 01.09.2024.' }] });
    const chooseFile = () => citizen.getByLabel(/^Anhänge/).setInputFiles({ name: 'impfpass-luna.pdf', mimeType: 'application/pdf', buffer: Buffer.from(evidence) });
    // The file without a text: the form comes back, and says that the file must be chosen again.
    await chooseFile();
    response = await navigate(citizen, () => citizen.getByRole('button', { name: 'Nachricht senden' }).click());
    assert.equal(response.status(), 400);
    assert.deepEqual(await citizen.locator('.error-summary a').allInnerTexts(), ['Geben Sie Ihre Nachricht ein']);
    await waitForFocus(citizen, 'div.error-summary');
    assert.match(await citizen.locator('#anhaenge-hint').innerText(), /Bitte wählen Sie Ihre Anhänge erneut aus\./);
    await citizen.getByLabel('Ihre Nachricht').fill('Anbei der Impfpass von Luna.');
    await chooseFile();
    response = await navigate(citizen, () => citizen.getByRole('button', { name: 'Nachricht senden' }).click());
    assert.equal(response.status(), 200);
    assert.equal(pathOf(citizen), threadPath);
    assert.match(await citizen.getByRole('status').innerText(), /Ihre Nachricht wurde gesendet/);
    assert.match(await citizen.locator('.mailbox-messages').innerText(), /Anbei der Impfpass von Luna\.[\s\S]*impfpass-luna\.pdf/);
    assert.equal(await citizen.locator('.mailbox-message').count(), 2, 'the request and one answer: the refused form stored nothing');
    assert.equal(await caseStatus(caseId), 'in_progress', 'the answer resumes the processing');

    // --- 4. The caseworker sees the answer, reads it, drafts and issues the decision ----------
    await visit(staff, server, '/verwaltung/vorgaenge');
    const answeredRow = staff.locator('table.inbox tbody tr').filter({ hasText: reference });
    assert.match(await answeredRow.innerText(), /In Bearbeitung\s+beantwortet/);
    await assertReflows(staff);
    await staff.getByLabel('Mit neuer Antwort der Antragstellenden').check();
    await navigate(staff, () => staff.getByRole('button', { name: 'Anzeigen' }).click());
    assert.equal(await staff.locator('table.inbox tbody tr').filter({ hasText: reference }).count(), 1, 'found with the "answered" filter');
    await navigate(staff, () => staff.getByRole('link', { name: reference }).click());
    const messages = await staff.locator('.messages').innerText();
    assert.match(messages, /Von Antragsteller\/in[\s\S]*Anbei der Impfpass von Luna\./);
    assert.match(messages, /impfpass-luna\.pdf/);
    assert.match(await staff.locator('.timeline').innerText(), /Nachforderung beantwortet/);
    // The staff side of the mailbox thread, with the applicant's attachment offered for preview.
    await navigate(staff, () => staff.getByRole('link', { name: 'Im Postfach öffnen und antworten' }).click());
    assert.match(await staff.locator('.mailbox-messages').innerText(), /Anbei der Impfpass von Luna\./);
    await assertReflows(staff);
    assert.equal(await staff.getByRole('link', { name: 'Vorschau impfpass-luna.pdf', exact: true }).count(), 1);
    const attachment = staff.getByRole('link', { name: 'impfpass-luna.pdf', exact: true });
    const [evidenceDownload] = await Promise.all([staff.waitForEvent('download'), attachment.click()]);
    const evidenceFile = path.join(dir, 'impfpass.pdf');
    await evidenceDownload.saveAs(evidenceFile);
    assert.deepEqual(await readFile(evidenceFile), Buffer.from(evidence), 'the caseworker gets the very file the citizen sent');
    await navigate(staff, () => staff.getByRole('link', { name: 'Vorgang öffnen' }).click());
    assert.equal(pathOf(staff), casePath, 'the thread leads back to its case');
    // Seen: the marker is gone from the inbox.
    await visit(staff, server, `/verwaltung/vorgaenge?q=${reference}`);
    assert.doesNotMatch(await staff.locator('table.inbox tbody tr').filter({ hasText: reference }).innerText(), /beantwortet/);
    await navigate(staff, () => staff.getByRole('link', { name: reference }).click());

    await navigate(staff, () => staff.getByRole('link', { name: 'Bescheid erstellen' }).click());
    assert.equal(pathOf(staff), `${casePath}/bescheid`);
    assert.equal(await staff.getByRole('heading', { level: 1 }).innerText(), 'Bescheid erstellen');
    // First the outcome: no text before it is chosen.
    assert.equal(await staff.getByLabel('Text des Bescheids').count(), 0, 'the text comes with the chosen outcome');
    response = await navigate(staff, () => staff.getByRole('button', { name: 'Text aus der Vorlage übernehmen' }).click());
    assert.equal(response.status(), 400, 'no outcome chosen');
    assert.deepEqual(await staff.locator('.error-summary a').allInnerTexts(), ['Wählen Sie die Entscheidung aus.']);
    await waitForFocus(staff, 'div.error-summary');
    await staff.getByLabel('Ablehnung', { exact: true }).check();
    await navigate(staff, () => staff.getByRole('button', { name: 'Text aus der Vorlage übernehmen' }).click());
    await assertReflows(staff);
    const body = staff.getByLabel('Text des Bescheids');
    const refusal = await body.inputValue();
    assert.match(refusal, /Ihr Antrag „Hund zur Hundesteuer anmelden“ wird abgelehnt\./, 'Coburg\'s template for a refusal');
    assert.match(refusal, /Gründe:\s+\[\[Bitte begründen Sie die Ablehnung/);
    assert.match(refusal, /Rechtsbehelfsbelehrung:\nGegen diesen Bescheid kann innerhalb eines Monats/);
    assert.match(await mainText(staff), /Gefüllt aus der Vorlage der Leistung für „Ablehnung“\./);
    // Issued with the reasons still a gap: refused, everything kept.
    response = await navigate(staff, () => staff.getByRole('button', { name: 'Bescheid erlassen und zustellen' }).click());
    assert.equal(response.status(), 400);
    assert.deepEqual(await staff.locator('.error-summary a').allInnerTexts(), ['Eine Ablehnung muss begründet werden: Geben Sie unter der Überschrift „Gründe:“ die Gründe an.']);
    await waitForFocus(staff, 'div.error-summary');
    assert.equal(await staff.getByLabel('Text des Bescheids').inputValue(), refusal, 'the text is kept');
    assert.equal(await caseStatus(caseId), 'in_progress', 'no refusal issued without reasons');
    await assertReflows(staff);
    // The caseworker decides to approve instead: the approval template replaces the text.
    assert.equal(await staff.getByLabel('Ablehnung', { exact: true }).isChecked(), true, 'the chosen outcome is shown');
    await staff.getByLabel('Stattgabe', { exact: true }).check();
    await navigate(staff, () => staff.getByRole('button', { name: 'Text aus der Vorlage übernehmen' }).click());
    const proposed = await body.inputValue();
    assert.match(proposed, new RegExp(reference), 'the template is filled with the case data');
    assert.doesNotMatch(proposed, /\{\{|\[\[/, 'no placeholder and no gap left');
    assert.match(proposed, /zur Hundesteuer angemeldet/, 'Coburg\'s template for an approval');
    assert.match(proposed, /2\. Für diesen Bescheid werden keine Kosten erhoben\./, 'the Hundesteuer registration charges no fee with the decision');
    const title = await staff.getByLabel('Überschrift').inputValue();
    assert.equal(title, 'Bescheid über die Anmeldung zur Hundesteuer');
    // A text too short is refused, the rest kept.
    await body.fill('zu kurz');
    response = await navigate(staff, () => staff.getByRole('button', { name: 'Bescheid erlassen und zustellen' }).click());
    assert.equal(response.status(), 400);
    assert.deepEqual(await staff.locator('.error-summary a').allInnerTexts(), ['Geben Sie den Text des Bescheids ein (mindestens 20 Zeichen).']);
    await waitForFocus(staff, 'div.error-summary');
    assert.equal(await staff.getByLabel('Überschrift').inputValue(), title, 'the other fields are kept');
    assert.equal(await caseStatus(caseId), 'in_progress', 'nothing issued on bad input');
    const addition = 'Die Steuermarke für Luna wird Ihnen mit der Post zugesandt.';
    await staff.getByLabel('Text des Bescheids').fill(`${proposed}\n\n${addition}`);
    await staff.getByLabel('Überschrift').fill('Bescheid über die Hundesteuer für Luna');
    response = await navigate(staff, () => staff.getByRole('button', { name: 'Bescheid erlassen und zustellen' }).click());
    assert.equal(response.status(), 200);
    assert.equal(pathOf(staff), casePath);
    assert.match(await staff.getByRole('status').innerText(), /Der Bescheid wurde erlassen und zugestellt/);
    const decisionSection = staff.getByRole('region', { name: 'Bescheid' });
    assert.match(await decisionSection.innerText(), /Erlassen am .*: Stattgabe\.[\s\S]*Noch nicht abgerufen\./);
    assert.match(await staff.locator('.timeline').innerText(), /Bescheid erlassen \(Entscheidung: Stattgabe\)/, 'the history names the outcome');
    assert.equal(await staff.getByRole('link', { name: 'Bescheid erstellen' }).count(), 0, 'an issued decision cannot be drafted again');
    assert.equal(await caseStatus(caseId), 'decided');
    // The caseworker's own copy is not the applicant's retrieval: no notification yet.
    const [staffCopy] = await Promise.all([staff.waitForEvent('download'), decisionSection.getByRole('link', { name: 'Bescheid (PDF) herunterladen' }).click()]);
    await staffCopy.saveAs(path.join(dir, 'bescheid-verwaltung.pdf'));
    const notYet = await server.app.database.db.selectFrom('decisions').select('notified_at').where('case_id', '=', caseId).executeTakeFirstOrThrow();
    assert.equal(notYet.notified_at, null, 'downloading it in the authority is no Bekanntgabe');

    // --- 5. The citizen retrieves the sealed decision from the mailbox ------------------------
    await visit(citizen, server, '/postfach');
    await navigate(citizen, () => citizen.locator(`a[href="${threadPath}"]`).click());
    const decisionMessage = citizen.locator('.mailbox-message').filter({ has: citizen.getByRole('heading', { name: /^Bescheid · / }) });
    assert.equal(await decisionMessage.count(), 1, 'the decision is in the thread');
    const decisionLink = decisionMessage.getByRole('link', { name: /\.pdf$/ });
    const [download] = await Promise.all([citizen.waitForEvent('download'), decisionLink.click()]);
    const decisionFile = path.join(dir, 'bescheid.pdf');
    await download.saveAs(decisionFile);
    assert.match(download.suggestedFilename(), /\.pdf$/);
    const pdf = await readFile(decisionFile);
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(pdf.equals(await readFile(path.join(dir, 'bescheid-verwaltung.pdf'))), 'the applicant gets the very document the authority keeps');
    const notified = await server.app.database.db.selectFrom('decisions').select('notified_at').where('case_id', '=', caseId).executeTakeFirstOrThrow();
    assert.ok(notified.notified_at, 'the retrieval is the notification (Bekanntgabe)');
    // A second download changes nothing: the first retrieval is the notification.
    const [again] = await Promise.all([citizen.waitForEvent('download'), decisionLink.click()]);
    await again.saveAs(path.join(dir, 'bescheid-2.pdf'));
    const still = await server.app.database.db.selectFrom('decisions').select('notified_at').where('case_id', '=', caseId).executeTakeFirstOrThrow();
    assert.equal(still.notified_at?.getTime(), notified.notified_at.getTime());

    // The seal is Coburg's and verifies, with the project's verifier and with pdfsig.
    const anchors = await createSealKeyStore({ db: server.app.database.db, cipher: server.app.cipher, config: server.app.config.seal }).trustAnchors();
    const verification = await verifyPdfSeal(pdf, anchors);
    assert.ok(isSealValid(verification), JSON.stringify(verification));
    assert.match(JSON.stringify(verification), /Coburg/);
    const { stdout } = await promisify(execFile)('pdfsig', [decisionFile]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
    assert.match(stdout, /Signature is Valid/, stdout);
    // The edited text is what was sealed.
    const { stdout: text } = await promisify(execFile)('pdftotext', [decisionFile, '-']);
    assert.match(text.replace(/\s+/g, ' '), /Steuermarke für Luna wird Ihnen mit der Post zugesandt/);
    // A tampered copy does not verify.
    const tampered = Buffer.from(pdf);
    tampered[12] = tampered[12]! ^ 0x01; // in the binary comment after the header: inside the sealed byte range
    assert.equal(isSealValid(await verifyPdfSeal(tampered, anchors)), false, 'a changed byte breaks the seal');

    // The application's page tells the citizen it is decided.
    await visit(citizen, server, `/antraege/${caseId}`);
    assert.match(await citizen.locator('.timeline').innerText(), /Eingegangen[\s\S]*Wartet auf Sie[\s\S]*Entschieden/);
    assert.equal(await citizen.getByRole('link', { name: 'Antrag zurückziehen' }).count(), 0, 'a decided application cannot be withdrawn');
    await navigate(citizen, () => citizen.getByRole('link', { name: 'Bescheid und Gebühr' }).click());
    assert.match(await mainText(citizen), /Der Bescheid wurde am .* erlassen: Stattgabe\./);
    assert.match(await mainText(citizen), /Für diesen Antrag ist keine Gebühr zu zahlen\./);
    assert.equal(await citizen.getByRole('button', { name: 'Gebühr online bezahlen' }).count(), 0);
    // The retrieval shows in the citizen's thread.
    await visit(citizen, server, threadPath);
    assert.match(await citizen.locator('.mailbox-message').filter({ has: citizen.getByRole('heading', { name: /^Bescheid · / }) }).innerText(), /Abgerufen/);

    // --- 6. The caseworker sees the decision as retrieved -------------------------------------
    await visit(staff, server, casePath);
    assert.match(await staff.getByRole('region', { name: 'Bescheid' }).innerText(), /Abgerufen \(bekanntgegeben\) am /);
    await assertReflows(staff);
    assert.match(await staff.locator('.timeline').innerText(), /Bescheid erlassen[\s\S]*Bescheid abgerufen \(Bekanntgabe\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await closeContext(staffContext);
    await closeContext(citizenContext);
  }
});
