/**
 * What every page shares: keyboard access through the skip link, a layout that fits a phone,
 * an accessible 404 page, and axe on every public page in German and English.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  checkAccessibility, closeContext, focusedElement, launchBrowser, navigate, newContext, newPage, startServer, visit, waitForFocus,
  type Browser, type Page, type TestServer,
} from './browser.ts';

let server: TestServer;
let browser: Browser;
before(async () => { [server, browser] = await Promise.all([startServer(), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.close(); });

test('keyboard: the first Tab reaches the visible skip link, Enter moves to the main content', async () => {
  const context = await newContext(browser, { viewport: { width: 1280, height: 800 } });
  try {
    const page = await newPage(context);
    await visit(page, server, '/');
    const skipLink = page.locator('.skip-link');
    // Hidden until focused.
    const before = await skipLink.boundingBox();
    assert.ok(!before || before.x + before.width <= 0 || before.y + before.height <= 0, `the skip link is off-screen until focused: ${JSON.stringify(before)}`);

    await page.keyboard.press('Tab');
    await waitForFocus(page, 'a.skip-link');
    assert.equal(await skipLink.innerText(), 'Zum Inhalt springen');
    assert.equal(await skipLink.getAttribute('href'), '#main');
    const box = await skipLink.boundingBox();
    assert.ok(box, 'the focused skip link is rendered');
    const viewport = page.viewportSize()!;
    assert.ok(box.width > 0 && box.height > 0, `the focused skip link has a size: ${JSON.stringify(box)}`);
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height,
      `the focused skip link is inside the viewport: ${JSON.stringify(box)}`);
    // The focus is visible (the focus style applies to the link) and the link passes axe while focused.
    assert.notEqual(await skipLink.evaluate((a) => getComputedStyle(a).outlineStyle), 'none', 'the focused skip link shows a focus outline');
    await checkAccessibility(page);

    await page.keyboard.press('Enter');
    await waitForFocus(page, '#main');
    assert.equal(new URL(page.url()).hash, '#main');
    // The next Tab continues inside the main content, not in the header.
    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => {
      const el = document.activeElement;
      return { inMain: !!el?.closest('main'), text: (el as HTMLElement | null)?.innerText ?? '' };
    });
    assert.ok(next.inMain, `after the skip link, Tab continues in the main content (focus on ${await focusedElement(page)})`);
  } finally {
    await closeContext(context);
  }
});

/** Fails when the page is wider than the viewport (the user would have to scroll sideways). */
async function assertNoHorizontalScrolling(page: Page): Promise<void> {
  const size = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(size.scrollWidth <= size.innerWidth && size.innerWidth <= 390,
    `no horizontal scrolling on ${page.url()} at 390 px: ${JSON.stringify(size)}`);
}

test('on a phone (390 × 844) the start page, a municipality page and a district page fit without horizontal scrolling', async () => {
  const context = await newContext(browser, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true });
  try {
    const page = await newPage(context);
    await visit(page, server, '/');
    await assertNoHorizontalScrolling(page);
    // The finder is usable: its input is at least 44 px high and fits the screen.
    const input = page.getByRole('search', { name: 'Gemeinde oder Postleitzahl' }).getByLabel('Gemeinde oder Postleitzahl');
    const box = (await input.boundingBox())!;
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `the finder input fits the screen: ${JSON.stringify(box)}`);

    await visit(page, server, '/gemeinden/09463000');
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /Coburg/);
    await assertNoHorizontalScrolling(page);
    await visit(page, server, '/gemeinden/09673114');
    await assertNoHorizontalScrolling(page);
    await visit(page, server, '/landkreise/09473');
    await assertNoHorizontalScrolling(page);
    await visit(page, server, '/barrierefreiheit/feedback');
    await assertNoHorizontalScrolling(page);
  } finally {
    await closeContext(context);
  }
});

test('the horizontal-scrolling check notices a page that is too wide', async () => {
  const context = await newContext(browser, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true });
  try {
    const page = await newPage(context);
    await visit(page, server, '/');
    await page.evaluate(() => {
      const wide = document.createElement('p');
      wide.textContent = 'wide';
      wide.style.width = '600px'; // through the CSSOM: the page's CSP blocks style attributes in markup
      document.querySelector('main')!.append(wide);
    });
    await assert.rejects(assertNoHorizontalScrolling(page), /no horizontal scrolling/);
  } finally {
    await closeContext(context);
  }
});

test('an unknown address shows an accessible "page not found" page in German and in English', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    const response = await visit(page, server, '/gibt-es-nicht', 404);
    assert.match(response.headers()['content-type'] ?? '', /^text\/html/);
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Seite nicht gefunden');
    assert.match(await page.title(), /^Seite nicht gefunden – /);
    // The way out works.
    await navigate(page, () => page.getByRole('main').getByRole('link', { name: 'Zur Startseite' }).click());
    assert.equal(page.url(), server.url('/'));

    await visit(page, server, '/gemeinden/09999999?lang=en', 404);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Page not found');
  } finally {
    await closeContext(context);
  }
});

test('every public page passes axe, in German and in English', async () => {
  const pages: [path: string, heading: RegExp][] = [
    ['/', /^Verwaltung online erledigen$|^Public services online$/],
    ['/suche', /^Suche$|^Search$/],
    ['/suche?q=Coburg', /^Suche$|^Search$/],
    ['/suche?q=xyzxyz', /^Suche$|^Search$/],
    ['/gemeinden', /^Gemeinden in Bayern$|^Municipalities in Bavaria$/],
    ['/gemeinden?q=Neustadt', /^Gemeinde finden$|^Find a municipality$/],
    ['/gemeinden?q=96451', /^Gemeinde finden$|^Find a municipality$/],
    ['/gemeinden/09673114', /^Bad Neustadt a\.d\.Saale/],
    ['/landkreise/09473', /^Landkreis Coburg$|^District of Coburg$/],
    ['/impressum', /^Impressum$|^Legal notice$/],
    ['/datenschutz', /^Datenschutz$|^Privacy$/],
    ['/barrierefreiheit', /Barrierefreiheit|Accessibility/],
    ['/barrierefreiheit/feedback', /^Barriere melden$|^Report a barrier$/],
    ['/barrierefreiheit/feedback/danke?ref=BF-2345-6789', /^Vielen Dank für Ihre Rückmeldung$|^Thank you for your feedback$/],
    ['/leichte-sprache', /Leichte Sprache/],
    ['/verwaltung/anmelden', /^Anmeldung für die Verwaltung$|^Staff login$/],
    // The service catalogue and topics.
    ['/leistungen', /./],
    ['/leistungen?q=Pass', /./],
    ['/themen', /./],
  ];
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    for (const lang of ['de', 'en']) {
      for (const [path, heading] of pages) {
        await visit(page, server, `${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
        assert.equal(await page.locator('html').getAttribute('lang'), lang, `${path} in ${lang}`);
        assert.match(await page.getByRole('heading', { level: 1 }).innerText(), heading, `${path} in ${lang}`);
      }
    }
    // A topic page and a service page, reached as a user would.
    await visit(page, server, '/themen?lang=de');
    await navigate(page, () => page.getByRole('main').locator('a[href^="/themen/"]').first().click());
    assert.match(new URL(page.url()).pathname, /^\/themen\/[\w-]+$/);
    await visit(page, server, '/leistungen?q=Pass');
    await navigate(page, () => page.getByRole('main').locator('a[href^="/leistungen/"]').first().click());
    assert.match(new URL(page.url()).pathname, /^\/leistungen\/\d+$/);
  } finally {
    await closeContext(context);
  }
});

test('the accessibility check fails on a page with violations', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await visit(page, server, '/');
    // Break the page the way a template change could: an unlabelled field, an image without text.
    await page.evaluate(() => {
      document.querySelector('main')!.insertAdjacentHTML('beforeend', '<input type="text" name="x"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">');
    });
    await assert.rejects(checkAccessibility(page), (error: Error) => {
      assert.match(error.message, /axe found 2 accessibility violation\(s\)/);
      assert.match(error.message, /- image-alt \(critical\): Images must have alternative text/);
      assert.match(error.message, /- label \(critical\): Form elements must have labels/);
      assert.match(error.message, /at \["img"\]/);
      return true;
    });
  } finally {
    await closeContext(context);
  }
});

test('a page loaded without the accessibility check, or with a missing resource, fails the test', async () => {
  const context = await newContext(browser);
  const page = await newPage(context);
  await page.goto(server.url('/impressum')); // not through visit(): no axe check
  await page.evaluate(() => new Promise<void>((resolve) => {
    const img = document.createElement('img');
    img.alt = '';
    img.onload = img.onerror = () => resolve();
    img.src = '/static/missing.png';
    document.body.append(img);
  }));
  await assert.rejects(closeContext(context), (error: Error) => {
    assert.match(error.message, /page loaded but not checked with axe: .*\/impressum/);
    assert.match(error.message, /image .*\/static\/missing\.png answered 404/);
    return true;
  });
});
