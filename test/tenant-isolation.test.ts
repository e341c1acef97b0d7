/**
 * Tenant isolation over every staff route: the test walks all routes registered in Fastify under
 * the staff prefixes and requests each (GET and POST) with the session of a staff member of another
 * tenant who holds every tenant role there. Route parameters are filled with ids of the victim
 * tenant's resources, and every form field that names a tenant or a resource names the victim's.
 * No answer may carry the victim's data, a route naming a victim's resource must answer 403/404,
 * and the victim's data must be unchanged afterwards. A new staff route is walked automatically;
 * one with a new kind of parameter fails until the parameter is added to PARAMS below.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from './support/app.ts';
import { html, TestClient } from './support/http.ts';
import { logInStaff } from './support/staff.ts';
import { addMembership, hashPassword, isStaffRoute, upsertStaffAccount } from '../src/modules/staff/index.ts';
import { DEMO_PASSWORD } from '../src/demo/seed-demo-data.ts';
import { postToApplicant, startGeneralThread } from '../src/modules/mailbox/index.ts';
import { createTenantKeys } from '../src/platform/crypto/tenant-keys.ts';
import { storeUpload } from '../src/platform/uploads/index.ts';

let app: TestApp;
before(async () => { app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' }); });
after(async () => { await app.dispose(); });

const MARK = `GEHEIM-${randomBytes(4).toString('hex')}`;
const LEIKA = '99102013000000';
const VICTIM_AGS = '09162000';

interface Victim {
  tenantId: string;
  procedureId: string;
  staffId: string;
  mailId: string;
  formId: string;
  threadId: string;
  attachmentId: string;
  caseId: string;
  uploadId: string;
  targetId: string;
  clientId: string;
}

/** Data of the victim tenant (München), each piece carrying the marker. */
async function seedVictim(): Promise<Victim> {
  const db = app.database.db;
  const tenantId = (await db.selectFrom('tenants').select('id').where('slug', '=', 'muenchen').executeTakeFirstOrThrow()).id;
  await db.insertInto('local_service_texts').values({ tenant_id: tenantId, leika_key: LEIKA, fees: `${MARK} Gebühr`, contact: `${MARK} Kontakt`, local_requirements: null, version: 1 }).execute();
  const procedure = await db.insertInto('online_procedures').values({
    tenant_id: tenantId, leika_key: LEIKA, name: `${MARK} Verfahren`, kind: 'external', url: `https://${MARK.toLowerCase()}.example/antrag`, maturity_model: '1', maturity_level: 3,
  }).returning('id').executeTakeFirstOrThrow();
  const staffId = await upsertStaffAccount(db, { email: `${MARK.toLowerCase()}@muenchen.demo.digitales-amt.de`, displayName: `${MARK} Person`, passwordHash: await hashPassword(DEMO_PASSWORD) });
  await addMembership(db, tenantId, staffId, 'caseworker');
  await db.insertInto('tenant_staff_networks').values({ tenant_id: tenantId, cidr: '198.18.77.0/24' }).execute();
  // Authorities are shared contact data (no marker); the override for the victim's area must survive the walk.
  const authority = 'state:landesamt-test';
  await db.insertInto('authorities').values({ key: authority, name: 'Landesamt (Test)' }).onConflict((oc) => oc.doNothing()).execute();
  await db.insertInto('responsibility_overrides').values({ leika_key: LEIKA, area_kind: 'municipality', area_code: VICTIM_AGS, authority_key: authority }).execute();
  const mailId = await app.mail.queue(db, { to: `${MARK.toLowerCase()}@example.org`, subject: `${MARK} Betreff`, text: `${MARK} Text`, tenantId });
  // A form of the victim, not shared for reuse: another tenant may neither see nor adopt it.
  const form = await db.insertInto('forms').values({ owner_tenant_id: tenantId, slug: 'geheim', title: `${MARK} Formular` }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('form_versions').values({ form_id: form.id, version: 1, definition: JSON.stringify({ format: 1, title: { de: `${MARK} Formular` }, steps: [{ id: 's', title: { de: 'S' }, items: [{ kind: 'text', id: 't', text: { de: MARK } }] }] }) }).execute();
  // A mailbox thread of the victim with a message from the applicant and the authority's answer with an attachment.
  const tenantKeys = createTenantKeys(app.cipher);
  const citizen = await db.insertInto('citizen_accounts').values({ bpk2_hash: `victim-${MARK}`, last_trust_level: 'substantiell' }).returning('id').executeTakeFirstOrThrow();
  const { threadId } = await startGeneralThread({ db, tenantKeys }, {
    owner: { accountId: citizen.id, organisationId: null }, tenantId, subject: `${MARK} Betreff`, body: `${MARK} Frage`, trustLevel: 'substantiell', attachments: [],
  });
  const { attachmentIds } = await db.transaction().execute((tx) => postToApplicant(tx, { tenantKeys, cipher: app.cipher, mail: app.mail, publicUrl: 'http://localhost' }, {
    tenantId, threadId, kind: 'message', senderStaffId: staffId, body: `${MARK} Antwort`,
    attachments: [{ fileName: `${MARK}.png`, mediaType: 'image/png', bytes: Buffer.from('89504e470d0a1a0a', 'hex') }],
  }));
  // A submitted application of the victim (its case), with evidence, an internal note and a decision draft.
  const dogTax = await db.selectFrom('application_procedures').select(['online_procedure_id', 'form_id', 'form_version']).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  const application = await db.insertInto('applications').values({
    reference: `DA-2026-9${String(Date.now()).slice(-6)}`, procedure_id: dogTax.online_procedure_id, tenant_id: tenantId, form_id: dogTax.form_id, form_version: dogTax.form_version,
    account_id: citizen.id, ags: VICTIM_AGS, status: 'submitted', answers_enc: app.cipher.encrypt(JSON.stringify({ notiz: MARK })), trust_level: 'substantiell', submitted_at: new Date(),
  }).returning(['id', 'reference']).executeTakeFirstOrThrow();
  await db.insertInto('cases').values({
    id: application.id, tenant_id: tenantId, procedure_id: dogTax.online_procedure_id, reference: application.reference!, submitted_at: new Date(),
    account_id: citizen.id, applicant_name_enc: app.cipher.encrypt(`${MARK} Antragsteller`), applicant_terms: [],
  }).execute();
  const { uploadId } = await storeUpload(db, tenantKeys, { tenantId, ownerKind: 'application', ownerId: application.id, fileName: `${MARK}.png`, mediaType: 'image/png', bytes: Buffer.from('89504e470d0a1a0a', 'hex') });
  const noteBody = await tenantKeys.encryptText(db, tenantId, `${MARK} Notiz`, 'case_notes.body:00000000-0000-4000-8000-000000000001');
  await db.insertInto('case_notes').values({ id: '00000000-0000-4000-8000-000000000001', tenant_id: tenantId, case_id: application.id, author_id: staffId, body_enc: noteBody, key_version: tenantKeys.versionOf(noteBody) }).execute();
  const decisionBody = await tenantKeys.encryptText(db, tenantId, `${MARK} Bescheid`, `decisions.body:${application.id}`);
  await db.insertInto('decisions').values({ tenant_id: tenantId, case_id: application.id, outcome: 'granted', title: `${MARK} Titel`, body_enc: decisionBody, key_version: tenantKeys.versionOf(decisionBody) }).execute();
  // Decision templates of the victim's procedures (per outcome): another tenant may neither read nor change them.
  for (const procedureId of [dogTax.online_procedure_id, procedure.id]) {
    for (const outcome of ['refused', 'general'] as const) {
      await db.insertInto('decision_templates').values({ tenant_id: tenantId, procedure_id: procedureId, outcome, title: `${MARK} Vorlage`, body: `${MARK} Gründe:\n\n${MARK}` })
        .onConflict((oc) => oc.columns(['tenant_id', 'procedure_id', 'outcome']).doUpdateSet({ title: `${MARK} Vorlage`, body: `${MARK} Gründe:\n\n${MARK}` })).execute();
    }
  }
  // A delivery target and an API client of the victim (case-delivery): another tenant may neither see nor change them.
  const target = await db.insertInto('case_delivery_targets').values({ tenant_id: tenantId, kind: 'webhook', name: `${MARK} Fachverfahren`, url: `https://${MARK.toLowerCase()}.example/hook`, secret_enc: 'x' }).returning('id').executeTakeFirstOrThrow();
  const client = await db.insertInto('integration_clients').values({ tenant_id: tenantId, name: `${MARK} Zugang`, token_hash: randomBytes(32).toString('hex') }).returning('id').executeTakeFirstOrThrow();
  return { tenantId, procedureId: procedure.id, staffId, mailId, formId: form.id, threadId, attachmentId: attachmentIds[0]!, caseId: application.id, uploadId, targetId: target.id, clientId: client.id };
}

/** Everything the victim tenant owns, to compare before and after the walk. */
async function snapshot(victim: Victim): Promise<string> {
  const db = app.database.db;
  return JSON.stringify({
    texts: await db.selectFrom('local_service_texts').selectAll().where('tenant_id', '=', victim.tenantId).orderBy('leika_key').execute(),
    versions: await db.selectFrom('local_service_text_versions').selectAll().where('tenant_id', '=', victim.tenantId).orderBy('leika_key').orderBy('version').execute(),
    procedures: await db.selectFrom('online_procedures').selectAll().where('tenant_id', '=', victim.tenantId).orderBy('id').execute(),
    members: await db.selectFrom('staff_memberships').selectAll().where('tenant_id', '=', victim.tenantId).orderBy('staff_account_id').orderBy('role').execute(),
    networks: await db.selectFrom('tenant_staff_networks').selectAll().where('tenant_id', '=', victim.tenantId).execute(),
    overrides: await db.selectFrom('responsibility_overrides').selectAll().where('area_code', '=', VICTIM_AGS).execute(),
    forms: await db.selectFrom('forms').selectAll().where('owner_tenant_id', '=', victim.tenantId).orderBy('id').execute(),
    formVersions: await db.selectFrom('form_versions').innerJoin('forms', 'forms.id', 'form_versions.form_id').select(['form_versions.form_id', 'form_versions.version']).where('forms.owner_tenant_id', '=', victim.tenantId).execute(),
    applicationProcedures: await db.selectFrom('application_procedures').selectAll().where('tenant_id', '=', victim.tenantId).orderBy('online_procedure_id').execute(),
    awards: await db.selectFrom('digitales_amt_awards').selectAll().where('tenant_id', '=', victim.tenantId).execute(),
    mailboxThreads: await db.selectFrom('mailbox_threads').selectAll().where('tenant_id', '=', victim.tenantId).orderBy('id').execute(),
    mailboxMessages: await db.selectFrom('mailbox_messages').selectAll().where('tenant_id', '=', victim.tenantId).orderBy('id').execute(),
    uploads: await db.selectFrom('uploads').select(['id', 'owner_kind', 'owner_id', 'sha256']).where('tenant_id', '=', victim.tenantId).orderBy('id').execute(),
    cases: await db.selectFrom('cases').selectAll().where('tenant_id', '=', victim.tenantId).orderBy('id').execute(),
    notes: await db.selectFrom('case_notes').selectAll().where('tenant_id', '=', victim.tenantId).orderBy('id').execute(),
    decisions: await db.selectFrom('decisions').selectAll().where('tenant_id', '=', victim.tenantId).orderBy('id').execute(),
    decisionTemplates: await db.selectFrom('decision_templates').selectAll().where('tenant_id', '=', victim.tenantId).orderBy('procedure_id').orderBy('outcome').execute(),
    requests: await db.selectFrom('information_requests').selectAll().where('tenant_id', '=', victim.tenantId).orderBy('id').execute(),
    deliveryTargets: await db.selectFrom('case_delivery_targets').selectAll().where('tenant_id', '=', victim.tenantId).orderBy('id').execute(),
    integrationClients: await db.selectFrom('integration_clients').selectAll().where('tenant_id', '=', victim.tenantId).orderBy('id').execute(),
    staff: await db.selectFrom('staff_accounts').select(['id', 'email', 'display_name', 'password_hash', 'totp_secret_enc']).where('id', '=', victim.staffId).execute(),
  });
}

/**
 * What each route parameter is filled with. `owned`: the value names a resource of the victim
 * tenant, so the route must refuse it (403/404). A new parameter name fails the test until added here.
 */
function params(victim: Victim): Record<string, { value: string; owned: boolean }> {
  return {
    leikaKey: { value: LEIKA, owned: false }, // the catalogue is shared; the victim's texts on it must not show
    procedureId: { value: victim.procedureId, owned: true },
    formId: { value: victim.formId, owned: true },
    tenant: { value: 'muenchen', owned: true }, // a tenant by slug (the authority's own staff login settings)
    staffId: { value: victim.staffId, owned: true },
    tenantId: { value: victim.tenantId, owned: true },
    id: { value: victim.mailId, owned: true },
    token: { value: randomBytes(32).toString('base64url'), owned: true }, // an invitation token is the credential itself
    threadId: { value: victim.threadId, owned: true },
    attachmentId: { value: victim.attachmentId, owned: true },
    caseId: { value: victim.caseId, owned: true },
    uploadId: { value: victim.uploadId, owned: true },
    targetId: { value: victim.targetId, owned: true },
    clientId: { value: victim.clientId, owned: true },
    outcome: { value: 'refused', owned: false }, // a decision outcome names no resource; the procedure beside it does
  };
}

test('staff of one tenant reach none of another tenant\'s data on any staff route', { timeout: 180_000 }, async () => {
  const victim = await seedVictim();
  const db = app.database.db;
  const coburg = (await db.selectFrom('tenants').select('id').where('slug', '=', 'coburg').executeTakeFirstOrThrow()).id;
  const attackerEmail = 'fremd@coburg.demo.digitales-amt.de';
  const attackerId = await upsertStaffAccount(db, { email: attackerEmail, displayName: 'Fritz Fremd', passwordHash: await hashPassword(DEMO_PASSWORD) });
  for (const role of ['caseworker', 'editor', 'tenant_admin'] as const) await addMembership(db, coburg, attackerId, role);
  const before = await snapshot(victim);
  assert.match(before, new RegExp(MARK), 'the victim data is in place');

  let client: TestClient = (await logInStaff(app, attackerEmail)).client;
  const known = params(victim);
  const staffRoutes = app.routes.filter((r) => isStaffRoute(r.url) && (r.method === 'GET' || r.method === 'POST'));
  assert.ok(staffRoutes.length >= 25, `staff routes found: ${staffRoutes.length}`);
  const query = new URLSearchParams({ leistung: LEIKA, art: 'municipality', gebiet: VICTIM_AGS, tenantId: victim.tenantId, weiter: '/verwaltung' }).toString();
  const walked: string[] = [];

  for (const route of staffRoutes) {
    const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    for (const name of names) assert.ok(known[name], `${route.method} ${route.url}: add the parameter :${name} to PARAMS in this test`);
    const path = route.url.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(known[name]!.value));
    const ownsVictimResource = names.some((n) => known[n]!.owned);

    // A fresh login whenever a route (logout) ended the session.
    if ((await client.get('/verwaltung')).statusCode !== 200) client = (await logInStaff(app, attackerEmail)).client;
    let res;
    if (route.method === 'GET') {
      res = await client.get(`${path}?${query}`);
    } else {
      const csrf = html(await client.get('/verwaltung')).querySelector('input[name="_csrf"]')!.getAttribute('value')!;
      res = await client.post(path, {
        _csrf: csrf, tenantId: victim.tenantId, version: '1', fees: 'überschrieben', contact: 'überschrieben', name: `${MARK} Verfahren`,
        kind: 'external', url: 'https://angreifer.example/', maturityModel: '1', maturityLevel: '1', active: 'false',
        leistung: LEIKA, art: 'municipality', gebiet: VICTIM_AGS, leikaKey: LEIKA, areaKind: 'municipality', areaCode: VICTIM_AGS,
        authorityChoice: 'existing', authorityKey: 'state:angreifer', roles: 'tenant_admin', action: 'remove', networks: '',
        displayName: 'Angreifer', email: 'angreifer-neu@coburg.demo.digitales-amt.de', code: '000000', gemeinde: VICTIM_AGS,
        to: 'closed', reason: 'Angriff', assignee: '', text: 'Angriff', dueDate: '01.01.2030', outcome: 'refused', title: 'Angriff', body: 'Angriff '.repeat(5), fee: '1,00',
      });
    }
    const label = `${route.method} ${route.url} -> ${res.statusCode}`;
    walked.push(label);
    assert.ok(res.statusCode < 500, label);
    assert.doesNotMatch(res.body, new RegExp(MARK, 'i'), `${label}: the answer shows the other tenant's data`);
    if (ownsVictimResource) assert.ok([403, 404].includes(res.statusCode), `${label}: a resource of another tenant must be "not found"`);
  }

  assert.equal(await snapshot(victim), before, `the other tenant's data is unchanged after:\n${walked.join('\n')}`);
  // The walk really ran as a logged-in staff member of the tenant (not as an anonymous visitor).
  assert.ok(walked.some((w) => w.startsWith('GET /verwaltung/mitarbeitende -> 200')), walked.join('\n'));
  assert.ok(walked.some((w) => w.startsWith('GET /verwaltung/leistungen/:leikaKey -> 200')), walked.join('\n'));
});
