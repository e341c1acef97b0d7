/**
 * Browser end-to-end support: a real listening test app, Chromium through playwright-core (the
 * system's /usr/bin/chromium; playwright never downloads a browser), and axe-core.
 *
 * Every page a test visits is checked with axe: page loads go through `visit`, `reload` and
 * `navigate` (which wait for the new document and run `checkAccessibility`), and `closeContext`
 * fails the test if any document was loaded in one of its pages without being checked.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page, type Response } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/app.ts';
import { forgetLastTotpStep, totpCodeFor } from '../support/staff.ts';

export type { Browser, BrowserContext, Locator, Page, Response };

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const DEMO_PASSWORD = 'Demo-Amt-2026!';
export const OPERATOR_EMAIL = 'betrieb@demo.digitales-amt.de';
export const CASEWORKER_EMAIL = 'sachbearbeitung@coburg.demo.digitales-amt.de';

// ---------------------------------------------------------------------------------------------
// Server

export interface TestServer {
  app: TestApp;
  /** e.g. http://127.0.0.1:40123 */
  baseUrl: string;
  /** Absolute URL for a path on the test server. */
  url(path: string): string;
  close(): Promise<void>;
}

/** Builds the app on a fresh database with demo data and makes it listen on a free local port. */
export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000', ...env });
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return { app, baseUrl, url: (path) => new URL(path, baseUrl).toString(), close: () => app.dispose() };
}

/**
 * The code an account's authenticator app shows now, computed from its stored secret as the app
 * would. The account's last accepted step is forgotten first: browser tests log the same demo
 * account in several times within one 30-second step, which the replay protection would refuse.
 */
export async function totpCode(server: TestServer, email: string): Promise<string> {
  await forgetLastTotpStep(server.app, email);
  return totpCodeFor(server.app, email);
}

/** On the code page of the staff login: enters the current code and submits it. */
export async function enterTotpCode(page: Page, server: TestServer, email: string): Promise<Response> {
  await page.getByLabel('Code', { exact: true }).fill(await totpCode(server, email));
  return navigate(page, () => page.getByRole('button', { name: 'Bestätigen' }).click());
}

// ---------------------------------------------------------------------------------------------
// Browser

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** What we know about a page: whether its current document has been checked, and what went wrong. */
interface PageState {
  javaScriptEnabled: boolean;
  currentUrl: string | null;
  currentChecked: boolean;
  unchecked: string[];
  pageErrors: string[];
}

const states = new WeakMap<Page, PageState>();
const contextJavaScript = new WeakMap<BrowserContext, boolean>();

/** A new browser context (German browser by default: the portal's default language is German anyway). */
export async function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'de-DE', ...options });
  contextJavaScript.set(context, options.javaScriptEnabled !== false);
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  return context;
}

/** A new tab whose every loaded document must be checked with axe before the context is closed. */
export async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const state: PageState = { javaScriptEnabled: contextJavaScript.get(context) ?? true, currentUrl: null, currentChecked: true, unchecked: [], pageErrors: [] };
  states.set(page, state);
  page.on('domcontentloaded', () => {
    if (state.currentUrl && !state.currentChecked) state.unchecked.push(state.currentUrl);
    state.currentUrl = page.url();
    state.currentChecked = false;
  });
  page.on('response', (response) => {
    // A stylesheet, script or other resource of the page that is missing or fails (the document itself may be a 4xx page).
    if (response.status() >= 400 && !response.request().isNavigationRequest()) {
      state.pageErrors.push(`${response.request().resourceType()} ${response.url()} answered ${response.status()} (on ${page.url()})`);
    }
  });
  page.on('pageerror', (error) => state.pageErrors.push(`uncaught exception on ${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    // A 4xx document (404 page, form re-rendered with 400) is logged by Chromium as a failed resource: expected.
    if (message.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) {
      state.pageErrors.push(`console error on ${page.url()}: ${message.text()}`);
    }
  });
  return page;
}

/**
 * Closes the context and fails when one of its pages loaded a document that was never checked
 * with axe, threw an uncaught exception, logged an error (e.g. a Content-Security-Policy
 * violation), or loaded a resource that answered with an error.
 */
export async function closeContext(context: BrowserContext): Promise<void> {
  const problems: string[] = [];
  for (const page of context.pages()) {
    const state = states.get(page);
    if (!state) continue;
    if (state.currentUrl && !state.currentChecked) state.unchecked.push(state.currentUrl);
    problems.push(...state.unchecked.map((url) => `page loaded but not checked with axe: ${url}`), ...state.pageErrors);
  }
  await twins.get(context)?.context.close();
  await context.close();
  assert.deepEqual(problems, [], problems.join('\n'));
}

// ---------------------------------------------------------------------------------------------
// Page loads, each followed by an accessibility check

/** Opens a URL (path on the server or absolute), checks the page with axe, returns the response. */
export async function visit(page: Page, server: TestServer, path: string, expectedStatus = 200): Promise<Response> {
  const response = await page.goto(server.url(path), { waitUntil: 'load' });
  assert.ok(response, `no response for ${path}`);
  assert.equal(response.status(), expectedStatus, `status of ${path}`);
  await checkAccessibility(page);
  return response;
}

/** Reloads the page and checks it again. */
export async function reload(page: Page): Promise<Response | null> {
  const response = await page.reload({ waitUntil: 'load' });
  await checkAccessibility(page);
  return response;
}

/**
 * Does something that loads a new document (click a link, submit a form), waits for it to have
 * loaded, and checks it with axe. Returns the response of the new document.
 */
export async function navigate(page: Page, action: () => Promise<unknown>): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForEvent('response', { predicate: (r) => r.request().isNavigationRequest() && r.request().frame() === page.mainFrame() && !isRedirect(r) }),
    page.waitForEvent('load'),
    action(),
  ]);
  await checkAccessibility(page);
  return response;
}

function isRedirect(response: Response): boolean {
  return response.status() >= 300 && response.status() < 400;
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; helpUrl: string; nodes: { target: unknown[]; failureSummary?: string }[] }[];
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA) on the page as it is now and fails listing every violation
 * with its rule, help text and the selectors of the offending elements.
 *
 * axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
 * block, so the page runs under its real CSP. In a context with JavaScript disabled axe cannot run
 * (its timers never fire); there the current DOM is checked in a JavaScript-enabled twin page at the
 * same address, with the same stylesheet, without app.js.
 */
export async function checkAccessibility(page: Page): Promise<void> {
  const state = states.get(page);
  const result = state && !state.javaScriptEnabled ? await runAxeOnCopy(page) : await runAxe(page);
  if (state) state.currentChecked = true;
  const report = result.violations.map((v) =>
    `- ${v.id} (${v.impact ?? 'n/a'}): ${v.help}\n    ${v.helpUrl}\n${v.nodes.map((n) => `    at ${JSON.stringify(n.target)}${n.failureSummary ? `\n      ${n.failureSummary.replaceAll('\n', '\n      ')}` : ''}`).join('\n')}`);
  assert.equal(report.length, 0, `axe found ${report.length} accessibility violation(s) on ${page.url()}:\n${report.join('\n')}`);
}

async function runAxe(page: Page): Promise<AxeResult> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResult> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return { violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })) };
  }, AXE_TAGS);
}

/** Per context without JavaScript: the JavaScript-enabled twin page axe runs in. */
const twins = new WeakMap<BrowserContext, { context: BrowserContext; page: Page; html: string; documentUrl: string }>();

async function runAxeOnCopy(page: Page): Promise<AxeResult> {
  const url = page.url();
  let twin = twins.get(page.context());
  if (!twin) {
    const viewport = page.viewportSize();
    const context = await page.context().browser()!.newContext({ javaScriptEnabled: true, ...(viewport ? { viewport } : {}) });
    const twinPage = await context.newPage();
    const state = { context, page: twinPage, html: '', documentUrl: '' };
    // The document is the copy; its stylesheet comes from the server; app.js stays out, as in the original.
    await twinPage.route((u) => u.toString().split('#')[0] === state.documentUrl, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: state.html }));
    await twinPage.route('**/static/app.js', (route) => route.abort());
    twins.set(page.context(), state);
    twin = state;
  }
  twin.html = await page.content();
  twin.documentUrl = url.split('#')[0]!;
  // Via about:blank: a URL that differs from the last one only by its #fragment must still load the new copy.
  await twin.page.goto('about:blank');
  await twin.page.goto(url, { waitUntil: 'load' });
  return runAxe(twin.page);
}

// ---------------------------------------------------------------------------------------------
// Small helpers for what the user sees

/** Waits, reloading the page (each load checked with axe), until `condition` holds; at most `timeoutMs`. */
export async function reloadUntil(page: Page, condition: () => Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what} on ${page.url()}`);
    // No fixed sleep: each reload (and its axe check) takes its own time, and the deadline bounds the loop.
    await reload(page);
  }
}

/** The `id` of the element that has the keyboard focus (or its tag name when it has none). */
export async function focusedElement(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    return el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}`;
  });
}

/**
 * Waits (at most `timeoutMs`) until the focused element is `expected` as `focusedElement` describes it.
 * Polls from Node, so it also works in a page with JavaScript disabled (where page-side waiting cannot run).
 */
export async function waitForFocus(page: Page, expected: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let actual = await focusedElement(page);
  while (actual !== expected) {
    if (Date.now() > deadline) assert.fail(`expected focus on ${expected}, but it is on ${actual} (${page.url()})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    actual = await focusedElement(page);
  }
}

/** A citizen logs in through the demo identity provider (OpenID Connect side) at `level` and comes back to `returnTo`. */
export async function logInCitizenWithDemoOidc(page: Page, server: TestServer, person: string | RegExp, level: string, returnTo: string): Promise<Response> {
  await visit(page, server, `/anmelden?niveau=${level}&weiter=${encodeURIComponent(returnTo)}`);
  await navigate(page, () => page.getByRole('button', { name: 'Mit BundID über OpenID Connect anmelden' }).click());
  await page.getByLabel(person).check();
  await page.getByLabel(level, { exact: true }).check();
  return navigate(page, () => page.getByRole('button', { name: 'Anmelden' }).click());
}

/**
 * At 320 CSS pixels (400 % zoom) the page does not scroll sideways (WCAG 1.4.10). Checked with axe
 * at that width too.
 */
export async function assertReflows(page: Page): Promise<void> {
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  try {
    const overflow = await page.evaluate(() => ({
      width: document.documentElement.scrollWidth,
      // What sticks out: the text (a long word) and the elements, without the visually hidden ones (clipped).
      wide: (() => {
        const out: string[] = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          if (n.parentElement?.closest('.visually-hidden')) continue;
          const range = document.createRange();
          range.selectNodeContents(n);
          if (range.getBoundingClientRect().right > 321) out.push(`"${n.textContent?.trim().slice(0, 40)}" in ${n.parentElement?.tagName.toLowerCase()}`);
        }
        for (const e of document.querySelectorAll('body *')) {
          if (!e.closest('.visually-hidden') && e.getBoundingClientRect().right > 321) out.push(`${e.tagName.toLowerCase()}.${e.className}`);
        }
        return out.slice(0, 10);
      })(),
    }));
    assert.ok(overflow.width <= 320, `${page.url()} is ${overflow.width} px wide at 320 px: ${overflow.wide.join(' ')}`);
    await checkAccessibility(page);
  } finally {
    if (viewport) await page.setViewportSize(viewport);
  }
}

/** The step form's continue button (the last one: a repeating group has its own buttons above). */
export const continueButton = (page: Page): Locator => page.getByRole('button', { name: 'Speichern und weiter' }).last();
/** The text of the page's main heading. */
export const heading = (page: Page): Promise<string> => page.getByRole('heading', { level: 1 }).innerText();
/** The text of the page's main region. */
export const mainText = (page: Page): Promise<string> => page.locator('main').innerText();
/** The path of the page's URL. */
export const pathOf = (page: Page): string => new URL(page.url()).pathname;
