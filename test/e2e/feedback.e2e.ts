/**
 * Reporting a barrier through the feedback form, with JavaScript (focus management by app.js).
 * The same journey without JavaScript is in feedback-nojs.e2e.ts (its own server: the form allows
 * only five submissions a minute from one address).
 */
import { after, before, test } from 'node:test';
import { closeContext, launchBrowser, newContext, newPage, startServer, type Browser, type TestServer } from './browser.ts';
import { reportBarrier } from './feedback-journey.ts';

let server: TestServer;
let browser: Browser;
before(async () => { [server, browser] = await Promise.all([startServer(), launchBrowser()]); });
after(async () => { await browser?.close(); await server?.close(); });

test('feedback form with JavaScript: error summary gets focus, its links focus the fields, values are kept, reference shown', async () => {
  const context = await newContext(browser);
  try {
    const page = await newPage(context);
    await reportBarrier(page, server, {
      message: 'Der Kontrast der Fußzeile ist für mich zu schwach.',
      name: 'Erika Mustermann',
      pageUrl: '/gemeinden/09463000',
    }, { javaScript: true });
  } finally {
    await closeContext(context);
  }
});
