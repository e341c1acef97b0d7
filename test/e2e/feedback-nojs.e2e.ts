/**
 * Reporting a barrier with JavaScript switched off: the form, its errors and the thank-you page
 * must work without app.js (progressive enhancement).
 */
import { after, before, test } from 'node:test';
import { closeContext, launchBrowser, newContext, newPage, startServer, type Browser, type TestServer } from './browser.ts';
import { reportBarrier } from './feedback-journey.ts';

let server: TestServer;
let browser: Browser;
before(async () => { [server, browser] = await Promise.all([startServer(), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.close(); });

test('feedback form without JavaScript: errors, kept values and the reference all work', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false });
  try {
    const page = await newPage(context);
    await reportBarrier(page, server, {
      message: 'Ohne JavaScript lässt sich die Suche nicht bedienen.',
      name: 'Max Mustermann',
      pageUrl: '/suche',
      email: 'max.mustermann@example.org',
    }, { javaScript: false });
  } finally {
    await closeContext(context);
  }
});
