/**
 * Citizen login through the demo identity provider's OpenID Connect side over real HTTP, for tests
 * of pages behind the login.
 */
import assert from 'node:assert/strict';
import type { BrowserClient, Page } from './browser-client.ts';

/**
 * Starts at /anmelden (with `query`), picks `person` and `level` at the demo provider, and returns
 * the portal's answer to the callback (a 303 on success). `organisation` picks a test organisation.
 */
export async function logInWithDemoOidc(browser: BrowserClient, opts: { person?: string; level?: string; query?: string; fields?: Record<string, string> } = {}): Promise<Page> {
  const login = await browser.get(`/anmelden${opts.query ?? '?niveau=niedrig&weiter=/konto'}`);
  assert.equal(login.status, 200);
  const picker = await browser.follow(await browser.submit(login, 'form[action="/anmelden/oidc"]'));
  assert.equal(picker.status, 200, picker.body.slice(0, 400));
  let page = await browser.submit(picker, 'main form', { person: opts.person ?? 'U01', level: opts.level ?? 'substantiell', ...opts.fields });
  while (page.status === 303 && page.location && !new URL(page.location, page.url).pathname.startsWith('/oidc/callback')) {
    page = await browser.get(new URL(page.location, page.url).href);
  }
  assert.equal(page.status, 303, page.body.slice(0, 400));
  return browser.get(page.location!);
}
