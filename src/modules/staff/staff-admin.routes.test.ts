import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import { logInStaff } from '../../../test/support/staff.ts';
import { DEMO_PASSWORD } from '../../demo/seed-demo-data.ts';
import { addMembership, hashPassword, upsertStaffAccount } from './index.ts';

let app: TestApp;
before(async () => { app = await createTestApp(); });
after(async () => { await app.dispose(); });

const ADMIN_LK = 'verwaltung@landkreis-coburg.demo.digitales-amt.de';
const CASEWORKER_COBURG = 'sachbearbeitung@coburg.demo.digitales-amt.de';
const MEMBERS = '/verwaltung/mitarbeitende';
const NETWORKS = '/verwaltung/netzwerke';

const db = () => app.database.db;
const summary = (res: { body: string }) => html(res as never).querySelectorAll('.error-summary a').map((a) => [a.getAttribute('href'), a.text]);
async function idOf(email: string) { return (await db().selectFrom('staff_accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id; }
async function tenantId(slug: string) { return (await db().selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id; }
async function audit(action: string) { return db().selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('id').execute(); }
async function createStaff(email: string, memberships: [string, 'editor' | 'tenant_admin' | 'caseworker'][], password = DEMO_PASSWORD) {
  const id = await upsertStaffAccount(db(), { email, displayName: email.split('@')[0]!, passwordHash: await hashPassword(password) });
  for (const [slug, role] of memberships) await addMembership(db(), await tenantId(slug), id, role);
  return id;
}

test('changing the password: the rules (length, breached, match) with field errors; success ends the other sessions', async () => {
  const email = 'passwort@coburg.demo.digitales-amt.de';
  await createStaff(email, [['coburg', 'caseworker']]);
  const { client } = await logInStaff(app, email);
  const other = await logInStaff(app, email);
  const cases: [Record<string, string>, string, string][] = [
    [{ current: 'falsch-falsch', password: 'ein langes neues Passwort', confirm: 'ein langes neues Passwort' }, '#current', 'Das bisherige Passwort ist nicht richtig'],
    [{ current: DEMO_PASSWORD, password: 'kurz', confirm: 'kurz' }, '#password', 'Das Passwort muss mindestens 12 Zeichen lang sein'],
    [{ current: DEMO_PASSWORD, password: '1qaz2wsx3edc', confirm: '1qaz2wsx3edc' }, '#password', 'Dieses Passwort ist aus Datenlecks bekannt. Wählen Sie ein anderes'],
    [{ current: DEMO_PASSWORD, password: 'QWERTY123456', confirm: 'QWERTY123456' }, '#password', 'Dieses Passwort ist aus Datenlecks bekannt. Wählen Sie ein anderes'],
    [{ current: DEMO_PASSWORD, password: 'ein langes neues Passwort', confirm: 'ein anderes' }, '#confirm', 'Die beiden Passwörter stimmen nicht überein'],
  ];
  for (const [fields, field, message] of cases) {
    const res = await client.submit('/verwaltung/passwort', fields, '/verwaltung/passwort');
    assert.equal(res.statusCode, 400, message);
    assert.deepEqual(summary(res), [[field, message]]);
    assert.equal(html(res).querySelector('#password')!.getAttribute('value'), '', 'passwords are never echoed');
  }
  const ok = await client.submit('/verwaltung/passwort', { current: DEMO_PASSWORD, password: 'Kirschbaum im Hofgarten 7', confirm: 'Kirschbaum im Hofgarten 7' }, '/verwaltung/passwort');
  assert.equal(ok.statusCode, 303);
  assert.match(html(await client.get(String(ok.headers.location))).querySelector('.notice')!.text, /Passwort wurde geändert/);
  assert.equal((await client.get('/verwaltung')).statusCode, 200, 'this session stays');
  assert.equal((await other.client.get('/verwaltung')).statusCode, 303, 'the other session ended');
  assert.equal((await logInStaff(app, email)).res.statusCode, 400, 'the old password no longer works');
  assert.equal((await logInStaff(app, email, { password: 'Kirschbaum im Hofgarten 7' })).res.statusCode, 303);
  const changed = await audit('staff.password_changed');
  assert.equal(changed.length, 1);
  assert.doesNotMatch(JSON.stringify(changed), /Kirschbaum|passwort@/);
});

test('a tenant admin invites a new member by e-mail; the invitation sets a password (rules apply), once; the first login enrols the second factor', async () => {
  const { client: admin } = await logInStaff(app, ADMIN_LK);
  const invalid = await admin.submit(MEMBERS, { displayName: '', email: 'kein-at' }, MEMBERS);
  assert.equal(invalid.statusCode, 400);
  assert.deepEqual(summary(invalid).map(([f]) => f), ['#displayName', '#email', '#roles']);
  assert.equal(html(invalid).querySelector('#email')!.getAttribute('value'), 'kein-at');

  const added = await admin.submit(MEMBERS, { displayName: 'Nina Neu', email: 'Nina.Neu@Landkreis-Coburg.demo.digitales-amt.de', roles: ['editor', 'caseworker', 'ministry'] }, MEMBERS);
  assert.equal(added.statusCode, 303);
  const list = html(await admin.get(String(added.headers.location)));
  assert.match(list.querySelector('.notice')!.text, /Hinzugefügt/);
  const row = list.querySelectorAll('tbody tr').find((r) => r.text.includes('Nina Neu'))!;
  assert.match(row.text, /Sachbearbeitung, Redaktion/);
  assert.doesNotMatch(row.text, /Staatsministerium/, 'the ministry role cannot be granted by a district office');
  assert.match(row.text, /noch nicht eingerichtet/);
  const ninaId = await idOf('nina.neu@landkreis-coburg.demo.digitales-amt.de');
  assert.equal((await audit('staff.invited')).at(-1)!.subject_id, ninaId);
  assert.equal((await audit('staff.membership_added')).at(-1)!.details.roles, 'caseworker,editor');
  assert.doesNotMatch(JSON.stringify(await audit('staff.membership_added')), /nina/i);

  // The invitation mail, with a link that sets the first password.
  await app.worker.drain();
  const mail = (await db().selectFrom('outbound_mails').selectAll().orderBy('created_at', 'desc').execute())
    .map((m) => ({ to: app.cipher.decrypt(m.recipient_enc), text: app.cipher.decrypt(m.text_enc) }))
    .find((m) => m.to === 'nina.neu@landkreis-coburg.demo.digitales-amt.de')!;
  const link = /http:\/\/[^/\s]+(\/verwaltung\/einladung\/[\w-]+)/.exec(mail.text)![1]!;
  assert.equal((await logInStaff(app, 'nina.neu@landkreis-coburg.demo.digitales-amt.de', { password: 'irgendein Passwort' })).res.statusCode, 400, 'no login before the invitation is used');
  const nina = new TestClient(app.server);
  const weak = await nina.submit(link, { password: 'password1234', confirm: 'password1234' });
  assert.equal(weak.statusCode, 400);
  assert.deepEqual(summary(weak), [['#password', 'Dieses Passwort ist aus Datenlecks bekannt. Wählen Sie ein anderes']]);
  const set = await nina.submit(link, { password: 'Veste Coburg im Nebel', confirm: 'Veste Coburg im Nebel' });
  assert.equal(set.statusCode, 303);
  assert.equal(set.headers.location, '/verwaltung/anmelden?eingeladen=1');
  assert.equal((await nina.get(link)).statusCode, 404, 'used once');
  assert.equal((await nina.get('/verwaltung/einladung/erfunden')).statusCode, 404);
  const login = await logInStaff(app, 'nina.neu@landkreis-coburg.demo.digitales-amt.de', { password: 'Veste Coburg im Nebel' });
  assert.equal(login.passwordRes.headers.location, '/verwaltung/anmelden/einrichten');
  assert.equal(login.recoveryCodes.length, 10);
  assert.match(html(await login.client.get('/verwaltung')).querySelector('main')!.text, /Landratsamt Coburg/);
});

test('a tenant admin adds an existing account, changes roles (audited), cannot drop their own admin role, removes a member; another tenant\'s staff are "not found"', async () => {
  const { client: admin } = await logInStaff(app, ADMIN_LK);
  const caseworkerId = await idOf(CASEWORKER_COBURG);
  assert.equal((await admin.get(`${MEMBERS}/${caseworkerId}`)).statusCode, 404, 'not a member of the district office yet');
  const form = html(await admin.get(MEMBERS)).querySelector(`form[action="${MEMBERS}"] input[name="_csrf"]`)!.getAttribute('value')!;
  assert.equal((await admin.post(`${MEMBERS}/${caseworkerId}`, { _csrf: form, roles: 'tenant_admin' })).statusCode, 404, 'a forged change for a foreign member');
  assert.deepEqual(await db().selectFrom('staff_memberships').select('role').where('staff_account_id', '=', caseworkerId).execute(), [{ role: 'caseworker' }]);

  const added = await admin.submit(MEMBERS, { displayName: 'egal', email: CASEWORKER_COBURG, roles: 'caseworker' }, MEMBERS);
  assert.equal(added.statusCode, 303);
  const again = await admin.submit(MEMBERS, { displayName: 'egal', email: CASEWORKER_COBURG, roles: 'editor' }, MEMBERS);
  assert.equal(again.statusCode, 400);
  assert.deepEqual(summary(again), [['#email', 'Diese Person gehört schon zu Ihrer Behörde. Ändern Sie ihre Rollen in der Liste']]);
  // The caseworker now belongs to two tenants and switches between them.
  const { client: caseworker } = await logInStaff(app, CASEWORKER_COBURG);
  assert.deepEqual(html(await caseworker.get('/verwaltung')).querySelectorAll('#tenant-switch option').map((o) => o.text), ['Landratsamt Coburg', 'Stadt Coburg']);

  const changed = await admin.submit(`${MEMBERS}/${caseworkerId}`, { roles: 'editor' }, `${MEMBERS}/${caseworkerId}`);
  assert.equal(changed.statusCode, 303);
  const event = (await audit('staff.roles_changed')).at(-1)!;
  assert.deepEqual([event.subject_id, event.details.added, event.details.removed, event.tenant_id], [caseworkerId, 'editor', 'caseworker', await tenantId('landkreis-coburg')]);
  const none = await admin.submit(`${MEMBERS}/${caseworkerId}`, {}, `${MEMBERS}/${caseworkerId}`);
  assert.equal(none.statusCode, 400);
  assert.deepEqual(summary(none), [['#roles', 'Wählen Sie mindestens eine Rolle']]);

  const adminId = await idOf(ADMIN_LK);
  const self = await admin.submit(`${MEMBERS}/${adminId}`, { roles: 'caseworker' }, `${MEMBERS}/${adminId}`);
  assert.equal(self.statusCode, 400);
  assert.deepEqual(summary(self), [['#roles', 'Sie können sich nicht selbst die Verwaltung der Behörde entziehen']]);

  const doc = html(await admin.get(`${MEMBERS}/${caseworkerId}`));
  const removeForm = doc.querySelector('form.remove-member')!;
  const res = await admin.post(`${MEMBERS}/${caseworkerId}`, { _csrf: removeForm.querySelector('input[name="_csrf"]')!.getAttribute('value')!, action: 'remove' });
  assert.equal(res.statusCode, 303);
  assert.equal((await audit('staff.membership_removed')).at(-1)!.subject_id, caseworkerId);
  assert.deepEqual(await db().selectFrom('staff_memberships').select('role').where('staff_account_id', '=', caseworkerId).execute(), [{ role: 'caseworker' }], 'Coburg membership untouched');

  // Not a tenant admin: the pages are "not found".
  for (const url of [MEMBERS, NETWORKS, `${MEMBERS}/${adminId}`]) assert.equal((await caseworker.get(url)).statusCode, 404, url);
});

test('network allowlist: CIDR validation, refusing a self-lockout, 403 from elsewhere (IPv4 and IPv6), login and other tenants unaffected', async () => {
  const email = 'netz@coburg.demo.digitales-amt.de';
  await createStaff(email, [['coburg', 'tenant_admin']]);
  const inside = new TestClient(app.server, '192.0.2.10');
  await logInStaff(app, email, { client: inside });
  const bad = await inside.submit(NETWORKS, { networks: '192.0.2.0/24\n10.0.0.0/33' }, NETWORKS);
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(summary(bad), [['#networks', 'Zeile 2 ist kein Netzwerk in CIDR-Schreibweise: 10.0.0.0/33']]);
  assert.equal(html(bad).querySelector('#networks')!.text, '192.0.2.0/24\n10.0.0.0/33');
  const lockout = await inside.submit(NETWORKS, { networks: '10.0.0.0/8\n2001:db8::/32' }, NETWORKS);
  assert.equal(lockout.statusCode, 400);
  assert.match(summary(lockout)[0]![1]!, /Ihre eigene Adresse \(192\.0\.2\.10\) liegt in keinem dieser Netzwerke/);
  assert.equal((await db().selectFrom('tenant_staff_networks').selectAll().execute()).length, 0, 'nothing stored');

  const saved = await inside.submit(NETWORKS, { networks: ' 192.0.2.0/24 \n\n2001:DB8::/32\n198.51.100.7' }, NETWORKS);
  assert.equal(saved.statusCode, 303);
  assert.equal(html(await inside.get(String(saved.headers.location))).querySelector('#networks')!.text, '192.0.2.0/24\n198.51.100.7/32\n2001:db8::/32');
  assert.equal((await audit('staff.networks_changed')).at(-1)!.details.networks, 3);

  // From outside the networks: the login works, every staff page of the tenant answers 403.
  const outside = new TestClient(app.server, '203.0.113.5');
  const login = await logInStaff(app, email, { client: outside });
  assert.equal(login.res.statusCode, 303);
  const refused = await outside.get('/verwaltung');
  assert.equal(refused.statusCode, 403);
  assert.equal(html(refused).querySelector('h1')!.text, 'Kein Zugriff');
  assert.equal((await outside.get('/verwaltung/leistungen')).statusCode, 403);
  assert.equal((await outside.get('/')).statusCode, 200, 'public pages stay reachable');
  // Inside by IPv6, by a single host, and IPv4-mapped IPv6.
  for (const address of ['2001:db8:1::5', '198.51.100.7', '::ffff:192.0.2.77']) {
    const client = new TestClient(app.server, address);
    await logInStaff(app, email, { client });
    assert.equal((await client.get('/verwaltung')).statusCode, 200, address);
  }
  // A forwarded header is ignored without TRUST_PROXY.
  assert.equal((await outside.get('/verwaltung', { 'x-forwarded-for': '192.0.2.10' })).statusCode, 403);
  // Staff of another tenant are not affected.
  const other = new TestClient(app.server, '203.0.113.5');
  await logInStaff(app, CASEWORKER_COBURG, { client: other });
  const coburgIsRestricted = (await other.get('/verwaltung')).statusCode;
  assert.equal(coburgIsRestricted, 403, 'the Coburg caseworker works for Coburg too');
  const district = new TestClient(app.server, '203.0.113.5');
  await logInStaff(app, ADMIN_LK, { client: district });
  assert.equal((await district.get('/verwaltung')).statusCode, 200);
  await db().deleteFrom('tenant_staff_networks').execute();
});

test('behind a trusted proxy the forwarded client address counts', async () => {
  const proxied = await createTestApp({ TRUST_PROXY: 'true' });
  try {
    const email = 'proxy@coburg.demo.digitales-amt.de';
    const id = await upsertStaffAccount(proxied.database.db, { email, displayName: 'Proxy', passwordHash: await hashPassword(DEMO_PASSWORD) });
    const coburg = (await proxied.database.db.selectFrom('tenants').select('id').where('slug', '=', 'coburg').executeTakeFirstOrThrow()).id;
    await addMembership(proxied.database.db, coburg, id, 'tenant_admin');
    await proxied.database.db.insertInto('tenant_staff_networks').values({ tenant_id: coburg, cidr: '192.0.2.0/24' }).execute();
    const client = new TestClient(proxied.server, '127.0.0.1');
    await logInStaff(proxied, email, { client });
    assert.equal((await client.get('/verwaltung', { 'x-forwarded-for': '192.0.2.44' })).statusCode, 200);
    assert.equal((await client.get('/verwaltung', { 'x-forwarded-for': '203.0.113.5' })).statusCode, 403);
    assert.equal((await client.get('/verwaltung')).statusCode, 403, 'the proxy itself is not in the network');
  } finally {
    await proxied.dispose();
  }
});
