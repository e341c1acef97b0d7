/**
 * Decision templates per outcome, in Chromium with axe-core on every page: the district office's
 * administrator finds the templates from the staff home page, opens the building permit's outcomes,
 * writes the template for a partial approval (refused first without the headings for reasons and
 * legal remedy: error summary focused, text kept), saves it and sees it as the outcome's own;
 * the pages reflow at 320 CSS pixels.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertReflows, closeContext, DEMO_PASSWORD, enterTotpCode, launchBrowser, navigate, newContext, newPage, startServer, visit, waitForFocus, type Browser, type TestServer,
} from './browser.ts';

let server: TestServer;
let browser: Browser;
before(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
after(async () => { await browser?.close(); await server?.close(); });

const ADMIN_EMAIL = 'verwaltung@landkreis-coburg.demo.digitales-amt.de';

test('the administrator writes the template of one outcome, with errors shown accessibly and the text kept', { timeout: 120_000 }, async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await visit(page, server, '/verwaltung');
    await page.getByLabel('Dienstliche E-Mail-Adresse').fill(ADMIN_EMAIL);
    await page.getByLabel('Passwort').fill(DEMO_PASSWORD);
    await navigate(page, () => page.getByRole('button', { name: 'Anmelden' }).click());
    await enterTotpCode(page, server, ADMIN_EMAIL);

    await navigate(page, () => page.getByRole('link', { name: 'Bescheidvorlagen je Leistung und Entscheidung' }).click());
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Bescheidvorlagen');
    assert.match(await page.locator('main dl').innerText(), /Bauantrag online\s+Eigene Vorlagen: Stattgabe, Ablehnung/);
    await assertReflows(page);
    await navigate(page, () => page.getByRole('link', { name: 'Bauantrag online' }).click());
    await assertReflows(page);
    const partial = page.locator('#vorlage-partially_granted + dd');
    assert.match(await partial.innerText(), /Standardtext der Plattform/);
    await navigate(page, () => partial.getByRole('link', { name: /^Anlegen ?: Teilweise Stattgabe$/ }).click());
    await assertReflows(page);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Vorlage „Teilweise Stattgabe“');
    const body = page.getByLabel('Text der Vorlage');
    assert.match(await body.inputValue(), /wird teilweise stattgegeben/, 'starts from the platform\'s text');

    const withoutHeadings = 'Dem Bauantrag wird teilweise stattgegeben. [[Umfang der Genehmigung]] Im Übrigen wird er abgelehnt.';
    await body.fill(withoutHeadings);
    let response = await navigate(page, () => page.getByRole('button', { name: 'Vorlage speichern' }).click());
    assert.equal(response.status(), 400);
    await waitForFocus(page, 'div.error-summary');
    assert.match((await page.locator('.error-summary a').allInnerTexts()).join(' '), /„Gründe:“.*„Rechtsbehelfsbelehrung:“/);
    assert.equal(await body.inputValue(), withoutHeadings, 'the text is kept');
    await assertReflows(page);

    const template = `${withoutHeadings}\n\nGründe:\n\n[[Begründung der teilweisen Ablehnung]]\n\nRechtsbehelfsbelehrung:\nGegen diesen Bescheid kann innerhalb eines Monats nach seiner Bekanntgabe Klage erhoben werden.\n\nMit freundlichen Grüßen\n{{behoerde}}`;
    await body.fill(template);
    response = await navigate(page, () => page.getByRole('button', { name: 'Vorlage speichern' }).click());
    assert.equal(response.status(), 200);
    assert.match(await page.getByRole('status').innerText(), /Die Vorlage wurde gespeichert/);
    assert.match(await page.locator('#vorlage-partially_granted + dd').innerText(), /^Eigene Vorlage \(geändert am /);
    const stored = await server.app.database.db.selectFrom('decision_templates').select('body').where('outcome', '=', 'partially_granted').executeTakeFirstOrThrow();
    assert.equal(stored.body, template);
  } finally {
    await closeContext(context);
  }
});
