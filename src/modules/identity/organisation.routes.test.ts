/**
 * Business accounts over real HTTP through the demo identity provider: an organisation asserted
 * at login, acting for it, invitations by e-mail (single use), roles, removal, the last
 * administrator, and other organisations being "not found".
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

async function loggedIn(person: string, organisation = ''): Promise<BrowserClient> {
  const browser = new BrowserClient(base);
  const done = await logInWithDemoOidc(browser, { person, level: 'substantiell', fields: { organisation } });
  assert.equal(done.status, 303, done.body.slice(0, 300));
  return browser;
}

async function orgIdOf(browser: BrowserClient): Promise<string> {
  const konto = await browser.get('/konto');
  const link = konto.doc.querySelector('a[href^="/konto/organisation/"]');
  assert.ok(link, 'a link to the organisation');
  return link.getAttribute('href')!.split('/').pop()!;
}

async function latestMailLink(): Promise<string> {
  const mail = await app.database.db.selectFrom('outbound_mails').selectAll().orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow();
  return /https?:\/\/\S+/.exec(app.cipher.decrypt(mail.text_enc))![0];
}

test('a person logged in for an organisation acts for it, invites a colleague, and manages roles', async () => {
  const maria = await loggedIn('U01', 'ORG-DEMO-0001');
  const konto = await maria.get('/konto');
  assert.match(konto.doc.querySelector('main')!.text, /Sie handeln für: Bäckerei Sonnenschein GmbH \(fiktiv\)/);
  assert.equal(konto.doc.querySelector('input[name="organisation"][checked]')!.getAttribute('value'), await orgIdOf(maria));
  const orgId = await orgIdOf(maria);
  const stored = await app.database.db.selectFrom('organisations').selectAll().where('id', '=', orgId).executeTakeFirstOrThrow();
  assert.doesNotMatch(JSON.stringify(stored), /Sonnenschein|ORG-DEMO/, 'name and id not stored in the clear');

  // Act as herself, and back.
  const self = await maria.submit(konto, 'form[action="/konto/handeln-als"]', { organisation: '' });
  assert.equal(self.location, '/konto');
  assert.doesNotMatch((await maria.get('/konto')).doc.querySelector('main')!.text, /Sie handeln für/);
  await maria.submit(await maria.get('/konto'), 'form[action="/konto/handeln-als"]', { organisation: orgId });
  assert.match((await maria.get('/konto')).doc.querySelector('main')!.text, /Sie handeln für/);

  // Invite Manfred Schmidt by e-mail.
  const orgPage = await maria.get(`/konto/organisation/${orgId}`);
  assert.equal(orgPage.status, 200);
  const bad = await maria.submit(orgPage, 'form[action$="/einladen"]', { email: 'x', role: 'member' });
  assert.equal(bad.status, 400);
  const invited = await maria.submit(orgPage, 'form[action$="/einladen"]', { email: 'manfred@example.org', role: 'member' });
  assert.equal(invited.location, `/konto/organisation/${orgId}?hinweis=invited`);
  const link = await latestMailLink();
  const path = new URL(link).pathname + new URL(link).search;

  // Manfred opens the link before logging in: login, then back to the invitation.
  const manfred = new BrowserClient(base);
  const toLogin = await manfred.get(path);
  assert.equal(toLogin.location, `/anmelden?weiter=${encodeURIComponent(path)}`);
  const done = await logInWithDemoOidc(manfred, { person: 'U02', level: 'niedrig', query: `?weiter=${encodeURIComponent(path)}` });
  assert.equal(done.location, path);
  const invitation = await manfred.get(path);
  assert.match(invitation.doc.querySelector('main')!.text, /Bäckerei Sonnenschein.*„Mitglied“/s);
  const accepted = await manfred.submit(invitation, 'main form');
  assert.equal(accepted.location, `/konto/organisation/${orgId}`);
  // Single use.
  assert.equal((await manfred.submit(invitation, 'main form')).status, 400);
  assert.equal((await manfred.get(path)).status, 400);

  // A member cannot invite or change roles.
  const asMember = await manfred.get(`/konto/organisation/${orgId}`);
  assert.equal(asMember.doc.querySelector('form[action$="/einladen"]'), null);
  assert.equal((await manfred.post(`/konto/organisation/${orgId}/einladen`, { _csrf: asMember.doc.querySelector('input[name="_csrf"]')?.getAttribute('value') ?? '', email: 'a@b.de', role: 'member' })).status, 404);

  // The administrator makes Manfred an administrator, then removes him.
  const members = await maria.get(`/konto/organisation/${orgId}`);
  const manfredRole = members.doc.querySelectorAll('form[action$="/rolle"]').find((f) => !(f.parentNode?.parentNode?.text ?? '').includes('(Sie)'))!;
  const manfredId = manfredRole.getAttribute('action')!.split('/')[5]!;
  const promoted = await maria.post(manfredRole.getAttribute('action')!, { _csrf: manfredRole.querySelector('input[name="_csrf"]')!.getAttribute('value')!, role: 'administrator' });
  assert.equal(promoted.location, `/konto/organisation/${orgId}?hinweis=saved`);
  const roles = await app.database.db.selectFrom('organisation_members').select(['account_id', 'role']).where('organisation_id', '=', orgId).execute();
  assert.equal(roles.find((r) => r.account_id === manfredId)?.role, 'administrator');
  const csrf = members.doc.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
  const removed = await maria.post(`/konto/organisation/${orgId}/mitglieder/${manfredId}/entfernen`, { _csrf: csrf });
  assert.equal(removed.location, `/konto/organisation/${orgId}?hinweis=saved`);
  assert.equal((await manfred.get(`/konto/organisation/${orgId}`)).status, 404, 'no longer a member');

  // The last administrator cannot step down.
  const mariaId = roles.find((r) => r.account_id !== manfredId)!.account_id;
  const stepDown = await maria.post(`/konto/organisation/${orgId}/mitglieder/${mariaId}/rolle`, { _csrf: csrf, role: 'member' });
  assert.equal(stepDown.location, `/konto/organisation/${orgId}?hinweis=last_admin`);
  const audit = await app.database.db.selectFrom('audit_events').select('details').where('action', 'like', 'organisation.%').execute();
  assert.ok(audit.length >= 4);
  assert.doesNotMatch(JSON.stringify(audit), /manfred@|Sonnenschein/);
});

test('another organisation is not found, and one cannot act for it', async () => {
  const maria = await loggedIn('U01', 'ORG-DEMO-0001');
  const mariaOrg = await orgIdOf(maria);
  const other = await loggedIn('U03', 'ORG-DEMO-0002');
  const otherOrg = await orgIdOf(other);
  assert.notEqual(mariaOrg, otherOrg);
  assert.equal((await maria.get(`/konto/organisation/${otherOrg}`)).status, 404);
  const konto = await maria.get('/konto');
  const actAs = await maria.submit(konto, 'form[action="/konto/handeln-als"]', { organisation: otherOrg });
  assert.equal(actAs.status, 404);
  assert.match((await maria.get('/konto')).doc.querySelector('main')!.text, /Sie handeln für: Bäckerei/);
  // A second representative of the same organisation joins as member.
  const second = await loggedIn('U04', 'ORG-DEMO-0001');
  assert.equal(await orgIdOf(second), mariaOrg);
  const page = await second.get(`/konto/organisation/${mariaOrg}`);
  assert.match(page.doc.querySelector('main')!.text, /Ihre Rolle: Mitglied/);
});

test('the SAML login asserts the organisation too', async () => {
  const browser = new BrowserClient(base);
  const login = await browser.get('/anmelden?niveau=substantiell&weiter=/konto');
  const toIdp = await browser.submit(login, 'form[action="/anmelden/bundid"]');
  const choose = await browser.submit(toIdp, 'form[data-auto-submit]');
  const answer = await browser.submit(choose, 'form[action="/demo-idp/antwort"]', { person: 'U05', level: 'substantiell', organisation: 'ORG-DEMO-0003' });
  const acs = await browser.submit(answer, 'form[data-auto-submit]');
  assert.equal(acs.status, 303, acs.body.slice(0, 300));
  assert.match((await browser.get('/konto')).doc.querySelector('main')!.text, /Sie handeln für: Isar Logistik AG \(fiktiv\)/);
  const data = JSON.parse((await browser.get('/konto/daten.json')).body) as { sections: { organisations: { name: string; role: string }[] } };
  assert.deepEqual(data.sections.organisations.map((o) => [o.name, o.role]), [['Isar Logistik AG (fiktiv)', 'administrator']]);
});
