import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import { DEMO_PASSWORD } from '../../demo/seed-demo-data.ts';

let app: TestApp;
before(async () => { app = await createTestApp(); });
after(async () => { await app.dispose(); });

const OPERATOR = 'betrieb@demo.digitales-amt.de';
const CASEWORKER = 'sachbearbeitung@coburg.demo.digitales-amt.de';
const LOGIN = '/verwaltung/anmelden';

async function logIn(email: string, password = DEMO_PASSWORD) {
  const client = new TestClient(app.server);
  const res = await client.submit(LOGIN, { email, password });
  return { client, res };
}

test('staff pages send anonymous visitors to the login and back afterwards', async () => {
  const client = new TestClient(app.server);
  const res = await client.get('/betrieb/mails');
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, '/verwaltung/anmelden?weiter=%2Fbetrieb%2Fmails');
  const login = await client.submit(String(res.headers.location), { email: OPERATOR, password: DEMO_PASSWORD });
  assert.equal(login.statusCode, 303);
  assert.equal(login.headers.location, '/betrieb/mails');
  assert.equal((await client.get('/betrieb/mails')).statusCode, 200);
});

test('a wrong password re-renders the form with one error, keeps the e-mail, and is audited without the e-mail', async () => {
  const { res } = await logIn(CASEWORKER, 'falsch');
  assert.equal(res.statusCode, 400);
  const doc = html(res);
  assert.equal(doc.querySelector('.error-summary a')!.text, 'E-Mail-Adresse oder Passwort sind nicht richtig');
  assert.equal(doc.querySelector('#email')!.getAttribute('value'), CASEWORKER);
  assert.equal(doc.querySelector('#password')!.getAttribute('value'), '');
  const events = await app.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'staff.login_failed').execute();
  assert.ok(events.length >= 1);
  assert.doesNotMatch(JSON.stringify(events), /sachbearbeitung@/);
});

test('five wrong passwords lock the account, even for the right password', async () => {
  const email = 'ministerium@demo.digitales-amt.de';
  for (let i = 0; i < 5; i++) await logIn(email, `falsch-${i}`);
  const { res } = await logIn(email);
  assert.equal(res.statusCode, 400);
  assert.match(html(res).querySelector('.error-summary')!.text, /gesperrt/);
});

test('login gives a new session id, shows the roles, and logout ends the session', async () => {
  const client = new TestClient(app.server);
  await client.get(LOGIN);
  const before = client.cookies.get('session');
  const res = await client.submit(LOGIN, { email: CASEWORKER, password: DEMO_PASSWORD });
  assert.equal(res.statusCode, 303);
  assert.notEqual(client.cookies.get('session'), before, 'session fixation is prevented');
  const home = html(await client.get('/verwaltung'));
  assert.match(home.querySelector('main')!.text, /Stadt Coburg/);
  assert.match(home.querySelector('main')!.text, /Sachbearbeitung/);
  const out = await client.submit('/verwaltung', {}, '/verwaltung/abmelden');
  assert.equal(out.statusCode, 303);
  assert.equal((await client.get('/verwaltung')).statusCode, 303, 'logged out');
  const audit = await app.database.db.selectFrom('audit_events').select('action').where('action', 'in', ['staff.login', 'staff.logout']).execute();
  assert.ok(audit.some((a) => a.action === 'staff.login') && audit.some((a) => a.action === 'staff.logout'));
});

test('operator pages are "not found" for staff who are not platform operators', async () => {
  const { client } = await logIn(CASEWORKER);
  for (const url of ['/betrieb/mails', '/betrieb/rueckmeldungen']) {
    const res = await client.get(url);
    assert.equal(res.statusCode, 404, url);
  }
});

test('the operator reads the captured demo mail and the feedback inbox', async () => {
  const visitor = new TestClient(app.server);
  await visitor.submit('/barrierefreiheit/feedback', { category: 'content', message: 'Bitte mehr Leichte Sprache anbieten.', email: 'leser@example.de' });
  await app.worker.drain();
  const { client } = await logIn(OPERATOR);
  const mails = html(await client.get('/betrieb/mails'));
  const rows = mails.querySelectorAll('tbody tr').map((r) => r.text);
  assert.ok(rows.some((r) => r.includes('leser@example.de')), 'acknowledgement listed');
  const link = mails.querySelector('tbody a')!.getAttribute('href')!;
  const one = html(await client.get(link));
  assert.match(one.querySelector('details pre')!.text, /^Content-Type: text\/plain/m);
  const inbox = html(await client.get('/betrieb/rueckmeldungen'));
  assert.match(inbox.querySelector('main')!.text, /Bitte mehr Leichte Sprache anbieten\./);
});

test('after login, a redirect target off this site is ignored', async () => {
  const client = new TestClient(app.server);
  const res = await client.submit('/verwaltung/anmelden?weiter=//evil.example/x', { email: OPERATOR, password: DEMO_PASSWORD });
  assert.equal(res.headers.location, '/verwaltung');
});
