/**
 * Staff working on the catalogue: München's editor adds a local fee text that then shows on the
 * public service page, and is stopped with an error summary when linking a procedure by http://;
 * the ministry confirms Coburg's Digitales Amt award; the Landratsamt Coburg's administrator makes
 * a new state authority responsible for a service in Rödental and sees the finder name it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  closeContext, DEMO_PASSWORD, enterTotpCode, launchBrowser, navigate, newContext, newPage, startServer, visit, waitForFocus,
  type Browser, type Locator, type Page, type TestServer,
} from './browser.ts';

let server: TestServer;
let browser: Browser;
before(async () => { [server, browser] = await Promise.all([startServer(), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.close(); });

const EDITOR_EMAIL = 'redaktion@muenchen.demo.digitales-amt.de';
const MINISTRY_EMAIL = 'ministerium@demo.digitales-amt.de';
const DISTRICT_ADMIN_EMAIL = 'verwaltung@landkreis-coburg.demo.digitales-amt.de';

const HUNDESTEUER = '99102013000000';
const WOHNSITZ_ANMELDUNG = '99115005104000';
const ROEDENTAL = '09473159';

/** The text of an element as assistive technology gets it (hidden-but-read spans included), whitespace collapsed. */
async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** Opens the staff login, logs in and checks that the staff home is shown. */
async function logIn(page: Page, email: string, displayName: string) {
  await visit(page, server, '/verwaltung/anmelden');
  await page.getByLabel('Dienstliche E-Mail-Adresse').fill(email);
  await page.getByLabel('Passwort').fill(DEMO_PASSWORD);
  await navigate(page, () => page.getByRole('button', { name: 'Anmelden' }).click());
  assert.equal(new URL(page.url()).pathname, '/verwaltung/anmelden/code');
  await enterTotpCode(page, server, email);
  assert.equal(new URL(page.url()).pathname, '/verwaltung');
  assert.match(await page.locator('main').innerText(), new RegExp(`Angemeldet als ${displayName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.`));
}

/** The paragraph under a service page's "Welche Gebühren fallen an?" heading. */
function publicFees(page: Page) {
  return page.getByRole('heading', { level: 2, name: 'Welche Gebühren fallen an?' }).locator('xpath=following-sibling::p[1]');
}

/** The "Zuständige Stelle" block of a public service page. */
function authorityBlock(page: Page) {
  return page.getByRole('heading', { level: 2, name: 'Zuständige Stelle' }).locator('xpath=following-sibling::*[1]');
}

test('München\'s editor saves a local fee text that the public Hundesteuer page then shows, and is stopped linking an http:// procedure', async () => {
  const FEES = 'In München kostet die Hundesteuer 100 Euro je Hund und Jahr, für einen Kampfhund 800 Euro.';
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await logIn(page, EDITOR_EMAIL, 'Maria Redaktion (München)');
    await navigate(page, () => page.getByRole('link', { name: 'Leistungen pflegen: örtliche Texte und Online-Verfahren' }).click());
    assert.equal(new URL(page.url()).pathname, '/verwaltung/leistungen');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Leistungen pflegen');
    assert.equal(await page.locator('.context').innerText(), 'Sie bearbeiten die Einträge von: Landeshauptstadt München.');

    const search = page.getByRole('search', { name: 'Leistung suchen' });
    await search.getByLabel('Leistung suchen').fill('Hundesteuer');
    await navigate(page, () => search.getByRole('button', { name: 'Suchen' }).click());
    assert.equal(await page.getByRole('heading', { level: 2, name: 'Leistungen zu „Hundesteuer“' }).count(), 1);
    const result = page.locator('ol.result-list > li').filter({ has: page.getByRole('link', { name: 'Hundesteuer', exact: true }) });
    assert.match(await result.innerText(), new RegExp(`${HUNDESTEUER} · .*\\nOnline-Verfahren Ihrer Behörde: 1`));

    await navigate(page, () => result.getByRole('link').click());
    assert.equal(new URL(page.url()).pathname, `/verwaltung/leistungen/${HUNDESTEUER}`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Hundesteuer');
    assert.match(await page.locator('main').innerText(), /Noch keine örtlichen Ergänzungen gespeichert\./);

    // Save the local fee text: a confirmation, and version 1 by the editor in the history.
    await page.getByLabel('Gebühren bei Ihrer Behörde').fill(FEES);
    await navigate(page, () => page.getByRole('button', { name: 'Örtliche Ergänzungen speichern' }).click());
    assert.equal(new URL(page.url()).searchParams.get('hinweis'), 'text-gespeichert');
    assert.equal(await page.getByRole('status').innerText(), 'Die örtlichen Ergänzungen wurden gespeichert.');
    assert.equal(await page.getByLabel('Gebühren bei Ihrer Behörde').inputValue(), FEES);
    assert.match(await page.locator('main').innerText(), /Sie bearbeiten Version 1\./);
    const history = page.getByRole('table', { name: 'Versionen' });
    assert.equal(await history.locator('tbody > tr').count(), 1);
    assert.match(await history.locator('tbody > tr').innerText(), /^1\s+Maria Redaktion \(München\)\s+.+\s+Gebühren bei Ihrer Behörde/);

    // The public page for München (the editor's link to it) shows the text instead of the state's.
    await navigate(page, () => page.getByRole('link', { name: 'Öffentliche Seite dieser Leistung ansehen' }).click());
    assert.equal(page.url(), server.url(`/leistungen/${HUNDESTEUER}?ags=09162000`));
    assert.equal(await publicFees(page).innerText(), FEES);

    // Linking an online procedure by an http:// address: an error summary whose link moves the focus to the field.
    await visit(page, server, `/verwaltung/leistungen/${HUNDESTEUER}`);
    const procedures = page.getByRole('table', { name: 'Online-Verfahren' });
    assert.equal(await procedures.locator('tbody > tr').count(), 1);
    await page.getByLabel('Name des Verfahrens').fill('Hundesteuer-Portal München');
    await page.getByLabel('Bei einem anderen Anbieter (externe Adresse)').check();
    await page.getByLabel('Adresse des externen Verfahrens').fill('http://hundesteuer.muenchen.example/anmelden');
    await page.getByLabel('Reifegradmodell 2.0 (Stufen 0 bis 7)').check();
    await page.getByLabel('OZG-Reifegrad', { exact: true }).fill('3');
    const response = await navigate(page, () => page.getByRole('button', { name: 'Verfahren verknüpfen' }).click());
    assert.equal(response.status(), 400);
    assert.match(await page.title(), /^Fehler: /);
    const summary = page.locator('.error-summary');
    assert.equal(await summary.getByRole('heading', { level: 2 }).innerText(), 'Es gibt ein Problem');
    const links = summary.getByRole('link');
    assert.deepEqual(await links.allInnerTexts(), ['Geben Sie eine vollständige Adresse ein, die mit https:// beginnt']);
    await waitForFocus(page, 'div.error-summary');
    await links.first().click();
    await waitForFocus(page, '#url');
    const url = page.getByLabel('Adresse des externen Verfahrens');
    assert.equal(await url.inputValue(), 'http://hundesteuer.muenchen.example/anmelden', 'what was typed is kept');
    assert.equal(await url.getAttribute('aria-invalid'), 'true');
    assert.equal(await text(page.locator('#url-error')), 'Fehler: Geben Sie eine vollständige Adresse ein, die mit https:// beginnt');
    assert.match(await url.getAttribute('aria-describedby') ?? '', /\burl-error\b/);
    assert.equal(await page.getByLabel('Name des Verfahrens').inputValue(), 'Hundesteuer-Portal München');
    assert.equal(await procedures.locator('tbody > tr').count(), 1, 'nothing was linked');
    // The saved text is untouched by the failed procedure form.
    assert.equal(await page.getByLabel('Gebühren bei Ihrer Behörde').inputValue(), FEES);
  } finally {
    await closeContext(context);
  }

  // A visitor (not logged in) sees the text too, on the page for München only.
  const visitorContext = await newContext(browser);
  try {
    const page = await newPage(visitorContext);
    await visit(page, server, `/leistungen/${HUNDESTEUER}?ags=09162000`);
    assert.match(await page.locator('.context').innerText(), /^Angezeigt für: München\./);
    assert.equal(await publicFees(page).innerText(), FEES);
    assert.equal(await authorityBlock(page).locator('strong').innerText(), 'Landeshauptstadt München');
    await visit(page, server, `/leistungen/${HUNDESTEUER}?ags=09463000`);
    assert.match(await page.locator('.context').innerText(), /^Angezeigt für: Coburg\./);
    assert.equal(await publicFees(page).innerText(), 'Nach der Hundesteuersatzung der Gemeinde.', 'Coburg shows the state\'s text');
  } finally {
    await closeContext(visitorContext);
  }
});

test('the ministry confirms Coburg\'s Digitales Amt award, and the public list then shows it confirmed', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    // Before: awarded, not yet confirmed.
    await visit(page, server, '/digitales-amt');
    const publicList = page.getByRole('table', { name: /Auszeichnung „Digitales Amt“/ });
    assert.match(await publicList.getByRole('row', { name: /Coburg/ }).innerText(), /\sNoch nicht$/);

    await logIn(page, MINISTRY_EMAIL, 'Max Ministerium');
    await navigate(page, () => page.getByRole('link', { name: 'Auszeichnung „Digitales Amt“ bestätigen' }).click());
    assert.equal(new URL(page.url()).pathname, '/verwaltung/digitales-amt');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Auszeichnung „Digitales Amt“ bestätigen');
    const pending = page.getByRole('table', { name: 'Zu bestätigen' });
    assert.deepEqual(await pending.locator('tbody th[scope="row"]').allInnerTexts(), ['München', 'Coburg']);
    assert.match(await page.locator('main').innerText(), /Noch keine Auszeichnung ist bestätigt\./);

    await navigate(page, () => pending.getByRole('button', { name: 'Coburg bestätigen' }).click());
    assert.equal(new URL(page.url()).pathname, '/verwaltung/digitales-amt');
    assert.equal(await page.getByRole('status').innerText(), 'Die Auszeichnung für Coburg ist bestätigt.');
    assert.deepEqual(await pending.locator('tbody th[scope="row"]').allInnerTexts(), ['München'], 'only München is left to confirm');
    const confirmed = page.getByRole('table', { name: 'Bestätigt' });
    assert.equal(await confirmed.locator('tbody > tr').count(), 1);
    assert.match(await confirmed.locator('tbody > tr').innerText(), /^Coburg\s+50\s+.+\s+Max Ministerium\s+Öffentlich gelistet$/);

    await navigate(page, () => page.getByRole('link', { name: 'Öffentliche Liste ansehen' }).click());
    assert.equal(new URL(page.url()).pathname, '/digitales-amt');
    assert.match(await publicList.getByRole('row', { name: /Coburg/ }).innerText(), /\sJa, am \d{1,2}\. \S+ \d{4}$/);
    assert.match(await publicList.getByRole('row', { name: /München/ }).innerText(), /\sNoch nicht$/);
  } finally {
    await closeContext(context);
  }
});

test('Landratsamt Coburg makes a new state authority responsible for Wohnsitz Anmeldung in Rödental; the finder names it', async () => {
  const AUTHORITY = 'Staatliche Meldestelle Rödental';
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await logIn(page, DISTRICT_ADMIN_EMAIL, 'Lukas Landratsamt (Landkreis Coburg)');
    await navigate(page, () => page.getByRole('link', { name: 'Abweichende Zuständigkeiten für Leistungen pflegen' }).click());
    assert.equal(new URL(page.url()).pathname, '/verwaltung/zustaendigkeiten');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Zuständigkeiten');
    assert.equal(await page.locator('.context').innerText(), 'Sie pflegen Zuständigkeiten für das Gebiet von: Landratsamt Coburg.');
    assert.match(await page.locator('main').innerText(), /Für Ihr Gebiet sind keine abweichenden Zuständigkeiten eingetragen\./);

    // Before: the finder names the town itself, by the general rule.
    await navigate(page, () => page.getByRole('link', { name: 'Zuständigkeit prüfen: Was zeigt der Zuständigkeitsfinder?' }).click());
    await checkResponsibility(page, WOHNSITZ_ANMELDUNG, ROEDENTAL);
    let answer = page.getByRole('region', { name: 'Wohnsitz Anmeldung in Rödental' });
    assert.equal(await answer.locator('.answer-authority').innerText(), 'Stadt Rödental');
    assert.equal(await answer.locator('.answer-basis').innerText(), 'Allgemeine Regel für diese Leistungsart');

    // The form: a new state authority, first without its name.
    await navigate(page, () => page.getByRole('navigation', { name: 'Sie sind hier' }).getByRole('link', { name: 'Zuständigkeiten' }).click());
    await navigate(page, () => page.getByRole('link', { name: 'Abweichende Zuständigkeit eintragen' }).click());
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Abweichende Zuständigkeit eintragen');
    await page.getByLabel('LeiKa-Schlüssel der Leistung').fill(WOHNSITZ_ANMELDUNG);
    assert.equal(await page.getByRole('radio', { name: 'Gemeinde', exact: true }).isChecked(), true, 'a municipality is the default');
    await page.getByLabel('Schlüssel oder Name des Gebiets').fill(ROEDENTAL);
    await page.getByRole('radio', { name: 'Eine neue staatliche Behörde (Angaben unten)' }).check();
    const submit = page.getByRole('button', { name: 'Zuständigkeit eintragen' });
    let response = await navigate(page, () => submit.click());
    assert.equal(response.status(), 400);
    const links = page.locator('.error-summary').getByRole('link');
    assert.deepEqual(await links.allInnerTexts(), ['Geben Sie den Namen der neuen Behörde ein']);
    await waitForFocus(page, 'div.error-summary');
    await links.first().click();
    await waitForFocus(page, '#authorityName');
    assert.equal(await text(page.locator('#authorityName-error')), 'Fehler: Geben Sie den Namen der neuen Behörde ein');
    // What was entered is kept.
    assert.equal(await page.getByLabel('LeiKa-Schlüssel der Leistung').inputValue(), WOHNSITZ_ANMELDUNG);
    assert.equal(await page.getByLabel('Schlüssel oder Name des Gebiets').inputValue(), ROEDENTAL);
    assert.equal(await page.getByRole('radio', { name: 'Eine neue staatliche Behörde (Angaben unten)' }).isChecked(), true);

    await page.getByLabel('Name der Behörde').fill(AUTHORITY);
    await page.getByLabel('Straße und Hausnummer').fill('Bürgerplatz 1');
    await page.getByLabel('Postleitzahl').fill('96472');
    await page.getByLabel('Ort').fill('Rödental');
    await page.getByLabel('Telefon').fill('09563 96-0');
    response = await navigate(page, () => submit.click());
    assert.equal(response.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/verwaltung/zustaendigkeiten');
    assert.equal(await page.getByRole('status').innerText(), 'Die abweichende Zuständigkeit ist eingetragen.');
    const rows = page.getByRole('table', { name: 'Abweichende Zuständigkeiten' }).locator('tbody > tr');
    assert.equal(await rows.count(), 1);
    assert.match(await rows.innerText(), new RegExp(`^Wohnsitz Anmeldung\\s+${WOHNSITZ_ANMELDUNG}\\s+Gemeinde Rödental \\(${ROEDENTAL}\\)\\s+${AUTHORITY}\\s+state:`));

    // After: the check form names the new authority, on the basis of the override.
    await navigate(page, () => page.getByRole('link', { name: 'Zuständigkeit prüfen: Was zeigt der Zuständigkeitsfinder?' }).click());
    await checkResponsibility(page, WOHNSITZ_ANMELDUNG, ROEDENTAL);
    answer = page.getByRole('region', { name: 'Wohnsitz Anmeldung in Rödental' });
    assert.equal(await answer.locator('.answer-authority').innerText(), AUTHORITY);
    assert.equal(await answer.locator('.answer-basis').innerText(), 'Abweichende Zuständigkeit für dieses Gebiet');
    assert.match(await answer.innerText(), /Bürgerplatz 1, 96472 Rödental/);

    // And so does the public service page for Rödental, with the address.
    await navigate(page, () => answer.getByRole('link', { name: 'Öffentliche Leistungsseite für diese Gemeinde ansehen' }).click());
    assert.equal(page.url(), server.url(`/leistungen/${WOHNSITZ_ANMELDUNG}?ags=${ROEDENTAL}`));
    assert.match(await page.locator('.context').innerText(), /^Angezeigt für: Rödental\./);
    const authority = authorityBlock(page);
    assert.equal(await authority.locator('strong').innerText(), AUTHORITY);
    assert.match((await authority.locator('address').innerText()).replace(/\s+/g, ' '), /Bürgerplatz 1 96472 Rödental Telefon: 09563 96-0/);

    // Only in Rödental: the neighbouring Neustadt b.Coburg keeps its own registration office.
    await visit(page, server, `/leistungen/${WOHNSITZ_ANMELDUNG}?ags=09473151`);
    assert.match(await page.locator('.context').innerText(), /^Angezeigt für: Neustadt b\.Coburg\./);
    assert.equal(await authorityBlock(page).locator('strong').innerText(), 'Stadt Neustadt b.Coburg');
  } finally {
    await closeContext(context);
  }
});

/** Fills in the check form ("Zuständigkeit prüfen") and sends it. */
async function checkResponsibility(page: Page, leikaKey: string, ags: string) {
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Zuständigkeit prüfen');
  await page.getByLabel('LeiKa-Schlüssel der Leistung').fill(leikaKey);
  await page.getByLabel('Amtlicher Gemeindeschlüssel').fill(ags);
  await navigate(page, () => page.getByRole('button', { name: 'Prüfen', exact: true }).click());
  assert.equal(new URL(page.url()).pathname, '/verwaltung/zustaendigkeiten/pruefen');
}
