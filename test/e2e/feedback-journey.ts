/**
 * The accessibility feedback journey as a visitor goes through it: from the footer link to the
 * form, an empty submission, a half-filled one, a correct one, and the thank-you page with its
 * reference. Shared by the JavaScript, no-JavaScript and staff tests.
 */
import assert from 'node:assert/strict';
import { focusedElement, navigate, visit, waitForFocus, type Locator, type Page, type TestServer } from './browser.ts';

/** The text of an element as assistive technology gets it (hidden-but-read spans included), whitespace collapsed. */
async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

export const REFERENCE = /^BF-[2-9A-Z]{4}-[2-9A-Z]{4}$/;

export interface FeedbackInput {
  message: string;
  name: string;
  pageUrl: string;
  /** Leave out to send no e-mail address. */
  email?: string;
}

/** Goes through the feedback form (with one empty and one incomplete submission first); returns the reference shown. */
export async function reportBarrier(page: Page, server: TestServer, input: FeedbackInput, { javaScript }: { javaScript: boolean }): Promise<string> {
  await visit(page, server, '/');
  await navigate(page, () => page.getByRole('contentinfo').getByRole('link', { name: 'Barriere melden' }).click());
  assert.equal(new URL(page.url()).pathname, '/barrierefreiheit/feedback');
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Barriere melden');
  assert.equal(await page.locator('.error-summary').count(), 0, 'no error summary before the first submission');
  const submit = page.getByRole('button', { name: 'Rückmeldung senden' });

  // 1. Submitted empty: an error summary names what is missing and links to each field.
  let response = await navigate(page, () => submit.click());
  assert.equal(response.status(), 400);
  assert.match(await page.title(), /^Fehler: Barriere melden/);
  const summary = page.locator('.error-summary');
  assert.ok(await summary.isVisible(), 'the error summary is visible');
  assert.equal(await summary.getByRole('heading', { level: 2 }).innerText(), 'Es gibt ein Problem');
  const links = summary.getByRole('link');
  assert.deepEqual(await links.allInnerTexts(), ['Wählen Sie aus, worum es geht', 'Geben Sie Ihre Nachricht ein']);
  assert.deepEqual(await links.evaluateAll((as) => as.map((a) => a.getAttribute('href'))), ['#category', '#message']);
  if (javaScript) {
    // app.js moves focus to the summary, so that screen readers announce it.
    await waitForFocus(page, 'div.error-summary');
  } else {
    // Without JavaScript nothing moves the focus (which also proves that the page really runs without it).
    assert.equal(await focusedElement(page), 'body');
  }
  // Each field says what is wrong with it, next to it, and is described by that message.
  // (The "Fehler:" prefix is visually hidden: read out by screen readers, not shown.)
  assert.equal(await text(page.locator('#message-error')), 'Fehler: Geben Sie Ihre Nachricht ein');
  assert.equal(await page.getByLabel('Ihre Nachricht').getAttribute('aria-invalid'), 'true');
  assert.match(await page.getByLabel('Ihre Nachricht').getAttribute('aria-describedby') ?? '', /\bmessage-error\b/);
  assert.equal(await text(page.locator('#category-error')), 'Fehler: Wählen Sie aus, worum es geht');

  // The first link in the summary takes the keyboard focus to its field (the first radio button).
  await links.first().click();
  await waitForFocus(page, '#category');
  assert.equal(await page.locator('#category').getAttribute('type'), 'radio');
  // The second link takes it to the message.
  await links.nth(1).click();
  await waitForFocus(page, '#message');

  // 2. Half filled in: what was typed is kept, only what is still wrong is reported.
  await page.getByLabel('Ihre Nachricht').fill('Zu kurz');
  await page.getByLabel('Auf welcher Seite?').fill(input.pageUrl);
  await page.getByLabel('Ihr Name').fill(input.name);
  if (input.email) await page.getByLabel('Ihre E-Mail-Adresse').fill(input.email);
  response = await navigate(page, () => submit.click());
  assert.equal(response.status(), 400);
  assert.deepEqual(await page.locator('.error-summary a').allInnerTexts(),
    ['Wählen Sie aus, worum es geht', 'Die Nachricht muss mindestens 10 Zeichen lang sein']);
  assert.equal(await page.getByLabel('Ihre Nachricht').inputValue(), 'Zu kurz');
  assert.equal(await page.getByLabel('Auf welcher Seite?').inputValue(), input.pageUrl);
  assert.equal(await page.getByLabel('Ihr Name').inputValue(), input.name);
  assert.equal(await page.getByLabel('Ihre E-Mail-Adresse').inputValue(), input.email ?? '');
  assert.equal(await page.getByLabel('Ihr Name').getAttribute('aria-invalid'), null, 'a valid field is not marked invalid');

  // 3. Corrected and sent: the thank-you page shows the reference.
  await page.getByLabel('Etwas ist für mich nicht zugänglich').check();
  await page.getByLabel('Ihre Nachricht').fill(input.message);
  response = await navigate(page, () => submit.click());
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/barrierefreiheit/feedback/danke');
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Vielen Dank für Ihre Rückmeldung');
  const reference = (await page.locator('.reference').innerText()).trim();
  assert.match(reference, REFERENCE);
  assert.match(await page.locator('.panel--confirmation').innerText(), new RegExp(`Ihre Referenz:\\s*${reference}`));
  assert.equal(new URL(page.url()).searchParams.get('ref'), reference);
  return reference;
}
