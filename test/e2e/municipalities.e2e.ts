/**
 * Finding one's municipality: the finder and the site search on the start page, the municipality
 * and district pages, and the switch to English that stays on while browsing.
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

/** The municipality finder's input (the finder form itself is labelled the same way). */
function finderInput(page: Page, label = 'Gemeinde oder Postleitzahl') {
  return page.getByRole('search', { name: label }).getByLabel(label);
}

/** The value next to a term in the facts list, e.g. fact(page, 'AGS'). */
function fact(page: Page, term: string) {
  return page.locator('dl.facts dt', { hasText: term }).locator('xpath=following-sibling::dd[1]');
}

test('start page -> municipality finder "Coburg" -> Coburg\'s page -> English, which stays on', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await visit(page, server, '/');
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    await assert.doesNotReject(page.getByRole('heading', { level: 1, name: 'Verwaltung online erledigen' }).waitFor());

    await finderInput(page).fill('Coburg');
    const results = await navigate(page, () => page.getByRole('button', { name: 'Gemeinde finden' }).click());
    assert.equal(results.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/gemeinden');
    assert.equal(new URL(page.url()).searchParams.get('q'), 'Coburg');
    assert.match(await page.getByRole('status').innerText(), /^\d+ Gemeinden gefunden$/);
    const names = await page.locator('.result-list li > a').allInnerTexts();
    assert.equal(names[0], 'Coburg', `the exact match comes first, got ${names.join(', ')}`);
    // The search box keeps what was typed.
    assert.equal(await finderInput(page).inputValue(), 'Coburg');

    await navigate(page, () => page.locator('.result-list li > a', { hasText: /^Coburg$/ }).click());
    assert.equal(new URL(page.url()).pathname, '/gemeinden/09463000');
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /^Coburg\s+Kreisfreie Stadt$/);
    assert.equal((await fact(page, 'AGS').innerText()).trim(), '09463000');
    assert.equal((await fact(page, 'Postleitzahl').innerText()).trim(), '96450');
    assert.equal((await fact(page, 'Regierungsbezirk').innerText()).trim(), 'Oberfranken');
    assert.equal(await page.getByRole('heading', { level: 2, name: 'Auf einen Blick' }).count(), 1);

    // Switch to English: the link is marked as English and leads to the same page in English.
    const english = page.getByRole('navigation', { name: 'Hauptnavigation' }).locator('a[hreflang="en"]');
    assert.equal(await english.innerText(), 'English');
    assert.equal(await english.getAttribute('lang'), 'en');
    await navigate(page, () => english.click());
    assert.equal(new URL(page.url()).pathname, '/gemeinden/09463000');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /^Coburg\s+Independent city$/);
    assert.equal(await page.getByRole('heading', { level: 2, name: 'At a glance' }).count(), 1);
    assert.equal((await fact(page, 'Postcode').innerText()).trim(), '96450');
    assert.equal((await fact(page, 'Region').innerText()).trim(), 'Oberfranken');
    assert.equal((await fact(page, 'AGS').innerText()).trim(), '09463000');
    assert.match(await page.title(), /^Coburg – Digitales Amt Bavaria$/);
    // The switch now offers German.
    const german = page.getByRole('navigation', { name: 'Main navigation' }).locator('a[hreflang="de"]');
    assert.equal(await german.innerText(), 'Deutsch');

    // The next page (reached through the navigation, without ?lang) is still English.
    await navigate(page, () => page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Municipalities' }).click());
    assert.equal(page.url(), server.url('/gemeinden'));
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Municipalities in Bavaria');
    assert.equal(await finderInput(page, 'Municipality or postcode').count(), 1);

    // And back to German.
    await navigate(page, () => page.locator('a[hreflang="de"]').click());
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Gemeinden in Bayern');
  } finally {
    await closeContext(context);
  }
});

test('the site search finds Bad Neustadt by its postcode 97616', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await visit(page, server, '/');
    await page.getByLabel('Wonach suchen Sie?').fill('97616');
    await navigate(page, () => page.getByRole('button', { name: 'Suchen', exact: true }).click());
    assert.equal(new URL(page.url()).pathname, '/suche');
    assert.equal(await page.getByRole('heading', { level: 2, name: 'Ergebnisse für „97616“' }).count(), 1);
    const link = page.locator('.result-list li > a', { hasText: 'Bad Neustadt a.d.Saale' });
    assert.equal(await link.count(), 1, 'Bad Neustadt is among the results');
    assert.match(await link.locator('xpath=..').innerText(), /97616/);

    await navigate(page, () => link.click());
    assert.equal(new URL(page.url()).pathname, '/gemeinden/09673114');
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /Bad Neustadt a\.d\.Saale/);
    assert.equal((await fact(page, 'Postleitzahl').innerText()).trim(), '97616');
    assert.equal((await fact(page, 'AGS').innerText()).trim(), '09673114');
    assert.match(await fact(page, 'Landkreis').innerText(), /Rhön-Grabfeld/);
  } finally {
    await closeContext(context);
  }
});

test('the municipality finder finds Bad Neustadt by postcode too', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await visit(page, server, '/gemeinden');
    await finderInput(page).fill('97616');
    await navigate(page, () => page.getByRole('button', { name: 'Gemeinde finden' }).click());
    const names = await page.locator('.result-list li > a').allInnerTexts();
    assert.ok(names.includes('Bad Neustadt a.d.Saale'), `97616 should find Bad Neustadt, got ${names.join(', ')}`);
  } finally {
    await closeContext(context);
  }
});

test('the page of Landkreis Coburg lists Rödental, which leads to Rödental\'s page and back', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await visit(page, server, '/landkreise/09473');
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /Landkreis Coburg/);
    const rodental = page.locator('.result-list li > a', { hasText: /^Rödental$/ });
    assert.equal(await rodental.count(), 1, 'Rödental is listed');
    assert.ok((await page.locator('.result-list li').count()) >= 17, 'all municipalities of the district are listed');

    await navigate(page, () => rodental.click());
    assert.equal(new URL(page.url()).pathname, '/gemeinden/09473159');
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /^Rödental/);
    // The breadcrumb leads back to the district.
    const breadcrumb = page.getByRole('navigation', { name: 'Sie sind hier' });
    assert.equal(await breadcrumb.locator('[aria-current="page"]').innerText(), 'Rödental');
    await navigate(page, () => breadcrumb.getByRole('link', { name: /Landkreis Coburg/ }).click());
    assert.equal(new URL(page.url()).pathname, '/landkreise/09473');
  } finally {
    await closeContext(context);
  }
});
