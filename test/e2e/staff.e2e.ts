/**
 * Staff: the platform operator logs in (after a wrong password, then with the code of the
 * authenticator app), finds the acknowledgement mail a visitor was sent for their feedback
 * (delivered by the in-process worker) and the feedback itself, and logs out; a caseworker does not
 * get the operator's pages; a new staff member sets up the second factor at the first login.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CASEWORKER_EMAIL, closeContext, DEMO_PASSWORD, enterTotpCode, launchBrowser, navigate, newContext, newPage, OPERATOR_EMAIL, reloadUntil,
  startServer, visit, type Browser, type Page, type TestServer,
} from './browser.ts';
import { reportBarrier } from './feedback-journey.ts';
import { currentTotpCode } from '../../src/modules/staff/index.ts';
import { addMembership, hashPassword, upsertStaffAccount } from '../../src/modules/staff/index.ts';

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

    // Right password: the second step asks for the code from the authenticator app.
    response = await logIn(page, OPERATOR_EMAIL, DEMO_PASSWORD);
    assert.equal(response.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/verwaltung/anmelden/code');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Bestätigungscode eingeben');
    await page.getByLabel('Code', { exact: true }).fill('000000');
    response = await navigate(page, () => page.getByRole('button', { name: 'Bestätigen' }).click());
    assert.equal(response.status(), 400);
    assert.deepEqual(await page.locator('.error-summary a').allInnerTexts(), ['Der Code ist nicht richtig oder wurde schon verwendet']);
    await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
    response = await enterTotpCode(page, server, OPERATOR_EMAIL);
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
    response = await navigate(page, () => page.getByRole('button', { name: 'Abmelden', exact: true }).click());
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
    await logIn(page, CASEWORKER_EMAIL, DEMO_PASSWORD);
    const response = await enterTotpCode(page, server, CASEWORKER_EMAIL);
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

test('a new staff member sets up the second factor at the first login (QR code or key), keeps the recovery codes, and works for their authority', async () => {
  const { db } = server.app.database;
  const email = 'erste.anmeldung@coburg.demo.digitales-amt.de';
  const id = await upsertStaffAccount(db, { email, displayName: 'Erika Erstanmeldung', passwordHash: await hashPassword(DEMO_PASSWORD) });
  const coburg = (await db.selectFrom('tenants').select('id').where('slug', '=', 'coburg').executeTakeFirstOrThrow()).id;
  const lk = (await db.selectFrom('tenants').select('id').where('slug', '=', 'landkreis-coburg').executeTakeFirstOrThrow()).id;
  await addMembership(db, coburg, id, 'tenant_admin');
  await addMembership(db, lk, id, 'caseworker');
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await visit(page, server, '/verwaltung/anmelden');
    await logIn(page, email, DEMO_PASSWORD);
    assert.equal(new URL(page.url()).pathname, '/verwaltung/anmelden/einrichten');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Zweiten Faktor einrichten');
    const qr = page.getByRole('img', { name: 'QR-Code zum Einrichten der Authenticator-App' });
    assert.ok(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 'the QR code image is shown (CSP allows it)');
    const secret = (await page.locator('#totp-secret').innerText()).replace(/\s+/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);

    // A wrong code: the error, the same key again.
    await page.getByLabel('Code aus der App').fill('123');
    let response = await navigate(page, () => page.getByRole('button', { name: 'Einrichten und anmelden' }).click());
    assert.equal(response.status(), 400);
    await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
    assert.equal((await page.locator('#totp-secret').innerText()).replace(/\s+/g, ''), secret);

    // The code an authenticator app computes from the key.
    await page.getByLabel('Code aus der App').fill(currentTotpCode(secret));
    response = await navigate(page, () => page.getByRole('button', { name: 'Einrichten und anmelden' }).click());
    assert.equal(response.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/verwaltung/anmelden/wiederherstellungscodes');
    assert.equal(await page.getByRole('list', { name: 'Wiederherstellungscodes' }).getByRole('listitem').count(), 10);
    await navigate(page, () => page.getByRole('link', { name: 'Weiter' }).click());
    assert.equal(new URL(page.url()).pathname, '/verwaltung');
    assert.match(await page.locator('main').innerText(), /Sie arbeiten für: Landratsamt Coburg\./);

    // Switch to Coburg in the header, where they administer: the staff page and the network page.
    await page.getByLabel('Behörde', { exact: true }).selectOption({ label: 'Stadt Coburg' });
    await navigate(page, () => page.getByRole('button', { name: 'Wechseln' }).click());
    assert.match(await page.locator('main').innerText(), /Sie arbeiten für: Stadt Coburg\./);
    await navigate(page, () => page.getByRole('link', { name: 'Mitarbeitende' }).click());
    assert.match(await page.getByRole('row').filter({ hasText: 'Erika Erstanmeldung' }).innerText(), /eingerichtet/);
    await visit(page, server, '/verwaltung');
    await navigate(page, () => page.getByRole('link', { name: 'Erlaubte Netzwerke' }).click());
    await page.getByLabel('Netzwerke (CIDR), eines je Zeile').fill('10.0.0.0/8');
    response = await navigate(page, () => page.getByRole('button', { name: 'Speichern' }).click());
    assert.equal(response.status(), 400, 'a list without the own address is refused');
    assert.match(await page.locator('.error-summary').innerText(), /Sie würden sich aussperren/);
    await visit(page, server, '/verwaltung/passwort');
    await visit(page, server, '/verwaltung');
    await navigate(page, () => page.getByRole('button', { name: 'Auf allen Geräten abmelden' }).click());
    assert.equal(new URL(page.url()).pathname, '/verwaltung/anmelden');
    assert.match(await page.locator('.notice').innerText(), /auf allen Geräten abgemeldet/);
  } finally {
    await closeContext(context);
  }
});
