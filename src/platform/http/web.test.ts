import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, TestClient } from '../../../test/support/http.ts';

let app: TestApp;
before(async () => { app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '40' }); });
after(async () => { await app.dispose(); });

test('pages carry a strict Content-Security-Policy and the other security headers', async () => {
  const res = await app.server.inject('/');
  const csp = String(res.headers['content-security-policy']);
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['referrer-policy'], 'same-origin');
  assert.equal(res.headers['cache-control'], 'no-store');
  const doc = html(res);
  assert.equal(doc.querySelectorAll('script:not([src])').length, 0, 'no inline scripts');
  assert.equal(doc.querySelectorAll('[style]').length, 0, 'no inline styles');
});

test('every response has a request id; a well-formed incoming one is kept', async () => {
  const generated = await app.server.inject('/health');
  assert.match(String(generated.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  const kept = await app.server.inject({ url: '/health', headers: { 'x-request-id': 'lb-12345678' } });
  assert.equal(kept.headers['x-request-id'], 'lb-12345678');
  const replaced = await app.server.inject({ url: '/health', headers: { 'x-request-id': 'bad id\nwith newline' } });
  assert.notEqual(replaced.headers['x-request-id'], 'bad id\nwith newline');
});

test('the session cookie is HttpOnly and SameSite, and only set when a form needs it', async () => {
  const home = await app.server.inject('/');
  assert.equal(home.cookies.length, 0, 'no cookie for reading pages');
  const form = await app.server.inject('/barrierefreiheit/feedback');
  const session = form.cookies.find((c) => c.name === 'session');
  assert.ok(session, 'a form page starts a session for its CSRF token');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Lax');
  const row = await app.database.db.selectFrom('sessions').select('id').executeTakeFirst();
  assert.ok(row, 'the session is stored in the database');
});

test('a form posted without or with a wrong CSRF token is refused and nothing is stored', async () => {
  const client = new TestClient(app.server);
  await client.get('/barrierefreiheit/feedback');
  const fields = { category: 'barrier', message: 'Der Kontrast ist zu schwach.' };
  for (const token of [undefined, 'forged-token']) {
    const res = await client.post('/barrierefreiheit/feedback', token ? { ...fields, _csrf: token } : fields);
    assert.equal(res.statusCode, 403);
    assert.match(html(res).querySelector('h1')!.text, /Formular abgelaufen/);
  }
  const stored = await app.database.db.selectFrom('accessibility_feedback').select('id').execute();
  assert.equal(stored.length, 0);
});

test('unknown pages are an accessible 404; API errors are problem+json', async () => {
  const page = await app.server.inject('/gibt-es-nicht');
  assert.equal(page.statusCode, 404);
  assert.match(String(page.headers['content-type']), /text\/html/);
  const doc = html(page);
  assert.equal(doc.querySelector('html')!.getAttribute('lang'), 'de');
  assert.match(doc.querySelector('h1')!.text, /Seite nicht gefunden/);
  assert.ok(doc.querySelector('a[href="/"]'));
  const api = await app.server.inject('/api/v1/gibt-es-nicht');
  assert.equal(api.statusCode, 404);
  assert.match(String(api.headers['content-type']), /^application\/problem\+json/);
  const body = api.json() as Record<string, unknown>;
  assert.equal(body.status, 404);
  assert.equal(body.title, 'Seite nicht gefunden');
  assert.equal(typeof body.requestId, 'string');
});

test('every page shows that this is a demo, not for real citizens', async () => {
  for (const url of ['/', '/gemeinden/09463000', '/impressum', '/gibt-es-nicht']) {
    const doc = html(await app.server.inject(url));
    assert.match(doc.querySelector('.demo-banner')?.text ?? '', /nicht für echte Anliegen/, url);
  }
});

test('the footer links to Impressum, Datenschutz, Barrierefreiheit with feedback, and Leichte Sprache, and each page exists', async () => {
  const doc = html(await app.server.inject('/'));
  const links = doc.querySelectorAll('footer a').map((a) => a.getAttribute('href'));
  assert.deepEqual(links, ['/impressum', '/datenschutz', '/barrierefreiheit', '/barrierefreiheit/feedback', '/leichte-sprache', '/pruefen']);
  for (const href of links) {
    const res = await app.server.inject(href!);
    assert.equal(res.statusCode, 200, href!);
    assert.ok(html(res).querySelector('h1')?.text.trim(), href!);
  }
  const easy = html(await app.server.inject('/leichte-sprache?lang=en'));
  assert.equal(easy.querySelector('main [lang=de]') !== null, true, 'Leichte Sprache stays German and says so');
});

test('too many requests from one address get 429 with Retry-After', async () => {
  let last = await app.server.inject({ url: '/impressum', remoteAddress: '10.9.9.9' });
  for (let i = 0; i < 45 && last.statusCode !== 429; i++) last = await app.server.inject({ url: '/impressum', remoteAddress: '10.9.9.9' });
  assert.equal(last.statusCode, 429);
  assert.ok(Number(last.headers['retry-after']) > 0);
  assert.match(html(last).querySelector('h1')!.text, /Zu viele Anfragen/);
  const other = await app.server.inject({ url: '/impressum', remoteAddress: '10.9.9.10' });
  assert.equal(other.statusCode, 200, 'other clients are not affected');
});
