/**
 * Staff: the platform operator logs in (after a wrong password), finds the acknowledgement mail a
 * visitor was sent for their feedback (delivered by the in-process worker) and the feedback
 * itself, and logs out; a caseworker does not get the operator's pages.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CASEWORKER_EMAIL, closeContext, DEMO_PASSWORD, launchBrowser, navigate, newContext, newPage, OPERATOR_EMAIL, reloadUntil,
  startServer, visit, type Browser, type Page, type TestServer,
} from './browser.ts';
import { reportBarrier } from './feedback-journey.ts';

let server: TestServer;
let browser: Browser;
before(async () => {
  [server, browser] = await Promise.all([startServer({ RUN_WORKER: 'true', WORKER_POLL_MS: '100' }), launchBrowser()]);
});
after(async () => { await browser?.close(); await server?.close(); });

const VISITOR_EMAIL = 'erika.mustermann@example.org';
const FEEDBACK_MESSAGE = 'Die Tabelle auf der Gemeindeseite wird vom Screenreader nicht vorgelesen.';

/** Fills in the staff login form and sends it. */
async function logIn(page: Page, email: string, password: string) {
  await page.getByLabel('Dienstliche E-Mail-Adresse').fill(email);
  await page.getByLabel('Passwort').fill(password);
  return navigate(page, () => page.getByRole('button', { name: 'Anmelden' }).click());
}

test('the operator logs in, sees the acknowledgement mail and the feedback a visitor sent, and logs out', async () => {
  // A visitor reports a barrier and leaves an e-mail address.
  const visitorContext = await newContext(browser);
  let reference: string;
  try {
    reference = await reportBarrier(await newPage(visitorContext), server, {
      message: FEEDBACK_MESSAGE, name: 'Erika Mustermann', pageUrl: '/gemeinden/09463000', email: VISITOR_EMAIL,
    }, { javaScript: true });
  } finally {
    await closeContext(visitorContext);
  }

  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await visit(page, server, '/');
    await navigate(page, () => page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Anmeldung Verwaltung' }).click());
    assert.equal(new URL(page.url()).pathname, '/verwaltung/anmelden');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Anmeldung für die Verwaltung');

    // Wrong password: an error, the address is kept, the password is not.
    let response = await logIn(page, OPERATOR_EMAIL, 'falsches-Passwort-123');
    assert.equal(response.status(), 400);
    assert.equal(new URL(page.url()).pathname, '/verwaltung/anmelden');
    assert.deepEqual(await page.locator('.error-summary a').allInnerTexts(), ['E-Mail-Adresse oder Passwort sind nicht richtig']);
    await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
    assert.equal(await page.getByLabel('Dienstliche E-Mail-Adresse').inputValue(), OPERATOR_EMAIL);
    assert.equal(await page.getByLabel('Passwort').inputValue(), '');
    assert.equal(await page.getByRole('link', { name: 'Verwaltung', exact: true }).count(), 0, 'not logged in');

    // Right password: the staff home.
    response = await logIn(page, OPERATOR_EMAIL, DEMO_PASSWORD);
    assert.equal(response.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/verwaltung');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Verwaltung');
    assert.match(await page.locator('main').innerText(), /Angemeldet als Demo Betrieb\./);
    // The header now leads to the staff area instead of the login.
    const nav = page.getByRole('navigation', { name: 'Hauptnavigation' });
    assert.equal(await nav.getByRole('link', { name: 'Verwaltung', exact: true }).count(), 1);
    assert.equal(await nav.getByRole('link', { name: 'Anmeldung Verwaltung' }).count(), 0);

    // The captured mail: wait (reloading, at most 10 s) until the worker has delivered it.
    await navigate(page, () => page.getByRole('link', { name: 'Versandte E-Mails (Demo)' }).click());
    assert.equal(new URL(page.url()).pathname, '/betrieb/mails');
    const row = page.getByRole('row').filter({ hasText: VISITOR_EMAIL });
    await reloadUntil(page, async () => (await row.count()) === 1 && /aufbewahrt \(Demo\)/.test(await row.innerText()), 10_000,
      `the acknowledgement mail to ${VISITOR_EMAIL} to be delivered`);
    const subject = row.getByRole('link');
    assert.equal(await subject.innerText(), `Ihre Rückmeldung zur Barrierefreiheit (${reference})`);
    await navigate(page, () => subject.click());
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), `Ihre Rückmeldung zur Barrierefreiheit (${reference})`);
    const mailText = await page.locator('pre.mail-text').first().innerText();
    assert.match(mailText, new RegExp(`Ihre Referenz lautet ${reference}\\.`));
    assert.ok(!mailText.includes(FEEDBACK_MESSAGE), 'the mail does not repeat what was written');

    // The feedback itself, decrypted for the operator.
    await visit(page, server, '/betrieb/rueckmeldungen');
    const item = page.locator('article').filter({ hasText: reference });
    assert.equal(await item.count(), 1);
    assert.match(await item.innerText(), new RegExp(FEEDBACK_MESSAGE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.match(await item.innerText(), new RegExp(VISITOR_EMAIL.replaceAll('.', '\\.')));

    // Log out: back on the start page, and the operator's pages need a login again.
    await visit(page, server, '/verwaltung');
    response = await navigate(page, () => page.getByRole('button', { name: 'Abmelden' }).click());
    assert.equal(page.url(), server.url('/'));
    assert.equal(await page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Anmeldung Verwaltung' }).count(), 1);
    await visit(page, server, '/betrieb/mails');
    assert.equal(new URL(page.url()).pathname, '/verwaltung/anmelden');
    assert.equal(new URL(page.url()).searchParams.get('weiter'), '/betrieb/mails');
    assert.equal(await page.getByRole('cell', { name: VISITOR_EMAIL }).count(), 0);
  } finally {
    await closeContext(context);
  }
});

test('a caseworker who opens the operator\'s mail page gets "page not found"', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    // Not logged in: sent to the login, which brings them back to the page afterwards.
    await visit(page, server, '/betrieb/mails');
    assert.equal(new URL(page.url()).pathname, '/verwaltung/anmelden');
    const response = await logIn(page, CASEWORKER_EMAIL, DEMO_PASSWORD);
    assert.equal(response.status(), 404);
    assert.equal(new URL(page.url()).pathname, '/betrieb/mails');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Seite nicht gefunden');
    assert.equal(await page.getByRole('table').count(), 0, 'no mail is shown');
    // Logged in all the same: the staff area is there, without the operator's links.
    await visit(page, server, '/verwaltung');
    assert.match(await page.locator('main').innerText(), /Angemeldet als Sabine Sachbearbeiterin \(Coburg\)\./);
    assert.equal(await page.getByRole('link', { name: 'Versandte E-Mails (Demo)' }).count(), 0);
    await visit(page, server, '/betrieb/rueckmeldungen', 404);
    await visit(page, server, '/betrieb/mails', 404);
  } finally {
    await closeContext(context);
  }
});
