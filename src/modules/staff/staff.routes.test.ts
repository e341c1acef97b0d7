import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import { forgetLastTotpStep, logInStaff, totpCodeFor } from '../../../test/support/staff.ts';
import { DEMO_LOGINS, DEMO_PASSWORD } from '../../demo/seed-demo-data.ts';
import { currentTotpCode } from './second-factor.ts';
import { addMembership, hashPassword, upsertStaffAccount } from './index.ts';

let app: TestApp;
before(async () => { app = await createTestApp(); });
after(async () => { await app.dispose(); });

const OPERATOR = 'betrieb@demo.digitales-amt.de';
const CASEWORKER = 'sachbearbeitung@coburg.demo.digitales-amt.de';
const LOGIN = '/verwaltung/anmelden';

async function auditOf(actorId: string, action: string) {
  return app.database.db.selectFrom('audit_events').selectAll().where('actor_id', '=', actorId).where('action', '=', action).orderBy('id').execute();
}
async function accountId(email: string): Promise<string> {
  return (await app.database.db.selectFrom('staff_accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}
async function tenantId(slug: string): Promise<string> {
  return (await app.database.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
}
/** A fresh staff account (not enrolled) with memberships. */
async function createStaff(email: string, memberships: [string, 'editor' | 'tenant_admin' | 'caseworker'][]): Promise<string> {
  const id = await upsertStaffAccount(app.database.db, { email, displayName: email.split('@')[0]!, passwordHash: await hashPassword(DEMO_PASSWORD) });
  for (const [slug, role] of memberships) await addMembership(app.database.db, await tenantId(slug), id, role);
  return id;
}

test('staff pages send anonymous visitors to the login and back afterwards, through the second factor', async () => {
  const client = new TestClient(app.server);
  const res = await client.get('/betrieb/mails');
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, '/verwaltung/anmelden?weiter=%2Fbetrieb%2Fmails');
  const password = await client.submit(String(res.headers.location), { email: OPERATOR, password: DEMO_PASSWORD });
  assert.equal(password.statusCode, 303);
  assert.equal(password.headers.location, '/verwaltung/anmelden/code');
  assert.equal((await client.get('/betrieb/mails')).statusCode, 303, 'not logged in after the password alone');
  await forgetLastTotpStep(app, OPERATOR);
  const code = await client.submit('/verwaltung/anmelden/code', { code: await totpCodeFor(app, OPERATOR) });
  assert.equal(code.statusCode, 303);
  assert.equal(code.headers.location, '/betrieb/mails');
  assert.equal((await client.get('/betrieb/mails')).statusCode, 200);
  const logins = await auditOf(await accountId(OPERATOR), 'staff.login');
  assert.equal(logins.at(-1)!.details.method, 'totp');
});

test('a wrong password re-renders the form with one error, keeps the e-mail, and is audited without the e-mail', async () => {
  const { res } = await logInStaff(app, CASEWORKER, { password: 'falsch' });
  assert.equal(res.statusCode, 400);
  const doc = html(res);
  assert.equal(doc.querySelector('.error-summary a')!.text, 'E-Mail-Adresse oder Passwort sind nicht richtig');
  assert.equal(doc.querySelector('#email')!.getAttribute('value'), CASEWORKER);
  assert.equal(doc.querySelector('#password')!.getAttribute('value'), '');
  await logInStaff(app, 'niemand@example.org', { password: 'irgendwas-langes' });
  const events = await app.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'staff.login_failed').execute();
  const unknown = events.filter((e) => e.actor_id === null && e.details.reason === 'unknown_account');
  assert.equal(unknown.length, 1);
  assert.match(String(unknown[0]!.details.nameTag), /^[0-9a-f]{16}$/, 'a keyed hash tells repeated attempts apart');
  assert.ok(events.some((e) => e.details.reason === 'wrong_password'));
  assert.doesNotMatch(JSON.stringify(events), /sachbearbeitung@|niemand@/);
});

test('five wrong passwords lock the account, even for the right password', async () => {
  const email = 'ministerium@demo.digitales-amt.de';
  for (let i = 0; i < 5; i++) await logInStaff(app, email, { password: `falsch-${i}` });
  const { res } = await logInStaff(app, email);
  assert.equal(res.statusCode, 400);
  assert.match(html(res).querySelector('.error-summary')!.text, /gesperrt/);
  await app.database.db.updateTable('staff_accounts').set({ locked_until: null, failed_logins: 0 }).where('email', '=', email).execute();
});

test('a wrong TOTP code is refused with 400; a replayed code is refused; wrong codes lock the account as wrong passwords do', async () => {
  const email = 'redaktion@muenchen.demo.digitales-amt.de';
  const id = await accountId(email);
  const client = new TestClient(app.server);
  await client.submit(LOGIN, { email, password: DEMO_PASSWORD });
  const empty = await client.submit('/verwaltung/anmelden/code', { code: '' });
  assert.equal(empty.statusCode, 400);
  assert.deepEqual(html(empty).querySelectorAll('.error-summary a').map((a) => a.getAttribute('href')), ['#code']);
  const current = await totpCodeFor(app, email);
  const wrong = await client.submit('/verwaltung/anmelden/code', { code: current === '000000' ? '111111' : '000000' });
  assert.equal(wrong.statusCode, 400);
  assert.equal(html(wrong).querySelector('.error-summary a')!.text, 'Der Code ist nicht richtig oder wurde schon verwendet');
  assert.equal(html(wrong).querySelector('#code')!.getAttribute('aria-invalid'), 'true');

  // The right code logs in once; the same code again (another login within its 30 seconds) is refused.
  await forgetLastTotpStep(app, email);
  assert.equal((await client.submit('/verwaltung/anmelden/code', { code: current })).statusCode, 303);
  const again = new TestClient(app.server);
  await again.submit(LOGIN, { email, password: DEMO_PASSWORD });
  const replay = await again.submit('/verwaltung/anmelden/code', { code: current });
  assert.equal(replay.statusCode, 400, 'replayed code refused');
  assert.equal((await again.get('/verwaltung')).statusCode, 303, 'not logged in');
  assert.equal((await auditOf(id, 'staff.login_failed')).at(-1)!.details.reason, 'replayed_totp');

  // Five failures in a row lock the account; then even the right code is refused.
  for (let i = 0; i < 4; i++) await again.submit('/verwaltung/anmelden/code', { code: '123abc' });
  const locked = await logInStaff(app, email);
  assert.equal(locked.res.statusCode, 400);
  assert.match(html(locked.res).querySelector('.error-summary')!.text, /gesperrt/);
  await app.database.db.updateTable('staff_accounts').set({ locked_until: null, failed_logins: 0 }).where('id', '=', id).execute();
});

test('the code and enrolment steps need the password step first', async () => {
  const client = new TestClient(app.server);
  const res = await client.get('/verwaltung/anmelden/code');
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, LOGIN);
  assert.equal((await client.get('/verwaltung/anmelden/einrichten')).headers.location, LOGIN);
});

test('first login: enrolment with QR code and secret, confirmed with a code; ten recovery codes shown once; a recovery code logs in once', async () => {
  const email = 'neu@coburg.demo.digitales-amt.de';
  const id = await createStaff(email, [['coburg', 'caseworker']]);
  const client = new TestClient(app.server);
  const password = await client.submit(LOGIN, { email, password: DEMO_PASSWORD });
  assert.equal(password.headers.location, '/verwaltung/anmelden/einrichten');
  const page = html(await client.get('/verwaltung/anmelden/einrichten'));
  const qr = page.querySelector('img.qr-code')!;
  assert.match(qr.getAttribute('src')!, /^data:image\/svg\+xml;base64,/);
  assert.match(Buffer.from(qr.getAttribute('src')!.split(',')[1]!, 'base64').toString(), /<svg/);
  assert.equal(qr.getAttribute('alt'), 'QR-Code zum Einrichten der Authenticator-App');
  const secret = page.querySelector('#totp-secret')!.text.replace(/\s+/g, '');
  assert.match(secret, /^[A-Z2-7]{32}$/);
  // The secret is stored encrypted, and the same one is shown on reload.
  const stored = await app.database.db.selectFrom('staff_accounts').select(['totp_secret_enc', 'totp_confirmed_at']).where('id', '=', id).executeTakeFirstOrThrow();
  assert.ok(stored.totp_secret_enc!.startsWith('v1.') && !stored.totp_secret_enc!.includes(secret));
  assert.equal(stored.totp_confirmed_at, null);
  assert.equal(html(await client.get('/verwaltung/anmelden/einrichten')).querySelector('#totp-secret')!.text.replace(/\s+/g, ''), secret);

  const wrong = await client.submit('/verwaltung/anmelden/einrichten', { code: '12345' });
  assert.equal(wrong.statusCode, 400);
  assert.ok(html(wrong).querySelector('img.qr-code'), 'the QR code is shown again');
  assert.equal((await client.get('/verwaltung')).statusCode, 303, 'not logged in yet');

  const before = client.cookies.get('session');
  const confirmed = await client.submit('/verwaltung/anmelden/einrichten', { code: currentTotpCode(secret) });
  assert.equal(confirmed.statusCode, 303);
  assert.equal(confirmed.headers.location, '/verwaltung/anmelden/wiederherstellungscodes');
  assert.notEqual(client.cookies.get('session'), before, 'new session id at login');
  const codesPage = html(await client.get('/verwaltung/anmelden/wiederherstellungscodes'));
  const codes = codesPage.querySelectorAll('.recovery-codes code').map((c) => c.text);
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10);
  for (const c of codes) assert.match(c, /^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
  assert.equal((await client.get('/verwaltung/anmelden/wiederherstellungscodes')).headers.location, '/verwaltung', 'shown once');
  const rows = await app.database.db.selectFrom('staff_recovery_codes').select('code_hash').where('staff_account_id', '=', id).execute();
  assert.equal(rows.length, 10);
  assert.ok(rows.every((r) => /^[0-9a-f]{64}$/.test(r.code_hash) && !codes.includes(r.code_hash)), 'stored hashed');
  assert.equal((await client.get('/verwaltung')).statusCode, 200);
  assert.equal((await auditOf(id, 'staff.totp_enrolled')).length, 1);

  // A recovery code (any spelling) logs in once.
  const other = new TestClient(app.server);
  await other.submit(LOGIN, { email, password: DEMO_PASSWORD });
  const recovered = await other.submit('/verwaltung/anmelden/code', { code: codes[3]!.toUpperCase() });
  assert.equal(recovered.statusCode, 303);
  assert.equal((await other.get('/verwaltung')).statusCode, 200);
  const used = await auditOf(id, 'staff.recovery_code_used');
  assert.equal(used.length, 1);
  assert.equal(used[0]!.details.remaining, 9);
  const third = new TestClient(app.server);
  await third.submit(LOGIN, { email, password: DEMO_PASSWORD });
  assert.equal((await third.submit('/verwaltung/anmelden/code', { code: codes[3]! })).statusCode, 400, 'a used recovery code is refused');
});

test('login gives a new session id, shows the active tenant and roles, and logout ends the session', async () => {
  const client = new TestClient(app.server);
  await client.get(LOGIN);
  const before = client.cookies.get('session');
  assert.ok(before, 'the login form started a session');
  const { res } = await logInStaff(app, CASEWORKER, { client });
  assert.equal(res.statusCode, 303);
  assert.notEqual(client.cookies.get('session'), before, 'session fixation is prevented');
  // The old session id no longer exists on the server.
  const oldId = decodeURIComponent(before!).split('.')[0]!;
  assert.equal(await app.database.db.selectFrom('sessions').select('id').where('id', '=', oldId).executeTakeFirst(), undefined);
  const home = html(await client.get('/verwaltung'));
  assert.match(home.querySelector('main')!.text, /Sie arbeiten für: Stadt Coburg\./);
  assert.match(home.querySelector('main')!.text, /Sachbearbeitung/);
  const out = await client.submit('/verwaltung', {}, '/verwaltung/abmelden');
  assert.equal(out.statusCode, 303);
  assert.equal((await client.get('/verwaltung')).statusCode, 303, 'logged out');
  const audit = await app.database.db.selectFrom('audit_events').select('action').where('action', 'in', ['staff.login', 'staff.logout']).execute();
  assert.ok(audit.some((a) => a.action === 'staff.login') && audit.some((a) => a.action === 'staff.logout'));
});

test('after the idle timeout the staff session ends with a notice', async () => {
  const { client } = await logInStaff(app, CASEWORKER);
  assert.equal((await client.get('/verwaltung')).statusCode, 200);
  // Pretend the last activity was 31 minutes ago (the default timeout is 30).
  const id = await accountId(CASEWORKER);
  const rows = await app.database.db.selectFrom('sessions').select(['id', 'data']).execute();
  for (const r of rows.filter((row) => (row.data as Record<string, unknown>).staffId === id)) {
    const data = r.data as Record<string, unknown>;
    await app.database.db.updateTable('sessions').set({ data: JSON.stringify({ ...data, staffSeenAt: Date.now() - 31 * 60_000 }) }).where('id', '=', r.id).execute();
  }
  const res = await client.get('/verwaltung/passwort');
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, '/verwaltung/anmelden?weiter=%2Fverwaltung%2Fpasswort&abgelaufen=1');
  const login = html(await client.get(String(res.headers.location)));
  assert.match(login.querySelector('.notice')!.text, /Sitzung ist nach längerer Inaktivität abgelaufen/);
  assert.equal((await client.get('/verwaltung')).statusCode, 303, 'still logged out');
  assert.ok((await auditOf(await accountId(CASEWORKER), 'staff.session_expired')).length >= 1);
});

test('"log out on all devices" ends every session of the staff member, and only theirs', async () => {
  const first = await logInStaff(app, CASEWORKER);
  const second = await logInStaff(app, CASEWORKER);
  const bystander = await logInStaff(app, OPERATOR);
  assert.equal((await first.client.get('/verwaltung')).statusCode, 200);
  const res = await second.client.submit('/verwaltung', {}, '/verwaltung/abmelden/ueberall');
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, '/verwaltung/anmelden?abgemeldet=1');
  assert.match(html(await second.client.get(String(res.headers.location))).querySelector('.notice')!.text, /auf allen Geräten abgemeldet/);
  assert.equal((await first.client.get('/verwaltung')).statusCode, 303, 'the other session ended');
  assert.equal((await second.client.get('/verwaltung')).statusCode, 303);
  assert.equal((await bystander.client.get('/verwaltung')).statusCode, 200, 'other staff stay logged in');
  const audit = await auditOf(await accountId(CASEWORKER), 'staff.logout_everywhere');
  assert.ok(audit.at(-1)!.details.sessions as number >= 1);
});

test('operator pages are "not found" for staff who are not platform operators', async () => {
  const { client } = await logInStaff(app, CASEWORKER);
  for (const url of ['/betrieb/mails', '/betrieb/rueckmeldungen']) {
    const res = await client.get(url);
    assert.equal(res.statusCode, 404, url);
  }
});

test('the operator reads the captured demo mail and the feedback inbox', async () => {
  const visitor = new TestClient(app.server);
  await visitor.submit('/barrierefreiheit/feedback', { category: 'content', message: 'Bitte mehr Leichte Sprache anbieten.', email: 'leser@example.de' });
  await app.worker.drain();
  const { client } = await logInStaff(app, OPERATOR);
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
  for (const weiter of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', '/verwaltung/../../x']) {
    const { res } = await logInStaff(app, OPERATOR, { weiter });
    assert.equal(res.headers.location, '/verwaltung', weiter);
  }
});

test('every demo login has a TOTP secret that the server accepts', async () => {
  for (const login of DEMO_LOGINS) {
    const stored = await app.database.db.selectFrom('staff_accounts').select('totp_secret_enc').where('email', '=', login.email).executeTakeFirstOrThrow();
    assert.equal(app.cipher.decrypt(stored.totp_secret_enc!), login.totpSecret);
  }
});

test('the second step has its own rate limit per client address', async () => {
  const client = new TestClient(app.server);
  await client.submit(LOGIN, { email: OPERATOR, password: DEMO_PASSWORD });
  const token = html(await client.get('/verwaltung/anmelden/code')).querySelector('input[name="_csrf"]')!.getAttribute('value')!;
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) statuses.push((await client.post('/verwaltung/anmelden/code', { _csrf: token, code: '' })).statusCode);
  assert.deepEqual(statuses.slice(0, 9), Array(9).fill(400), 'a few typing errors are fine');
  assert.equal(statuses[10], 429, 'guessing is cut off');
});
