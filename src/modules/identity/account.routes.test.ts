/**
 * The account pages over real HTTP, logged in through the demo identity provider: step-up,
 * contact e-mail and phone with verification, notification preference, data export, deletion.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { BrowserClient } from '../../../test/support/browser-client.ts';
import { logInWithDemoOidc } from '../../../test/support/citizen-login.ts';

let app: TestApp;
let base: string;

before(async () => {
  app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`;
});
after(async () => {
  await app.dispose();
});

async function loggedIn(person = 'U01', level = 'niedrig'): Promise<BrowserClient> {
  const browser = new BrowserClient(base);
  const done = await logInWithDemoOidc(browser, { person, level });
  assert.equal(done.status, 303, done.body.slice(0, 300));
  return browser;
}

async function accountIdOf(browser: BrowserClient): Promise<string> {
  const sid = decodeURIComponent(browser.cookies.get('session')!).split('.')[0]!;
  const row = await app.database.db.selectFrom('sessions').select('data').where('id', '=', sid).executeTakeFirstOrThrow();
  return (row.data as { citizenId: string }).citizenId;
}

test('step-up: logged in at niedrig, a page needing hoch sends to the login at hoch and back', async () => {
  const browser = await loggedIn('U01', 'niedrig');
  const konto = await browser.get('/konto');
  assert.match(konto.doc.querySelector('main')!.text, /„niedrig“/);
  const stepUp = await browser.get('/konto/niveau?niveau=hoch&weiter=/konto%3Fhinweis%3Dpreferences_saved');
  assert.equal(stepUp.status, 303);
  assert.equal(stepUp.location, '/anmelden?niveau=hoch&weiter=%2Fkonto%3Fhinweis%3Dpreferences_saved');
  const login = await browser.get(stepUp.location!);
  assert.match(login.doc.querySelector('main')!.text, /Vertrauensniveau „hoch“ nötig/);
  // The demo provider is asked for hoch (acr_values) and preselects it.
  const redirect = await browser.submit(login, 'form[action="/anmelden/oidc"]');
  assert.equal(new URL(redirect.location!).searchParams.get('acr_values'), 'STORK-QAA-Level-4');
  const done = await logInWithDemoOidc(browser, { person: 'U01', level: 'hoch', query: '?niveau=hoch&weiter=/konto%3Fhinweis%3Dpreferences_saved' });
  assert.equal(done.location, '/konto?hinweis=preferences_saved');
  assert.match((await browser.get(done.location!)).doc.querySelector('main')!.text, /„hoch“/);
  // Now at hoch, the guard lets through.
  const again = await browser.get('/konto/niveau?niveau=hoch&weiter=/konto');
  assert.equal(again.location, '/konto');
});

test('the guard refuses return paths off this site (open redirect)', async () => {
  const browser = await loggedIn('U02', 'hoch');
  for (const target of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', '/%0d%0aLocation:x']) {
    const res = await browser.get(`/konto/niveau?niveau=niedrig&weiter=${encodeURIComponent(target)}`);
    assert.equal(res.status, 303);
    assert.ok(res.location!.startsWith('/') && !res.location!.startsWith('//') && !res.location!.startsWith('/\\'), `${target} -> ${res.location}`);
    assert.doesNotMatch(res.location!, /evil|javascript|\r|\n/);
  }
  const anonymous = new BrowserClient(base);
  const res = await anonymous.get(`/konto/niveau?niveau=hoch&weiter=${encodeURIComponent('//evil.example')}`);
  assert.equal(res.location, '/anmelden?niveau=hoch&weiter=%2Fkonto');
});

test('contact e-mail: a link through the mail service, used once; bad input re-renders with 400', async () => {
  const browser = await loggedIn('U03', 'substantiell');
  const konto = await browser.get('/konto');
  const bad = await browser.submit(konto, 'form[action="/konto/kontakt/email"]', { email: 'kein-at' });
  assert.equal(bad.status, 400);
  assert.match(bad.doc.querySelector('.error-summary')!.text, /Format name@beispiel\.de/);
  assert.equal(bad.doc.querySelector('#email')!.getAttribute('value'), 'kein-at');
  assert.equal(bad.doc.querySelector('#email')!.getAttribute('aria-invalid'), 'true');

  const sent = await browser.submit(konto, 'form[action="/konto/kontakt/email"]', { email: 'neu@example.org' });
  assert.equal(sent.location, '/konto?hinweis=email_sent');
  const pendingPage = await browser.get('/konto');
  assert.match(pendingPage.doc.querySelector('main')!.text, /Noch nicht bestätigt: neu@example\.org/);
  const mail = (await app.database.db.selectFrom('outbound_mails').selectAll().orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow());
  assert.equal(app.cipher.decrypt(mail.recipient_enc), 'neu@example.org');
  const link = /https?:\/\/\S+/.exec(app.cipher.decrypt(mail.text_enc))![0];
  assert.ok(link.startsWith(`${base}/konto/kontakt/bestaetigen?token=`));
  // Opening the link changes nothing yet (mail scanners); the button does.
  const confirmPage = await browser.get(link);
  assert.equal(confirmPage.status, 200);
  const confirmed = await browser.submit(confirmPage, 'main form');
  assert.equal(confirmed.location, '/konto?hinweis=email_verified');
  const after = await browser.get('/konto');
  assert.match(after.doc.querySelector('main')!.text, /Kontakt-E-Mail-Adresse\s*neu@example\.org/);
  // The token is single-use.
  const reuse = await browser.submit(confirmPage, 'main form');
  assert.equal(reuse.status, 400);
  assert.match(reuse.doc.querySelector('main')!.text, /schon verwendet/);
  const row = await app.database.db.selectFrom('citizen_accounts').select('contact_email_enc').where('id', '=', await accountIdOf(browser)).executeTakeFirstOrThrow();
  assert.doesNotMatch(row.contact_email_enc!, /example/, 'stored encrypted');
});

test('contact phone: a code by (captured) text message; wrong codes count, five end the attempt', async () => {
  const browser = await loggedIn('U04', 'substantiell');
  const konto = await browser.get('/konto');
  const sent = await browser.submit(konto, 'form[action="/konto/kontakt/telefon"]', { phone: '0151 2345 6789' });
  assert.equal(sent.status, 303);
  const sms = await app.database.db.selectFrom('captured_text_messages').selectAll().orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow();
  assert.equal(app.cipher.decrypt(sms.to_enc), '+4915123456789');
  const code = /\b(\d{6})\b/.exec(app.cipher.decrypt(sms.body_enc))![1]!;
  const withForm = await browser.get('/konto');
  const wrongCode = code === '000000' ? '111111' : '000000';
  const wrong = await browser.submit(withForm, 'form[action="/konto/kontakt/telefon/code"]', { code: wrongCode });
  assert.equal(wrong.status, 400);
  assert.match(wrong.doc.querySelector('.error-summary')!.text, /Code stimmt nicht/);
  const ok = await browser.submit(withForm, 'form[action="/konto/kontakt/telefon/code"]', { code });
  assert.equal(ok.location, '/konto?hinweis=phone_verified');
  assert.match((await browser.get('/konto')).doc.querySelector('main')!.text, /Telefonnummer\s*\+4915123456789/);

  // Five wrong codes: the pending number is dropped, even the right code no longer works.
  await browser.submit(await browser.get('/konto'), 'form[action="/konto/kontakt/telefon"]', { phone: '+49 170 1111111' });
  const sms2 = await app.database.db.selectFrom('captured_text_messages').selectAll().orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow();
  const code2 = /\b(\d{6})\b/.exec(app.cipher.decrypt(sms2.body_enc))![1]!;
  const page = await browser.get('/konto');
  const bad = code2 === '999999' ? '888888' : '999999';
  for (let i = 0; i < 5; i++) await browser.submit(page, 'form[action="/konto/kontakt/telefon/code"]', { code: bad });
  const late = await browser.submit(page, 'form[action="/konto/kontakt/telefon/code"]', { code: code2 });
  assert.equal(late.status, 400);
  assert.match((await browser.get('/konto')).doc.querySelector('main')!.text, /Telefonnummer\s*\+4915123456789/, 'the old number stays');

  // The operators see captured text messages; citizens do not.
  assert.equal((await browser.get('/betrieb/sms')).status, 303);
});

test('notification preference is saved', async () => {
  const browser = await loggedIn('U05', 'niedrig');
  const konto = await browser.get('/konto');
  assert.equal(konto.doc.querySelector('input[name="mailboxEmail"][checked]')!.getAttribute('value'), 'ja');
  const saved = await browser.submit(konto, 'form[action="/konto/benachrichtigungen"]', { mailboxEmail: 'nein' });
  assert.equal(saved.location, '/konto?hinweis=preferences_saved');
  const after = await browser.get(saved.location!);
  assert.equal(after.doc.querySelector('input[name="mailboxEmail"][checked]')!.getAttribute('value'), 'nein');
  assert.match(after.doc.querySelector('[role="status"]')!.text, /gespeichert/);
  const none = await browser.submit(konto, 'form[action="/konto/benachrichtigungen"]', {});
  assert.equal(none.status, 400);
});

test('download my data: JSON and a readable page with identity, contact data and login history, decrypted', async () => {
  const browser = await loggedIn('U01', 'substantiell');
  const json = await browser.get('/konto/daten.json');
  assert.equal(json.status, 200);
  const data = JSON.parse(json.body) as { sections: { account: Record<string, unknown> & { fromIdentity: Record<string, unknown>; loginHistory: { action: string; method: string; level: string }[] } } };
  assert.equal(data.sections.account.fromIdentity.familyName, 'Neumann');
  assert.equal(data.sections.account.fromIdentity.birthDate, '1964-08-12');
  assert.ok(data.sections.account.loginHistory.some((h) => h.action === 'citizen.login' && h.method === 'oidc' && h.level === 'substantiell'));
  const page = await browser.get('/konto/daten');
  assert.equal(page.status, 200);
  const main = page.doc.querySelector('main')!.text;
  assert.match(main, /Neumann/);
  assert.match(main, /citizen\.login/);
  assert.equal((await new BrowserClient(base).get('/konto/daten.json')).status, 303, 'not without login');
});

test('account deletion: explained, confirmed, personal data and all sessions gone, logged out', async () => {
  const browser = await loggedIn('U06', 'substantiell');
  const second = await loggedIn('U06', 'niedrig');
  const id = await accountIdOf(browser);
  const page = await browser.get('/konto/loeschen');
  assert.match(page.doc.querySelector('main')!.text, /Aufbewahrungsfrist/);
  const unconfirmed = await browser.submit(page, 'main form');
  assert.equal(unconfirmed.status, 400);
  assert.match(unconfirmed.doc.querySelector('.error-summary')!.text, /Bestätigen Sie/);
  const deleted = await browser.submit(page, 'main form', { confirm: 'ja' });
  assert.equal(deleted.location, '/konto/geloescht');
  assert.equal((await browser.get('/konto')).status, 303, 'logged out');
  assert.equal((await second.get('/konto')).status, 303, 'the other session is gone too');
  const row = await app.database.db.selectFrom('citizen_accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  assert.ok(row.deleted_at);
  for (const v of [row.given_name_enc, row.family_name_enc, row.address_enc, row.birth_date_enc, row.email_enc, row.contact_email_enc]) assert.equal(v, null);
  assert.equal(row.bpk2_hash, `deleted:${id}`);
  const audit = await app.database.db.selectFrom('audit_events').select('action').where('actor_id', '=', id).where('action', '=', 'citizen.account_deleted').execute();
  assert.equal(audit.length, 1);
  // Logging in again makes a new, empty account.
  const again = await loggedIn('U06', 'niedrig');
  assert.notEqual(await accountIdOf(again), id);
});

test('logout after an OpenID Connect login ends the session here and, once confirmed, at the provider', async () => {
  const browser = await loggedIn('U07', 'niedrig');
  const out = await browser.submit(await browser.get('/konto'), 'main form[action="/abmelden"]');
  assert.equal(out.status, 303);
  const endSession = new URL(out.location!);
  assert.equal(endSession.origin + endSession.pathname, `${base}/demo-idp/oidc/session/end`);
  assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${base}/abgemeldet/anmeldedienst`);
  assert.equal((await browser.get('/konto')).status, 303, 'logged out of the portal at once');
  const confirm = await browser.get(out.location!);
  assert.equal(confirm.status, 200, confirm.body.slice(0, 300));
  assert.match(confirm.doc.querySelector('.demo-idp-banner')!.text, /Testdienst/);
  const back = await browser.follow(await browser.submit(confirm, 'form[id="op.logoutForm"]', { logout: 'yes' }));
  assert.equal(new URL(back.url).pathname, '/abgemeldet/anmeldedienst');
  assert.match(back.doc.querySelector('main')!.text, /auch beim Anmeldedienst abgemeldet/);
});

test('logout after a SAML login ends the session here and, through single logout, at the login service', async () => {
  const browser = new BrowserClient(base);
  const login = await browser.get('/anmelden');
  const toIdp = await browser.submit(login, 'form[action="/anmelden/bundid"]');
  const choose = await browser.submit(toIdp, 'form[data-auto-submit]');
  const answer = await browser.submit(choose, 'form[action="/demo-idp/antwort"]', { person: 'U07', level: 'niedrig' });
  assert.equal((await browser.submit(answer, 'form[data-auto-submit]')).status, 303);
  const out = await browser.submit(await browser.get('/konto'), 'main form[action="/abmelden"]');
  assert.equal(out.status, 200);
  assert.equal((await browser.get('/konto')).status, 303, 'logged out of the portal at once');
  const atIdp = await browser.submit(out, 'form[data-auto-submit]');
  const back = await browser.submit(atIdp, 'form[data-auto-submit]');
  assert.equal(back.location, '/abgemeldet/bundid');
  assert.match((await browser.get('/abgemeldet/bundid')).doc.querySelector('main')!.text, /Auch beim Anmeldedienst \(BundID\) sind Sie abgemeldet/);
  // Without a confirmed single logout the page says that the login service may still hold a session.
  assert.match((await browser.get('/abgemeldet')).doc.querySelector('main')!.text, /womöglich noch angemeldet/);
});

test('mailboxNoticeAddress: the identity address, the verified contact address first, nothing when the citizen said no', async () => {
  const { mailboxNoticeAddress } = await import('./index.ts');
  const browser = await loggedIn('U05', 'niedrig');
  const id = await accountIdOf(browser);
  await browser.submit(await browser.get('/konto'), 'form[action="/konto/benachrichtigungen"]', { mailboxEmail: 'ja' });
  const row = await app.database.db.selectFrom('citizen_accounts').select('email_enc').where('id', '=', id).executeTakeFirstOrThrow();
  const identityEmail = app.cipher.decryptOptional(row.email_enc);
  assert.ok(identityEmail);
  assert.equal(await mailboxNoticeAddress(app.database.db, app.cipher, id), identityEmail);
  await app.database.db.updateTable('citizen_accounts').set({ contact_email_enc: app.cipher.encrypt('kontakt@example.org') }).where('id', '=', id).execute();
  assert.equal(await mailboxNoticeAddress(app.database.db, app.cipher, id), 'kontakt@example.org');
  await browser.submit(await browser.get('/konto'), 'form[action="/konto/benachrichtigungen"]', { mailboxEmail: 'nein' });
  assert.equal(await mailboxNoticeAddress(app.database.db, app.cipher, id), null);
});
