/**
 * Conditional questions of an application step in Chromium, axe-core on every page visited, with the
 * Hundesteuer's list dog (a question inside a repeating group: its category and the permit appear
 * only for a listed breed):
 * - with JavaScript the questions appear and disappear as the answer changes, without a page load,
 *   announced politely, the focus left where it was, the keyboard order natural, required as the
 *   server says; continuing with them unanswered reports them as missing;
 * - without JavaScript the step is posted and shown again with the new questions listed, as before.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { renderPdf } from '../../src/platform/pdf/index.ts';
import {
  checkAccessibility, closeContext, continueButton, heading, launchBrowser, logInCitizenWithDemoOidc, navigate, newContext,
  newPage, startServer, waitForFocus, type Browser, type Page, type TestServer,
} from './browser.ts';

let server: TestServer;
let browser: Browser;
before(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
after(async () => { await browser?.close(); await server?.close(); });

const category = (page: Page) => page.locator('[data-condition="f.hunde.0.kategorie"]');
const permit = (page: Page) => page.locator('[data-condition="f.hunde.0.erlaubnis"]');
const listDog = (page: Page, answer: 'yes' | 'no') => page.locator(`input[name="f.hunde.0.listenhund"][value="${answer}"]`);

/** Logs in, starts the Hundesteuer, answers the holder's step and the dog's details except "list dog?". */
async function startAtDogs(page: Page, person: string): Promise<string> {
  await logInCitizenWithDemoOidc(page, server, person, 'substantiell', '/leistungen/99102013000000?ags=09463000');
  await navigate(page, () => page.getByRole('link', { name: /Hund zur Hundesteuer anmelden/ }).click());
  await navigate(page, () => page.getByRole('button', { name: 'Antrag beginnen' }).click());
  await page.locator('[name="f.anschrift.postcode"]').fill('96450');
  await page.locator('[name="f.anschrift.city"]').fill('Coburg');
  await navigate(page, () => continueButton(page).click());
  assert.equal(await heading(page), 'Hunde');
  await page.locator('[name="f.hunde.0.hund_name"]').fill('Bello');
  await page.locator('[name="f.hunde.0.rasse"]').fill('American Staffordshire Terrier');
  await page.locator('input[name="f.hunde.0.hund_geschlecht"][value="ruede"]').check();
  await page.locator('[name="f.hunde.0.wurfdatum"]').fill('01.03.2024');
  await page.locator('[name="f.hunde.0.gehalten_seit"]').fill('01.06.2024');
  const id = /^\/antraege\/([0-9a-f-]{36})\//.exec(new URL(page.url()).pathname)?.[1];
  assert.ok(id, page.url());
  return id;
}

async function storedDog(applicationId: string): Promise<Record<string, unknown>> {
  const row = await server.app.database.db.selectFrom('applications').select('answers_enc').where('id', '=', applicationId).executeTakeFirstOrThrow();
  return (JSON.parse(server.app.cipher.decrypt(row.answers_enc)) as { hunde: Record<string, unknown>[] }).hunde[0]!;
}

test('with JavaScript, a list dog\'s questions appear and disappear as the answer changes, without a page load', { timeout: 120_000 }, async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    const applicationId = await startAtDogs(page, 'Manfred Schmidt (U02, 1969-02-11)');
    assert.equal(await category(page).isVisible(), false, 'asked only for a list dog');
    assert.equal(await permit(page).isVisible(), false);
    // A mark on the document: a page load would lose it.
    await page.evaluate(() => { (window as unknown as { stillTheSamePage: boolean }).stillTheSamePage = true; });
    const samePage = () => page.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage === true);
    const status = page.locator('[data-conditions-status]');

    await listDog(page, 'yes').check();
    await category(page).waitFor({ state: 'visible' });
    await permit(page).waitFor({ state: 'visible' });
    assert.ok(await samePage(), 'shown without a page load');
    await status.filter({ hasText: 'Durch Ihre Antwort sind weitere Fragen hinzugekommen.' }).waitFor({ state: 'attached' });
    await waitForFocus(page, '#f.hunde.0.listenhund');
    // As the server renders a required question: labelled, without "(optional)", aria-required, sent with the form.
    assert.equal(await category(page).locator('legend').innerText(), 'Kategorie');
    assert.equal(await page.getByLabel('Erlaubnis nach Art. 37 LStVG oder Negativzeugnis').getAttribute('aria-required'), 'true');
    assert.ok(await page.locator('[name="f.hunde.0.erlaubnis"]').isEnabled());
    await checkAccessibility(page);
    // The keyboard goes from the answer straight to the question it revealed.
    await page.keyboard.press('Tab');
    await waitForFocus(page, '#f.hunde.0.kategorie');

    await listDog(page, 'no').check();
    await category(page).waitFor({ state: 'hidden' });
    await permit(page).waitFor({ state: 'hidden' });
    assert.ok(await samePage(), 'hidden without a page load');
    await status.filter({ hasText: 'nicht mehr nötig' }).waitFor({ state: 'attached' });
    assert.equal(await page.locator('[name="f.hunde.0.erlaubnis"]').isEnabled(), false, 'a hidden question is not sent');
    await checkAccessibility(page);

    // Changed back and forth at once: the page follows the last answer.
    await listDog(page, 'yes').check();
    await listDog(page, 'no').check();
    await page.locator('input[name="_live"][value="1"]').waitFor({ state: 'attached' });
    assert.equal(await category(page).isVisible(), false);

    // Shown and left unanswered: continuing reports them as missing (they were seen, so they are not new).
    await listDog(page, 'yes').check();
    await permit(page).waitFor({ state: 'visible' });
    await page.locator('input[name="_live"][value="1"]').waitFor({ state: 'attached' });
    const response = await navigate(page, () => continueButton(page).click());
    assert.equal(response.status(), 400);
    assert.deepEqual(await page.locator('.error-summary a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))), ['#f.hunde.0.kategorie', '#f.hunde.0.erlaubnis']);
    assert.equal(await page.getByRole('status').filter({ hasText: 'Bitte beantworten Sie auch diese Fragen' }).count(), 0);

    // Not a list dog after all: the questions go, and the step continues.
    await listDog(page, 'no').check();
    await category(page).waitFor({ state: 'hidden' });
    await navigate(page, () => continueButton(page).click());
    assert.equal(await heading(page), 'Ermäßigung');
    const dog = await storedDog(applicationId);
    assert.equal(dog.listenhund, false);
    assert.ok(!('kategorie' in dog), 'nothing of the hidden questions is stored');
  } finally {
    await closeContext(context);
  }
});

test('without JavaScript, the questions a list dog needs are asked after posting the step, as before', { timeout: 120_000 }, async () => {
  const context = await newContext(browser, { javaScriptEnabled: false });
  try {
    const page = await newPage(context);
    const applicationId = await startAtDogs(page, 'Manfred Schmidt (U02, 1969-02-11)');
    assert.equal(await category(page).isVisible(), false, 'asked only for a list dog');
    assert.equal(await page.locator('input[name="_live"]').count(), 0);
    await listDog(page, 'yes').check();
    assert.equal(await category(page).isVisible(), false, 'nothing changes before the step is posted');

    const response = await navigate(page, () => continueButton(page).click());
    assert.equal(response.status(), 200);
    assert.equal(await heading(page), 'Hunde', 'the step is shown again with the new questions');
    const panel = page.getByRole('status').filter({ hasText: 'Bitte beantworten Sie auch diese Fragen' });
    assert.deepEqual(await panel.locator('a').allInnerTexts(), ['Kategorie', 'Erlaubnis nach Art. 37 LStVG oder Negativzeugnis']);
    assert.equal(await page.locator('.error-summary').count(), 0);
    assert.ok(await category(page).isVisible());
    assert.ok(await permit(page).isVisible());

    await page.getByLabel(/^Kategorie 2/).check();
    const pdf = await renderPdf({ title: 'Negativzeugnis', author: 'Test', blocks: [{ kind: 'paragraph', text: 'Bello zeigt keine gesteigerte Aggressivität.' }] });
    await page.getByLabel('Erlaubnis nach Art. 37 LStVG oder Negativzeugnis').setInputFiles({ name: 'negativzeugnis.pdf', mimeType: 'application/pdf', buffer: Buffer.from(pdf) });
    await navigate(page, () => continueButton(page).click());
    assert.equal(await heading(page), 'Ermäßigung');
    const dog = await storedDog(applicationId);
    assert.equal(dog.kategorie, '2');
    assert.equal((dog.erlaubnis as unknown[]).length, 1);
  } finally {
    await closeContext(context);
  }
});
