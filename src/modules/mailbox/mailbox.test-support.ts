/**
 * Test helpers of the mailbox tests: citizens logged in (also for an organisation), a submitted
 * case of a tenant, the module's dependencies over a test app.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestApp } from '../../../test/support/app.ts';
import { TestClient } from '../../../test/support/http.ts';
import { logInCitizen, submitFormOf } from '../../../test/support/saml-citizen-login.ts';
import { createTenantKeys } from '../../platform/crypto/tenant-keys.ts';
import { noMalwareScanner } from '../../platform/uploads/index.ts';
import type { MailboxDeps, MailboxOwner } from './mailbox.types.ts';

/** The module's dependencies as the app builds them (hooks: the app's, so tests can set them). */
export function mailboxDepsOf(app: TestApp): MailboxDeps {
  return {
    db: app.database.db, cipher: app.cipher, tenantKeys: createTenantKeys(app.cipher), mail: app.mail,
    publicUrl: app.config.publicUrl ?? `http://localhost:${app.config.port}`, malwareScanner: noMalwareScanner, hooks: app.mailboxHooks,
  };
}

/** A test person logged in through the demo BundID (optionally acting for a test organisation). */
export async function logInPerson(app: TestApp, person: string, organisation?: string): Promise<{ client: TestClient; owner: MailboxOwner }> {
  const client = new TestClient(app.server);
  if (!organisation) {
    await logInCitizen(client, { person, level: 'substantiell' });
  } else {
    const login = await client.get('/anmelden?niveau=substantiell&weiter=/konto');
    const toIdp = await submitFormOf(client, login, 'form[action="/anmelden/bundid"]');
    const choose = await submitFormOf(client, toIdp, 'form[data-auto-submit]');
    const answer = await submitFormOf(client, choose, 'form[action="/demo-idp/antwort"]', { person, level: 'substantiell', organisation });
    const acs = await submitFormOf(client, answer, 'form[data-auto-submit]');
    assert.equal(acs.statusCode, 303);
  }
  const db = app.database.db;
  const account = await db.selectFrom('citizen_accounts').select('id').orderBy('last_login_at', 'desc').limit(1).executeTakeFirstOrThrow();
  let organisationId: string | null = null;
  if (organisation) {
    organisationId = (await db.selectFrom('organisation_members').select('organisation_id').where('account_id', '=', account.id)
      .orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow()).organisation_id;
  }
  return { client, owner: { accountId: account.id, organisationId } };
}

export async function tenantIdOf(app: TestApp, slug: string): Promise<string> {
  return (await app.database.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
}

/** A submitted application of the tenant's dog-tax procedure and its case, owned by `owner`. */
export async function insertCase(app: TestApp, tenantSlug: string, owner: MailboxOwner): Promise<{ caseId: string; tenantId: string }> {
  const db = app.database.db;
  const procedure = await db.selectFrom('application_procedures as ap').innerJoin('online_procedures as p', 'p.id', 'ap.online_procedure_id')
    .innerJoin('tenants as t', 't.id', 'ap.tenant_id')
    .select(['ap.online_procedure_id', 'ap.tenant_id', 'ap.form_id', 'ap.form_version', 't.municipality_ags'])
    .where('t.slug', '=', tenantSlug).where('p.name', '=', 'Hund zur Hundesteuer anmelden').executeTakeFirstOrThrow();
  const reference = `DA-TEST-${randomUUID().slice(0, 8)}`;
  const now = new Date();
  const application = await db.insertInto('applications').values({
    reference, procedure_id: procedure.online_procedure_id, tenant_id: procedure.tenant_id, form_id: procedure.form_id, form_version: procedure.form_version,
    account_id: owner.accountId, organisation_id: owner.organisationId, ags: procedure.municipality_ags ?? '09463000', status: 'submitted',
    answers_enc: app.cipher.encrypt('{}'), trust_level: 'substantiell', submitted_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('cases').values({
    id: application.id, tenant_id: procedure.tenant_id, procedure_id: procedure.online_procedure_id, reference, submitted_at: now,
    account_id: owner.accountId, organisation_id: owner.organisationId, updated_at: now,
  }).execute();
  return { caseId: application.id, tenantId: procedure.tenant_id };
}
