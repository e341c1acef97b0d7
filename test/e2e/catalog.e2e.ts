/**
 * The service catalogue as a citizen uses it: the site search finds a service, the municipality
 * chosen on the service page names the responsible authority and its online procedure, the
 * online filter of the service search, browsing by topic and life event, the Digitales Amt
 * distinction, and the API documentation.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  closeContext, launchBrowser, navigate, newContext, newPage, startServer, visit, type Browser, type Page, type TestServer,
} from './browser.ts';

let server: TestServer;
let browser: Browser;
before(async () => { [server, browser] = await Promise.all([startServer(), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.close(); });

const WOHNSITZ_ANMELDUNG = '99115005104000';

/** The main navigation in the page header. */
function mainNav(page: Page) {
  return page.getByRole('navigation', { name: 'Hauptnavigation' });
}

/** The "Zuständige Stelle" block of a service page (the heading's next sibling). */
function authorityBlock(page: Page) {
  return page.getByRole('heading', { level: 2, name: 'Zuständige Stelle' }).locator('xpath=following-sibling::*[1]');
}

/** The items of the service search's result list, and their count as the status line reports it. */
async function serviceResults(page: Page): Promise<{ total: number; items: string[] }> {
  const status = await page.getByRole('status').innerText();
  const match = /^(\d+) Leistungen gefunden$/.exec(status);
  assert.ok(match, `a result count, got "${status}"`);
  return { total: Number(match[1]), items: await page.locator('ol.result-list > li').allInnerTexts() };
}

test('site search "Wohnsitz ummelden" -> Wohnsitz Anmeldung -> choose Coburg -> Stadt Coburg is responsible and it is online', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await visit(page, server, '/');
    await page.getByLabel('Wonach suchen Sie?').fill('Wohnsitz ummelden');
    await navigate(page, () => page.getByRole('button', { name: 'Suchen', exact: true }).click());
    assert.equal(new URL(page.url()).pathname, '/suche');
    assert.equal(await page.getByRole('heading', { level: 2, name: 'Ergebnisse für „Wohnsitz ummelden“' }).count(), 1);
    assert.equal(await page.getByRole('heading', { level: 3, name: 'Leistungen' }).count(), 1);
    const service = page.locator('.result-list li > a', { hasText: /^Wohnsitz Anmeldung$/ });
    assert.equal(await service.count(), 1, `"Wohnsitz Anmeldung" is among the results: ${(await page.locator('.result-list li > a').allInnerTexts()).join(', ')}`);

    // The service page: without a municipality it asks for one instead of naming an authority.
    await navigate(page, () => service.click());
    assert.equal(new URL(page.url()).pathname, `/leistungen/${WOHNSITZ_ANMELDUNG}`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Wohnsitz Anmeldung');
    assert.match(await page.locator('.context').innerText(), /Sie haben noch keine Gemeinde gewählt\./);
    assert.equal(await page.getByRole('heading', { level: 2, name: 'Online erledigen' }).count(), 0, 'no online offer before a municipality is chosen');
    assert.match(await authorityBlock(page).innerText(), /hängt von Ihrem Wohnort ab/);

    // The finder on the service page leads to a list of municipalities, and from there back to the service.
    await page.getByLabel('Gemeinde oder Postleitzahl').fill('Coburg');
    await navigate(page, () => page.getByRole('button', { name: 'Gemeinde finden' }).click());
    assert.equal(new URL(page.url()).pathname, '/gemeinden');
    assert.equal(new URL(page.url()).searchParams.get('ziel'), `/leistungen/${WOHNSITZ_ANMELDUNG}`);
    await navigate(page, () => page.locator('.result-list li > a', { hasText: /^Coburg$/ }).click());
    assert.equal(new URL(page.url()).pathname, `/leistungen/${WOHNSITZ_ANMELDUNG}`, 'back on the service page');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Wohnsitz Anmeldung');
    assert.match(await page.locator('.context').innerText(), /^Angezeigt für: Coburg\. Andere Gemeinde wählen$/);

    // The responsible authority with its address.
    const authority = authorityBlock(page);
    assert.equal(await authority.locator('strong').innerText(), 'Stadt Coburg');
    const address = (await authority.locator('address').innerText()).replace(/\s+/g, ' ');
    assert.match(address, /Markt 1 96450 Coburg/);
    assert.match(address, /Telefon: 09561 89-0/);
    assert.equal(await authority.getByRole('link', { name: 'buergerservice@coburg.demo.digitales-amt.de' }).getAttribute('href'),
      'mailto:buergerservice@coburg.demo.digitales-amt.de');

    // And the online procedure Coburg offers for it.
    const online = page.getByRole('region', { name: 'Online erledigen' });
    const procedures = online.locator('ul.procedures > li');
    assert.equal(await procedures.count(), 1);
    assert.match(await procedures.innerText(), /^Wohnsitzanmeldung online starten\s+Stadt Coburg · Reifegrad \d \(Modell [12]\)$/);
    // It runs on this portal: the button leads to the application's start page for Coburg.
    assert.match(await procedures.getByRole('link').getAttribute('href') ?? '', /^\/antraege\/neu\/[0-9a-f-]{36}\?ags=09463000$/);
    assert.doesNotMatch(await online.innerText(), /noch nicht online/);
  } finally {
    await closeContext(context);
  }
});

test('the service search: the filter "online in my municipality" narrows the list once a municipality is chosen', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    // Without a municipality the filter says what it needs.
    await visit(page, server, '/leistungen');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Leistungen finden');
    await page.getByText('Suche eingrenzen').click();
    const onlineOnly = page.getByLabel('Nur Leistungen, die in meiner Gemeinde online möglich sind');
    assert.equal(await onlineOnly.getAttribute('id'), 'online');
    assert.equal(await page.locator('#online-hint').innerText(), 'Wählen Sie dafür zuerst Ihre Gemeinde.');

    // Coburg chosen on its page ("Coburg als meine Gemeinde wählen" leads to the service search).
    await visit(page, server, '/gemeinden/09463000');
    await navigate(page, () => page.getByRole('link', { name: 'Coburg als meine Gemeinde wählen' }).click());
    assert.equal(new URL(page.url()).pathname, '/leistungen');
    assert.match(await page.locator('.context').innerText(), /^Angezeigt für: Coburg\./);

    const search = page.getByRole('search', { name: 'Leistungen finden' });
    await search.getByLabel('Was möchten Sie erledigen?').fill('Wohnsitz');
    await navigate(page, () => search.getByRole('button', { name: 'Suchen' }).click());
    assert.equal(await page.getByRole('heading', { level: 2, name: 'Leistungen zu „Wohnsitz“' }).count(), 1);
    const all = await serviceResults(page);
    assert.ok(all.items.some((i) => /nicht online/.test(i)), 'without the filter some services are not online in Coburg');
    assert.ok(all.items.some((i) => /online möglich/.test(i)), 'and some are');

    await page.getByText('Suche eingrenzen').click();
    assert.equal(await onlineOnly.isChecked(), false);
    await onlineOnly.check();
    await navigate(page, () => search.getByRole('button', { name: 'Suchen' }).click());
    assert.equal(new URL(page.url()).searchParams.get('online'), '1');
    const narrowed = await serviceResults(page);
    assert.ok(narrowed.total > 0 && narrowed.total < all.total, `the filter narrows ${all.total} to fewer, got ${narrowed.total}`);
    assert.equal(narrowed.items.length, Math.min(narrowed.total, 20));
    for (const item of narrowed.items) assert.match(item, /online möglich/, `only services online in Coburg: ${item}`);
    assert.ok(narrowed.items.some((i) => i.startsWith('Wohnsitz Anmeldung\n')), 'Wohnsitz Anmeldung is online in Coburg');
    // The filter stays visible and on.
    assert.equal(await onlineOnly.isVisible(), true);
    assert.equal(await onlineOnly.isChecked(), true);
    assert.equal(await search.getByLabel('Was möchten Sie erledigen?').inputValue(), 'Wohnsitz');
  } finally {
    await closeContext(context);
  }
});

test('browse: Themen -> Bauen & Wohnen -> Wohnen & Umzug -> Wohnsitz Anmeldung', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await visit(page, server, '/');
    await navigate(page, () => mainNav(page).getByRole('link', { name: 'Themen' }).click());
    assert.equal(new URL(page.url()).pathname, '/themen');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Themen');
    const topics = page.locator('ul.tiles > li');
    assert.equal(await topics.count(), 14, 'the 14 topics of the OZG');
    const topic = topics.filter({ has: page.getByRole('link', { name: 'Bauen & Wohnen', exact: true }) });
    assert.match(await topic.innerText(), /^Bauen & Wohnen \d+ Leistungen$/);

    await navigate(page, () => topic.getByRole('link').click());
    assert.equal(new URL(page.url()).pathname, '/themen/bauen-wohnen');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Bauen & Wohnen');
    assert.equal(await page.getByRole('heading', { level: 2, name: 'Lebenslagen' }).count(), 1);

    await navigate(page, () => page.getByRole('link', { name: 'Wohnen & Umzug' }).click());
    assert.equal(new URL(page.url()).pathname, '/lagen/wohnen-umzug');
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /^Wohnen & Umzug\s+Lebenslage$/);
    const breadcrumb = page.getByRole('navigation', { name: 'Sie sind hier' });
    assert.deepEqual(await breadcrumb.getByRole('link').allInnerTexts(), ['Startseite', 'Themen', 'Bauen & Wohnen']);
    // Services grouped by OZG service.
    const group = page.getByRole('region', { name: 'Wohnsitzmeldungen' });
    assert.equal(await group.count(), 1);

    await navigate(page, () => group.getByRole('link', { name: 'Wohnsitz Anmeldung', exact: true }).click());
    assert.equal(new URL(page.url()).pathname, `/leistungen/${WOHNSITZ_ANMELDUNG}`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Wohnsitz Anmeldung');
    assert.match(await page.locator('main').innerText(), /innerhalb von zwei Wochen bei der Meldebehörde/);
    // The service page leads back to its life event.
    assert.equal(await page.locator('dl.facts').getByRole('link', { name: 'Wohnen & Umzug' }).getAttribute('href'), '/lagen/wohnen-umzug');
  } finally {
    await closeContext(context);
  }
});

test('Digitales Amt: Coburg and München hold the distinction, Bad Neustadt (49 online) does not; Coburg\'s page shows it', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await visit(page, server, '/');
    await navigate(page, () => mainNav(page).getByRole('link', { name: 'Digitale Ämter' }).click());
    assert.equal(new URL(page.url()).pathname, '/digitales-amt');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Auszeichnung „Digitales Amt“');
    const table = page.getByRole('table', { name: /Auszeichnung „Digitales Amt“/ });
    const holders = await table.locator('tbody th[scope="row"]').allInnerTexts();
    assert.deepEqual(holders, ['München', 'Coburg'], 'sorted by the number of services online');
    assert.match(await table.getByRole('row', { name: /Coburg/ }).innerText(), /^Coburg\s+50\s+\d{1,2}\. \S+ \d{4}\s+Noch nicht$/);
    assert.equal(await table.getByRole('row', { name: /Bad Neustadt/ }).count(), 0);

    await navigate(page, () => table.getByRole('link', { name: 'Coburg' }).click());
    assert.equal(new URL(page.url()).pathname, '/gemeinden/09463000');
    const award = page.locator('main').getByText(/^Ausgezeichnet als Digitales Amt \(seit \d{1,2}\. \S+ \d{4}\)/);
    assert.equal(await award.count(), 1);
    assert.equal(await award.getByRole('link', { name: 'Mehr zur Auszeichnung' }).getAttribute('href'), '/digitales-amt');

    // Bad Neustadt is connected, but one service short of the distinction.
    await visit(page, server, '/gemeinden/09673114');
    assert.match(await page.locator('main').innerText(), /Stadt Bad Neustadt a\.d\.Saale ist an das Portal angeschlossen\./);
    assert.doesNotMatch(await page.locator('main').innerText(), /Digitales Amt/);
  } finally {
    await closeContext(context);
  }
});

test('the API documentation renders', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await visit(page, server, '/api/docs');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Schnittstelle für Apps und Portale');
    const contents = page.getByRole('navigation', { name: 'Abfragen' });
    assert.ok((await contents.getByRole('link').count()) >= 6, 'a table of contents of the endpoints');
    assert.equal(await page.getByRole('heading', { level: 2, name: 'GET /api/v1/services', exact: true }).count(), 1);
    assert.equal(await page.getByRole('link', { name: 'OpenAPI-Dokument (JSON)' }).getAttribute('href'), '/api/openapi.json');
  } finally {
    await closeContext(context);
  }
});
