/**
 * Citizen journeys in Chromium with axe-core on every page: login through the demo identity
 * provider (OpenID Connect side), the account page with a refused and an accepted contact e-mail,
 * the data export page, the business account page, and the deletion of the account; the staff
 * login's link to the authority login.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeContext, launchBrowser, navigate, newContext, newPage, startServer, visit, type Browser, type Page, type TestServer } from './browser.ts';

let server: TestServer;
let browser: Browser;
before(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
after(async () => { await browser?.close(); await server?.close(); });

/** From /anmelden through the demo identity provider's picker back to the portal. */
async function logIn(page: Page, person: string, level: string, organisation?: string) {
  await visit(page, server, '/anmelden');
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Anmelden');
  await navigate(page, () => page.getByRole('button', { name: 'Mit BundID über OpenID Connect anmelden' }).click());
  assert.match(new URL(page.url()).pathname, /^\/demo-idp\/oidc-anmeldung\//);
  assert.match(await page.locator('.demo-idp-banner').innerText(), /Testdienst/);
  await page.getByLabel(person).check();
  await page.getByLabel(level, { exact: true }).check();
  if (organisation) await page.getByLabel(organisation).check();
  return navigate(page, () => page.getByRole('button', { name: 'Anmelden' }).click());
}

test('a citizen logs in, keeps contact data, views her data, and deletes her account', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await logIn(page, 'Maria Neumann (U01, 1964-08-12)', 'substantiell');
    assert.equal(new URL(page.url()).pathname, '/konto');
    assert.match(await page.locator('main').innerText(), /Vertrauensniveau „substantiell“/);

    // A wrong e-mail address: error summary, field message, value kept.
    await page.getByLabel('Neue Kontakt-E-Mail-Adresse').fill('maria-at-example');
    let response = await navigate(page, () => page.getByRole('button', { name: 'Bestätigungslink senden' }).click());
    assert.equal(response.status(), 400);
    assert.deepEqual(await page.locator('.error-summary a').allInnerTexts(), ['Geben Sie eine E-Mail-Adresse im Format name@beispiel.de ein']);
    assert.equal(await page.getByLabel('Neue Kontakt-E-Mail-Adresse').inputValue(), 'maria-at-example');
    await page.getByLabel('Neue Kontakt-E-Mail-Adresse').fill('maria@example.org');
    response = await navigate(page, () => page.getByRole('button', { name: 'Bestätigungslink senden' }).click());
    assert.equal(response.status(), 200);
    assert.match(await page.getByRole('status').innerText(), /Bestätigungslink geschickt/);

    // The data export as a page.
    await navigate(page, () => page.getByRole('link', { name: 'Meine Daten ansehen' }).click());
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Meine Daten');
    const text = await page.locator('main').innerText();
    assert.match(text, /Neumann/);
    assert.match(text, /maria@example\.org/, 'the pending address is part of the export');
    assert.match(text, /citizen\.login/);

    // An access key for an app: a name is needed, the key is shown once, then listed and revoked.
    await visit(page, server, '/konto');
    await navigate(page, () => page.getByRole('link', { name: 'Zugang für Apps' }).click());
    response = await navigate(page, () => page.getByRole('button', { name: 'Zugangsschlüssel erstellen' }).click());
    assert.equal(response.status(), 400);
    await page.getByLabel('Bezeichnung').fill('Telefon');
    response = await navigate(page, () => page.getByRole('button', { name: 'Zugangsschlüssel erstellen' }).click());
    assert.equal(response.status(), 201);
    assert.match(await page.locator('code.secret').innerText(), /^da_[A-Za-z0-9_-]{43}$/);
    await navigate(page, () => page.getByRole('button', { name: 'Widerrufen Telefon' }).click());
    assert.match(await page.locator('main').innerText(), /keine gültigen Zugangsschlüssel/);

    // Deletion: explained, refused without confirmation, then done.
    await visit(page, server, '/konto');
    await navigate(page, () => page.getByRole('link', { name: 'Konto löschen …' }).click());
    assert.match(await page.locator('main').innerText(), /Aufbewahrungsfrist/);
    response = await navigate(page, () => page.getByRole('button', { name: 'Konto endgültig löschen' }).click());
    assert.equal(response.status(), 400);
    await page.getByLabel('Ja, ich möchte mein Konto endgültig löschen.').check();
    await navigate(page, () => page.getByRole('button', { name: 'Konto endgültig löschen' }).click());
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Ihr Konto wurde gelöscht');
    response = await visit(page, server, '/konto');
    assert.equal(new URL(page.url()).pathname, '/anmelden', 'logged out');
  } finally {
    await closeContext(context);
  }
});

test('a business account: logged in for an organisation, its page with members and the invitation form', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await logIn(page, 'Manfred Schmidt (U02, 1969-02-11)', 'hoch', 'Schreinerei Holzwurm e. K. (fiktiv) (ORG-DEMO-0002)');
    assert.match(await page.locator('main').innerText(), /Sie handeln für: Schreinerei Holzwurm/);
    await navigate(page, () => page.getByRole('link', { name: /Unternehmenskonto Schreinerei Holzwurm/ }).click());
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Schreinerei Holzwurm e. K. (fiktiv)');
    await page.getByLabel('E-Mail-Adresse der Person').fill('kollegin@example.org');
    await navigate(page, () => page.getByRole('button', { name: 'Einladung senden' }).click());
    assert.match(await page.getByRole('status').innerText(), /Einladung ist verschickt/);
    // Logout: the demo provider asks whether to end its session too, then back to the portal.
    await visit(page, server, '/konto');
    await navigate(page, () => page.locator('main').getByRole('button', { name: 'Abmelden' }).click());
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Auch beim Test-Anmeldedienst abmelden?');
    await navigate(page, () => page.getByRole('button', { name: 'Ja, abmelden' }).click());
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Sie sind abgemeldet');
    assert.equal(new URL(page.url()).pathname, '/abgemeldet/anmeldedienst');
  } finally {
    await closeContext(context);
  }
});

test('the staff login links to the authority login, which lists the authorities that set it up', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await visit(page, server, '/verwaltung/anmelden');
    await navigate(page, () => page.getByRole('link', { name: 'Mit Behörden-Login anmelden' }).click());
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Mit Behörden-Login anmelden');
    assert.match(await page.locator('main').innerText(), /Keine Behörde hat bisher/);
  } finally {
    await closeContext(context);
  }
});
