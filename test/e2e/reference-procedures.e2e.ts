/**
 * The demo's other reference procedures in Chromium, axe-core on every page visited (the
 * Führungszeugnis and the Hundesteuer are in applications.e2e.ts). Each runs twice, with and without
 * JavaScript (without it, axe checks a copy of each page):
 * - Wohnsitzanmeldung online (Stadt Coburg, trust level hoch): fields shown by a condition appear
 *   as the answer changes (with JavaScript) or as new questions (listed, without an error), the address block, a person added to the repeating group, a rule across fields,
 *   the error summary (focused, its links lead into the fields), the landlord's confirmation
 *   uploaded, the check page, submitted, the receipt downloaded;
 * - Bauantrag online for a plot in Rödental (a kreisangehörige Gemeinde of the Landkreis Coburg):
 *   several plans uploaded as PDFs, a forged PDF refused with a field error, one plan removed again,
 *   the fee set with the decision on the check page, submitted and routed to the Landratsamt Coburg,
 *   whose administrator finds the case with every plan in the inbox;
 * - Mutterschutzmeldung, the form built by the FIM importer: every step, the schema's rules and its
 *   repeating address lines, the check page (rows named with their groups, a change link), submitted.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { renderPdf } from '../../src/platform/pdf/index.ts';
import {
  assertReflows, checkAccessibility, closeContext, continueButton, DEMO_PASSWORD, enterTotpCode, heading, launchBrowser,
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
const logIn = (page: Page, person: RegExp, level: string, returnTo: string) => logInCitizenWithDemoOidc(page, server, person, level, returnTo);

/** A date `days` before today as the form expects it (31.12.1980). */
function daysAgo(days: number): string {
  const d = new Date(Date.now() - days * 86_400_000);
  return `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${d.getUTCFullYear()}`;
}

/**
 * The error summary lists exactly `expected` (in order, as regular expressions on the link texts),
 * every link points to an element on the page, and following one moves the focus to it.
 */
async function assertErrorSummary(page: Page, expected: RegExp[]) {
  const links = page.locator('.error-summary a');
  const texts = await links.allInnerTexts();
  assert.equal(texts.length, expected.length, `error summary: ${texts.join(' | ')}`);
  expected.forEach((re, i) => assert.match(texts[i]!, re));
  for (const href of await links.evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''))) {
    const id = decodeURIComponent(href.replace(/^.*#/, ''));
    assert.ok(await page.evaluate((i) => document.getElementById(i) !== null, id), `the error summary links to #${id}, which is not on ${page.url()}`);
  }
}

/**
 * The questions the last answers revealed are listed (in order, as regular expressions on the link
 * texts), each link points to its field, and none of them is reported as an error.
 */
async function assertRevealed(page: Page, expected: RegExp[]) {
  const panel = page.getByRole('status').filter({ hasText: 'Bitte beantworten Sie auch diese Fragen' });
  const texts = await panel.locator('a').allInnerTexts();
  assert.equal(texts.length, expected.length, `revealed: ${texts.join(' | ')}`);
  expected.forEach((re, i) => assert.match(texts[i]!, re));
  for (const href of await panel.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''))) {
    const id = href.replace(/^#/, '');
    assert.ok(await page.evaluate((i) => document.getElementById(i) !== null, id), `the list of new questions links to #${id}, which is not on ${page.url()}`);
    assert.equal(await page.locator(`[id="${id.replace(/\.[a-zA-Z]+$/, '')}-error"], [id="${id}-error"]`).count(), 0, `no error for the new question ${id}`);
  }
}

/**
 * With JavaScript, waits until the page shows the questions the conditions decide for its answers
 * (public/app.js marks the form once the newest answer of the form engine is applied).
 */
async function conditionsFollowed(page: Page) {
  await page.locator('input[name="_live"][value="1"]').waitFor({ state: 'attached' });
}

/** A small real PDF with a title and a line of text. */
const pdf = (title: string, text: string) => renderPdf({ title, author: 'Test', blocks: [{ kind: 'paragraph', text }] });

for (const js of [true, false]) test(`Wohnsitzanmeldung ${js ? 'with' : 'without'} JavaScript: conditional fields, address block, a person moving along, errors, check page, submitted, receipt`, { timeout: 180_000 }, async () => {
  const context = await newContext(browser, { javaScriptEnabled: js });
  try {
    const page = await newPage(context);
    await visit(page, server, '/leistungen/99115005104000?ags=09463000');
    await navigate(page, () => page.getByRole('link', { name: /Wohnsitzanmeldung online/ }).click());
    const startUrl = new URL(page.url());
    assert.match(startUrl.pathname, /^\/antraege\/neu\//);
    assert.match(await mainText(page), /Vertrauensniveau „hoch“/);
    await logIn(page, /\(U01, /, 'hoch', startUrl.pathname + startUrl.search);
    assert.equal(pathOf(page), startUrl.pathname, 'back at the start page after the login');
    await navigate(page, () => page.getByRole('button', { name: 'Antrag beginnen' }).click());

    // --- Step 1: Einzug. Nothing entered: the error summary, focused, links to each field.
    assert.equal(await heading(page), 'Einzug');
    assert.equal(await page.locator('[name="f.hauptwohnung_anschrift.street"]').isVisible(), false, 'the main residence is asked only for a secondary one');
    let response = await navigate(page, () => continueButton(page).click());
    assert.equal(response.status(), 400);
    if (js) await waitForFocus(page, 'div.error-summary');
    await assertErrorSummary(page, [/Tag des Einzugs/, /Anschrift der neuen Wohnung/, /Die neue Wohnung ist/]);
    await assertReflows(page);
    // Following a link of the summary puts the keyboard focus into the field (the address: its first part).
    await page.locator('.error-summary a').nth(1).click();
    await waitForFocus(page, '#f.neue_anschrift.street');
    await page.locator('.error-summary a').nth(2).click();
    await waitForFocus(page, '#f.wohnungsstatus');

    // A date in the future is refused; the address block's parts.
    await page.getByLabel('Tag des Einzugs').fill(daysAgo(-3));
    await page.locator('[name="f.neue_anschrift.street"]').fill('Ketschengasse');
    await page.locator('[name="f.neue_anschrift.houseNumber"]').fill('7, 2. OG links');
    await page.locator('[name="f.neue_anschrift.postcode"]').fill('96450');
    await page.locator('[name="f.neue_anschrift.city"]').fill('Coburg');
    await page.getByLabel('Nebenwohnung (weitere Wohnung)').check();
    // The secondary residence makes the main residence's address appear: with JavaScript at once.
    if (js) await conditionsFollowed(page);
    assert.equal(await page.locator('[name="f.hauptwohnung_anschrift.street"]').isVisible(), js);
    response = await navigate(page, () => continueButton(page).click());
    assert.equal(response.status(), 400);
    assert.equal(await page.locator('[name="f.hauptwohnung_anschrift.street"]').isVisible(), true, 'the main residence appears');
    // Without JavaScript it is asked, not reported as missing (not seen yet); with it, it was seen and is missing.
    await assertErrorSummary(page, js ? [/Tag des Einzugs/, /Anschrift Ihrer Hauptwohnung/] : [/Tag des Einzugs/]);
    await assertRevealed(page, js ? [] : [/Anschrift Ihrer Hauptwohnung/]);
    if (js) await waitForFocus(page, 'div.error-summary');
    assert.equal(await page.locator('[name="f.neue_anschrift.houseNumber"]').inputValue(), '7, 2. OG links', 'the answers are kept');
    await page.getByLabel('Tag des Einzugs').fill(daysAgo(5));
    await page.locator('[name="f.hauptwohnung_anschrift.street"]').fill('Hauptstraße');
    await page.locator('[name="f.hauptwohnung_anschrift.houseNumber"]').fill('1');
    await page.locator('[name="f.hauptwohnung_anschrift.postcode"]').fill('96472');
    // Only part of the address: its missing part is named.
    response = await navigate(page, () => continueButton(page).click());
    assert.equal(response.status(), 400);
    await assertErrorSummary(page, [/Ort/]);
    await page.locator('[name="f.hauptwohnung_anschrift.city"]').fill('Rödental');
    await navigate(page, () => continueButton(page).click());

    // --- Step 2: about you, prefilled from the account.
    assert.equal(await heading(page), 'Angaben zu Ihrer Person');
    assert.equal(await page.locator('[name="f.familienname"]').inputValue(), 'Neumann');
    assert.match(await mainText(page), /aus Ihrem Nutzerkonto übernommen/);
    if (!(await page.locator('[name="f.geburtsort"]').inputValue())) await page.locator('[name="f.geburtsort"]').fill('Berlin');
    await page.getByLabel('weiblich', { exact: true }).check();
    await page.getByLabel('Staatsangehörigkeit').selectOption('DE');
    await page.getByLabel('Familienstand').selectOption('VH');
    await page.getByLabel('evangelisch').check();
    await page.getByLabel('E-Mail-Adresse').fill('maria.neumann@example.org');
    await navigate(page, () => continueButton(page).click());

    // --- Step 3: the previous home; "keeping it?" is asked only when not moving from abroad.
    assert.equal(await heading(page), 'Bisherige Wohnung');
    assert.equal(await page.locator('[name="f.bisherige_beibehalten"]:visible').count(), 0);
    assert.notEqual(await page.locator('[name="f.bisherige_anschrift.street"]').inputValue(), '', 'the previous address is prefilled');
    await page.locator('input[name="f.zuzug_ausland"][value="no"]').check();
    if (js) await conditionsFollowed(page);
    response = await navigate(page, () => continueButton(page).click());
    assert.equal(await heading(page), 'Bisherige Wohnung', 'the step is shown again with the new question');
    if (js) {
      // Shown as soon as the answer changed: continuing without an answer is an error like any other.
      assert.equal(response.status(), 400);
      await assertErrorSummary(page, [/Behalten Sie die bisherige Wohnung\?/]);
      await assertRevealed(page, []);
      await waitForFocus(page, 'div.error-summary');
    } else {
      assert.equal(response.status(), 200);
      await assertErrorSummary(page, []);
      await assertRevealed(page, [/Behalten Sie die bisherige Wohnung\?/]);
    }
    await assertReflows(page);
    await page.locator('input[name="f.bisherige_beibehalten"][value="yes"]').check();
    await navigate(page, () => continueButton(page).click());

    // --- Step 4: people moving along (a repeating group, none at first).
    assert.equal(await heading(page), 'Mitziehende Personen');
    assert.equal(await page.locator('fieldset.repetition').count(), 0);
    await navigate(page, () => page.getByRole('button', { name: /Weitere/ }).click());
    assert.equal(await page.locator('fieldset.repetition').count(), 1);
    await assertReflows(page);
    await page.locator('[name="f.personen.0.person_familienname"]').fill('Neumann');
    await page.locator('[name="f.personen.0.person_vornamen"]').fill('Peter');
    await page.locator('[name="f.personen.0.person_geburtsdatum"]').fill(daysAgo(365 * 10));
    await page.locator('input[name="f.personen.0.person_geschlecht"][value="m"]').check();
    await page.locator('input[name="f.personen.0.person_beziehung"][value="ehe"]').check();
    // A rule across fields: a spouse of ten years is refused.
    response = await navigate(page, () => continueButton(page).click());
    assert.equal(response.status(), 400);
    await assertErrorSummary(page, [/mindestens 16 Jahre/]);
    await page.locator('[name="f.personen.0.person_geburtsdatum"]').fill('03.04.1962');
    await navigate(page, () => continueButton(page).click());

    // --- Step 5: the landlord's confirmation as a PDF.
    assert.equal(await heading(page), 'Wohnungsgeberbestätigung');
    await assertReflows(page);
    await page.getByLabel('Wohnungsgeberbestätigung').setInputFiles({ name: 'wohnungsgeberbestaetigung.pdf', mimeType: 'application/pdf', buffer: Buffer.from(await pdf('Wohnungsgeberbestätigung', 'Einzug von Maria Neumann bestätigt.')) });
    await navigate(page, () => continueButton(page).click());

    // --- Check page: every step's answers, the conditional ones included.
    assert.equal(await heading(page), 'Angaben prüfen und absenden');
    const check = await mainText(page);
    for (const text of ['Ketschengasse 7, 2. OG links', '96450 Coburg', 'Hauptstraße 1', '96472 Rödental', 'Nebenwohnung', 'Peter', 'wohnungsgeberbestaetigung.pdf', 'maria.neumann@example.org']) {
      assert.ok(check.includes(text), `the check page shows ${text}`);
    }
    assert.doesNotMatch(check, /Gebühr/);
    // Changed to the main residence: the main residence's address is gone from the check page and
    // from the answers submitted (nothing hidden is kept).
    await navigate(page, () => page.getByRole('link', { name: 'Ändern Die neue Wohnung ist' }).click());
    assert.equal(await heading(page), 'Einzug');
    assert.equal(await page.getByRole('link', { name: 'Zurück' }).getAttribute('href'), new URL(page.url()).pathname.replace(/schritte\/.*$/, 'pruefen'), 'back leads to the check page');
    await page.getByLabel('Hauptwohnung (vorwiegend benutzte Wohnung)').check();
    // Continuing returns to the check page at once.
    await navigate(page, () => continueButton(page).click());
    assert.equal(await heading(page), 'Angaben prüfen und absenden');
    const changed = await mainText(page);
    assert.match(changed, /Hauptwohnung \(vorwiegend benutzte Wohnung\)/);
    assert.ok(!changed.includes('Anschrift Ihrer Hauptwohnung') && !changed.includes('96472 Rödental'), 'the hidden address is not shown');
    assert.ok(changed.includes('wohnungsgeberbestaetigung.pdf') && changed.includes('Peter'), 'the other answers are kept');
    await assertReflows(page);
    await navigate(page, () => page.getByRole('button', { name: 'Antrag verbindlich absenden' }).click());
    assert.match(await mainText(page), /Ihr Antrag ist eingegangen/);
    assert.match(await mainText(page), /Stadt Coburg/);
    const reference = (await page.locator('.reference').innerText()).trim();
    assert.match(reference, /^DA-\d{4}-\d{7}$/);
    const stored = await server.app.database.db.selectFrom('applications').select(['answers_enc', 'status']).where('reference', '=', reference).executeTakeFirstOrThrow();
    assert.equal(stored.status, 'submitted');
    const answers = JSON.parse(server.app.cipher.decrypt(stored.answers_enc)) as Record<string, unknown>;
    assert.equal(answers.wohnungsstatus, 'haupt');
    assert.equal(answers.hauptwohnung_anschrift, undefined, 'the hidden answer is not submitted');
    assert.equal((answers.personen as unknown[]).length, 1);

    // The receipt, once the job has produced it.
    await server.app.worker.drain();
    await navigate(page, () => page.reload());
    const receipt = page.getByRole('link', { name: /Eingangsbestätigung herunterladen/ });
    assert.equal(await receipt.count(), 1);
    const [download] = await Promise.all([page.waitForEvent('download'), receipt.click()]);
    assert.match(download.suggestedFilename(), new RegExp(`${reference}\\.pdf$`));
  } finally {
    await closeContext(context);
  }
});

const DISTRICT_ADMIN_EMAIL = 'verwaltung@landkreis-coburg.demo.digitales-amt.de';

for (const js of [false, true]) test(`Bauantrag ${js ? 'with' : 'without'} JavaScript for a plot in Rödental: plans uploaded, a forged PDF refused, fee with the decision, routed to the Landratsamt Coburg`, { timeout: 180_000 }, async () => {
  const context = await newContext(browser, { javaScriptEnabled: js });
  const staffContext = await newContext(browser, { javaScriptEnabled: false });
  try {
    const page = await newPage(context);
    // Rödental (09473159) is a kreisangehörige Gemeinde: building permits are the Landratsamt's.
    await logIn(page, /\(U03, /, 'substantiell', '/leistungen/99012008001000?ags=09473159');
    assert.match(await mainText(page), /Landratsamt Coburg/);
    await navigate(page, () => page.getByRole('link', { name: /Bauantrag online/ }).click());
    assert.match(await mainText(page), /Landratsamt Coburg/);
    await navigate(page, () => page.getByRole('button', { name: 'Antrag beginnen' }).click());

    // --- Step 1: the client; an organisation's name is asked only for an organisation.
    assert.equal(await heading(page), 'Bauherrin oder Bauherr');
    assert.equal(await page.locator('[name="f.organisation"]:visible').count(), 0);
    await page.getByLabel('eine Privatperson').check();
    for (const [part, value] of [['street', 'Bahnhofstraße'], ['houseNumber', '12'], ['postcode', '96472'], ['city', 'Rödental']] as const) {
      if (!(await page.locator(`[name="f.anschrift.${part}"]`).inputValue())) await page.locator(`[name="f.anschrift.${part}"]`).fill(value);
    }
    await page.getByLabel('Telefonnummer').fill('09563 12345');
    await page.getByLabel('E-Mail-Adresse').fill('bauherr@example.org');
    await navigate(page, () => continueButton(page).click());

    // --- Step 2: the plot; a plot number in the wrong form is refused.
    assert.equal(await heading(page), 'Baugrundstück');
    await page.getByLabel('Gemeinde').fill('Rödental');
    await page.getByLabel('Straße und Hausnummer').fill('Am Wiesengrund 4');
    await page.getByLabel('Gemarkung').fill('Oeslau');
    await page.getByLabel('Flurnummer').fill('12-34');
    await page.locator('input[name="f.eigentuemer"][value="yes"]').check();
    let response = await navigate(page, () => continueButton(page).click());
    assert.equal(response.status(), 400);
    await assertErrorSummary(page, [/Flurnummer wie 1234 oder 1234\/5/]);
    await page.getByLabel('Flurnummer').fill('1234/5');
    await navigate(page, () => continueButton(page).click());

    // --- Step 3: the project.
    assert.equal(await heading(page), 'Vorhaben');
    await assertReflows(page);
    await page.getByLabel('vereinfachtes Baugenehmigungsverfahren (Art. 59 BayBO)').check();
    await page.getByLabel('Bezeichnung des Vorhabens').fill('Neubau eines Einfamilienhauses mit Doppelgarage');
    await page.getByLabel('Beschreibung').fill('Einfamilienhaus mit zwei Vollgeschossen, Satteldach, Doppelgarage an der Grundstücksgrenze.');
    await page.getByLabel('Gebäudeklasse 1').check();
    await page.getByLabel('Anzahl der Vollgeschosse').fill('2');
    await page.getByLabel('Geschätzte Baukosten').fill('420000');
    await navigate(page, () => continueButton(page).click());

    // --- Step 4: the person entitled to submit the documents.
    assert.equal(await heading(page), 'Bauvorlageberechtigte Person');
    await page.getByLabel('Name', { exact: true }).fill('Architekturbüro Beispiel, Dipl.-Ing. Anna Beispiel');
    await page.getByLabel('Kammer und Mitgliedsnummer').fill('Bayerische Architektenkammer 123456');
    await page.locator('[name="f.bv_anschrift.street"]').fill('Steinweg');
    await page.locator('[name="f.bv_anschrift.houseNumber"]').fill('3');
    await page.locator('[name="f.bv_anschrift.postcode"]').fill('96450');
    await page.locator('[name="f.bv_anschrift.city"]').fill('Coburg');
    await page.getByLabel('E-Mail-Adresse').fill('buero@architektur.example.org');
    await navigate(page, () => continueButton(page).click());

    // --- Step 5: the plans. A script renamed to .pdf as the site plan is refused with a field error;
    // the real plans uploaded with it are kept.
    assert.equal(await heading(page), 'Bauvorlagen');
    const drawings = await Promise.all(['Grundriss EG', 'Grundriss OG', 'Schnitt A-A', 'Ansichten'].map(async (title) => ({
      name: `${title.replace(/\W+/g, '-')}.pdf`, mimeType: 'application/pdf', buffer: Buffer.from(await pdf(title, `${title}, Maßstab 1:100`)),
    })));
    await page.getByLabel('Lageplan').setInputFiles({ name: 'lageplan.pdf', mimeType: 'application/pdf', buffer: Buffer.from('#!/bin/sh\necho gefälscht\n') });
    await page.getByLabel('Bauzeichnungen').setInputFiles(drawings);
    await page.getByLabel('Baubeschreibung').setInputFiles({ name: 'baubeschreibung.pdf', mimeType: 'application/pdf', buffer: Buffer.from(await pdf('Baubeschreibung', 'Massivbau, Satteldach 38 Grad.')) });
    response = await navigate(page, () => continueButton(page).click());
    assert.equal(response.status(), 400);
    await assertErrorSummary(page, [/PDF/]);
    assert.equal(await page.locator('.error-summary a').getAttribute('href'), '#f.lageplan');
    assert.match(await page.locator('[id="f.lageplan-error"]').innerText(), /PDF/);
    const uploaded = await mainText(page);
    for (const d of drawings) assert.ok(uploaded.includes(d.name), `${d.name} is kept`);
    assert.ok(uploaded.includes('baubeschreibung.pdf'));
    assert.ok(!uploaded.includes('lageplan.pdf'), 'the forged site plan is not stored');
    // A plan uploaded by mistake is removed with its own button (still the same step, no error).
    response = await navigate(page, () => page.getByRole('button', { name: `${drawings[3]!.name} entfernen` }).click());
    assert.equal(response.status(), 200);
    assert.equal(await page.locator('[id="f.plaene"]').locator('xpath=..').locator('.uploaded li').count(), 3);
    assert.ok(!(await mainText(page)).includes(drawings[3]!.name));
    const removed = drawings.pop()!.name;
    await assertReflows(page);
    await page.getByLabel('Lageplan').setInputFiles({ name: 'lageplan.pdf', mimeType: 'application/pdf', buffer: Buffer.from(await pdf('Lageplan', 'Flurstück 1234/5, Gemarkung Oeslau, Maßstab 1:1000')) });
    await page.getByLabel(/Weitere Unterlagen/).setInputFiles([
      { name: 'standsicherheit.pdf', mimeType: 'application/pdf', buffer: Buffer.from(await pdf('Standsicherheitsnachweis', 'Statik')) },
      { name: 'entwaesserung.pdf', mimeType: 'application/pdf', buffer: Buffer.from(await pdf('Entwässerungsplan', 'Anschluss an den Mischwasserkanal')) },
    ]);
    await navigate(page, () => continueButton(page).click());

    // --- Step 6: statistics; the homes' and the heating's questions appear once the building is known.
    assert.equal(await heading(page), 'Angaben für die Baustatistik');
    await assertReflows(page);
    assert.equal(await page.locator('[name="f.wohnungen"]:visible, [name="f.heizenergie"]:visible').count(), 0);
    await page.getByLabel('Neubau', { exact: true }).check();
    await page.getByLabel('Wohngebäude', { exact: true }).check();
    if (js) {
      // Shown as the answers change: continuing without answering them reports them as missing at once.
      await conditionsFollowed(page);
      assert.equal(await page.locator('[name="f.wohnungen"]:visible, [name="f.heizenergie"]:visible').count(), 2);
    } else {
      response = await navigate(page, () => continueButton(page).click());
      assert.equal(response.status(), 200);
      await assertErrorSummary(page, []);
      await assertRevealed(page, [/Anzahl der Wohnungen/, /Wohnfläche/, /Heizenergie/]);
    }
    // Continuing without answering them: now they are missing.
    response = await navigate(page, () => continueButton(page).click());
    assert.equal(response.status(), 400);
    await assertErrorSummary(page, [/Anzahl der Wohnungen/, /Wohnfläche/, /Heizenergie/]);
    assert.equal(await page.getByRole('status').filter({ hasText: 'Bitte beantworten Sie auch diese Fragen' }).count(), 0);
    await page.getByLabel('Vorwiegende Heizenergie').selectOption('waermepumpe');
    await page.getByLabel('Anzahl der Wohnungen').fill('1');
    await page.getByLabel('Wohnfläche in m²').fill('148,5');
    await navigate(page, () => continueButton(page).click());

    // --- Check page: the plans listed, the fee set with the decision.
    assert.equal(await heading(page), 'Angaben prüfen und absenden');
    const check = await mainText(page);
    for (const name of ['lageplan.pdf', ...drawings.map((d) => d.name), 'baubeschreibung.pdf', 'standsicherheit.pdf', 'entwaesserung.pdf', '1234/5', 'Rödental']) {
      assert.ok(check.includes(name), `the check page shows ${name}`);
    }
    assert.match(check, /Mindestgebühr Baugenehmigung \(wird mit dem Bescheid festgesetzt\)\s+50,00\s€/);
    assert.match(check, /Die Gebühr wird mit dem Bescheid festgesetzt; Sie bezahlen sie später\./);
    assert.match(check, /Landratsamt Coburg/);
    assert.equal(await page.getByRole('button', { name: /bezahlen/ }).count(), 0, 'nothing is paid before submission');
    await assertReflows(page);
    await navigate(page, () => page.getByRole('button', { name: 'Antrag verbindlich absenden' }).click());
    assert.match(await mainText(page), /Ihr Antrag ist eingegangen/);
    assert.match(await mainText(page), /Landratsamt Coburg/);
    const reference = (await page.locator('.reference').innerText()).trim();
    const applicationId = /^\/antraege\/([0-9a-f-]{36})/.exec(pathOf(page))?.[1];
    assert.ok(applicationId, page.url());

    // Routed to the Landratsamt: the application and its case belong to its tenant.
    const db = server.app.database.db;
    const routed = await db.selectFrom('applications').innerJoin('tenants', 'tenants.id', 'applications.tenant_id').innerJoin('cases', 'cases.id', 'applications.id')
      .select(['tenants.slug', 'applications.status', 'cases.status as caseStatus']).where('applications.id', '=', applicationId).executeTakeFirstOrThrow();
    assert.deepEqual(routed, { slug: 'landkreis-coburg', status: 'submitted', caseStatus: 'submitted' });

    // The Landratsamt's administrator finds it in the inbox, with every plan.
    const staff = await newPage(staffContext);
    await visit(staff, server, '/verwaltung/vorgaenge');
    await staff.getByLabel('Dienstliche E-Mail-Adresse').fill(DISTRICT_ADMIN_EMAIL);
    await staff.getByLabel('Passwort').fill(DEMO_PASSWORD);
    await navigate(staff, () => staff.getByRole('button', { name: 'Anmelden' }).click());
    await enterTotpCode(staff, server, DISTRICT_ADMIN_EMAIL);
    assert.equal(pathOf(staff), '/verwaltung/vorgaenge');
    const row = staff.locator('table.inbox tbody tr').filter({ hasText: reference });
    assert.equal(await row.count(), 1, `${reference} in the Landratsamt's inbox`);
    assert.match(await row.innerText(), /Bauantrag online/);
    await navigate(staff, () => row.getByRole('link', { name: reference }).click());
    const casePage = await mainText(staff);
    for (const name of ['lageplan.pdf', ...drawings.map((d) => d.name), 'standsicherheit.pdf']) assert.ok(casePage.includes(name), `the case shows ${name}`);
    assert.ok(!casePage.includes(removed), 'the removed plan is not part of the case');
  } finally {
    await closeContext(staffContext);
    await closeContext(context);
  }
});

/** Chooses `value` of the choice field `name`, whether it is shown as radio buttons or as a select. */
async function choose(page: Page, name: string, value: string) {
  const select = page.locator(`select[name="${name}"]`);
  if (await select.count()) await select.selectOption(value);
  else await page.locator(`input[name="${name}"][value="${value}"]`).check();
}

const fill = (page: Page, id: string, value: string) => page.locator(`[name="f.${id}"]`).fill(value);

for (const js of [true, false]) test(`Mutterschutzmeldung, the form imported from the FIM schema, ${js ? 'with' : 'without'} JavaScript: every step, the check page, submitted`, { timeout: 180_000 }, async () => {
  const context = await newContext(browser, { javaScriptEnabled: js });
  try {
    const page = await newPage(context);
    await logIn(page, /\(U04, /, 'substantiell', '/leistungen/99006028000000?ags=09463000');
    await navigate(page, () => page.getByRole('link', { name: /Mutterschutzmeldung \(FIM-Formular\)/ }).click());
    await navigate(page, () => page.getByRole('button', { name: 'Antrag beginnen' }).click());

    // --- Step 1: the employer. Required fields and the FIM address rules (a street needs a postcode and a town).
    assert.equal(await heading(page), 'Informationen zum Arbeitgeber / zur Arbeitgeberin');
    assert.match(await page.locator('.caption').innerText(), /Schritt 1 von 4/);
    await fill(page, 'F60000243', 'Mohrenstraße');
    let response = await navigate(page, () => continueButton(page).click());
    assert.equal(response.status(), 400);
    if (js) await waitForFocus(page, 'div.error-summary');
    await assertErrorSummary(page, [/Eingetragener Name/, /Postleitzahl/, /Ort/, /Familienname/]);
    await assertReflows(page);
    assert.equal(await page.locator('[name="f.F60000243"]').inputValue(), 'Mohrenstraße', 'the answers are kept');
    await fill(page, 'F60000319', 'Coburger Werkstätten GmbH');
    await fill(page, 'F60000244', '34');
    await fill(page, 'F60000246', '9645');
    await fill(page, 'F60000247', 'Coburg');
    await fill(page, 'F60000240', '09561 4711');
    await fill(page, 'F00002483', 'personal@werkstaetten.example.org');
    await page.locator('input[name="f.F00002408"][value="yes"]').check();
    await fill(page, 'F60000227', 'Krause');
    await fill(page, 'F60000228', 'Jana');
    await fill(page, 'F60000242', 'jana.krause@werkstaetten.example.org');
    // The postcode's pattern from the schema: five digits.
    response = await navigate(page, () => continueButton(page).click());
    assert.equal(response.status(), 400);
    await assertErrorSummary(page, [/Postleitzahl/]);
    await fill(page, 'F60000246', '96450');
    await navigate(page, () => continueButton(page).click());

    // --- Step 2: the woman: name, date of birth in three parts, address in Germany, pregnant.
    assert.equal(await heading(page), 'Persönliche Informationen zur schwangeren oder stillenden Frau');
    await fill(page, 'F60000227_2', 'Yilmaz');
    await fill(page, 'F60000228_2', 'Aylin');
    await fill(page, 'F60000231', '14');
    await fill(page, 'F60000232', '5');
    await fill(page, 'F60000233', '1994');
    await choose(page, 'f.F60000263', '001');
    await fill(page, 'F60000243_2', 'Judengasse');
    await fill(page, 'F60000244_2', '9');
    await fill(page, 'F60000246_3', '96450');
    await fill(page, 'F60000247_3', 'Coburg');
    await choose(page, 'f.F00000462', '001');
    await fill(page, 'F00000467', daysAgo(-120));
    // The schema's repeating address lines (abroad): with a line, the state becomes required.
    await navigate(page, () => page.getByRole('button', { name: /Weitere hinzufügen/ }).click());
    assert.equal(await page.locator('fieldset.repetition').count(), 1);
    await fill(page, 'F60000262_liste.0.F60000262', '12 Rue de la Paix');
    response = await navigate(page, () => continueButton(page).click());
    assert.equal(response.status(), 400);
    await assertErrorSummary(page, [/Staat/]);
    await assertReflows(page);
    await navigate(page, () => page.getByRole('button', { name: /^Entfernen/ }).click());
    assert.equal(await page.locator('fieldset.repetition').count(), 0);
    assert.equal(await page.locator('[name="f.F60000227_2"]').inputValue(), 'Yilmaz', 'the answers are kept');
    await navigate(page, () => continueButton(page).click());

    // --- Step 3: the employment.
    assert.equal(await heading(page), 'Allgemeine Angaben');
    await choose(page, 'f.F00000463', '001');
    await navigate(page, () => continueButton(page).click());

    // --- Step 4: the planned work.
    assert.equal(await heading(page), 'Informationen zur beabsichtigten Beschäftigung der schwangeren oder stillenden Frau');
    response = await navigate(page, () => continueButton(page).click());
    assert.equal(response.status(), 400);
    assert.equal(await page.locator('.error-summary a').count(), 3);
    await page.locator('input[name="f.F00000464"][value="no"]').check();
    await page.locator('input[name="f.F00000465"][value="no"]').check();
    await page.locator('input[name="f.F00000466"][value="yes"]').check();
    await navigate(page, () => continueButton(page).click());

    // --- Check page: the answers of every step; a change link leads back to a step and returns.
    assert.equal(await heading(page), 'Angaben prüfen und absenden');
    const check = await mainText(page);
    for (const text of ['Coburger Werkstätten GmbH', 'Mohrenstraße', 'Krause', 'Yilmaz', 'Aylin', '1994', 'Judengasse', 'ist schwanger', 'Arbeitnehmerin', 'getakteter Arbeit']) {
      assert.ok(check.includes(text), `the check page shows ${text}`);
    }
    assert.doesNotMatch(check, /Gebühr/);
    // The schema's groups name the rows: two postcodes, two phone numbers, each with its group.
    const labels = await page.locator('.summary-list dt').allInnerTexts();
    assert.equal(new Set(labels).size, labels.length, `every row's label is unique: ${labels.filter((l, i) => labels.indexOf(l) !== i).join(' | ')}`);
    assert.ok(labels.includes('Anschrift in Deutschland: Straßenanschrift: Postleitzahl'), labels.join(' | '));
    assert.ok(labels.includes('Geburtsdatum: Jahr'));
    await assertReflows(page);
    // A change link leads to the field on its step, and continuing there returns to the check page.
    await navigate(page, () => page.getByRole('link', { name: 'Ändern Ansprechperson: Vornamen' }).click());
    assert.equal(await heading(page), 'Informationen zum Arbeitgeber / zur Arbeitgeberin');
    assert.equal(new URL(page.url()).hash, '#f.F60000228');
    await fill(page, 'F60000228', 'Jana Marie');
    await navigate(page, () => continueButton(page).click());
    assert.equal(await heading(page), 'Angaben prüfen und absenden', 'continuing returns to the check page');
    assert.match(await mainText(page), /Jana Marie/);
    await navigate(page, () => page.getByRole('button', { name: 'Antrag verbindlich absenden' }).click());
    assert.match(await mainText(page), /Ihr Antrag ist eingegangen/);
    assert.match(await mainText(page), /Stadt Coburg/);
    const applicationId = /^\/antraege\/([0-9a-f-]{36})/.exec(pathOf(page))?.[1];
    assert.ok(applicationId, page.url());
    const stored = await server.app.database.db.selectFrom('applications').innerJoin('tenants', 'tenants.id', 'applications.tenant_id')
      .select(['tenants.slug', 'applications.status']).where('applications.id', '=', applicationId).executeTakeFirstOrThrow();
    assert.deepEqual(stored, { slug: 'coburg', status: 'submitted' });
    await visit(page, server, '/antraege');
    assert.match(await mainText(page), /Mutterschutzmeldung/);
  } finally {
    await closeContext(context);
  }
});
