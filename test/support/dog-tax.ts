/**
 * Coburg's demo Hundesteuer application, filled and submitted over HTTP: the quickest real
 * submission for tests of what happens after it (cases, mailbox, decisions).
 */
import assert from 'node:assert/strict';
import type { TestApp } from './app.ts';
import { html, type TestClient } from './http.ts';

export const COBURG = '09463000';

export const HOLDER = { 'f.familienname': 'Schmidt', 'f.vornamen': 'Manfred', 'f.geburtsdatum': '11.02.1969', 'f.anschrift.street': 'Rankestr.', 'f.anschrift.houseNumber': '13', 'f.anschrift.postcode': '96450', 'f.anschrift.city': 'Coburg', 'f.anschrift.country': 'DE' };
export const DOG = { 'f.hunde.count': '1', 'f.hunde.0.hund_name': 'Bello', 'f.hunde.0.rasse': 'Dackel', 'f.hunde.0.hund_geschlecht': 'ruede', 'f.hunde.0.wurfdatum': '01.03.2024', 'f.hunde.0.gehalten_seit': '01.06.2024', 'f.hunde.0.listenhund': 'no' };

/** The id of a tenant's online procedure by name. */
export async function procedureId(app: TestApp, tenantSlug: string, name: string): Promise<string> {
  const row = await app.database.db.selectFrom('online_procedures as p').innerJoin('tenants as t', 't.id', 'p.tenant_id')
    .select('p.id').where('t.slug', '=', tenantSlug).where('p.name', '=', name).executeTakeFirstOrThrow();
  return row.id;
}

/** Starts Coburg's Hundesteuer application for the logged-in citizen; returns the application id. */
export async function startDogTax(app: TestApp, client: TestClient, prefill = true): Promise<string> {
  const id = await procedureId(app, 'coburg', 'Hund zur Hundesteuer anmelden');
  const started = await client.submit(`/antraege/neu/${id}?ags=${COBURG}`, prefill ? { prefill: 'ja' } : {}, `/antraege/neu/${id}`);
  assert.equal(started.statusCode, 303, started.body.slice(0, 300));
  const match = /^\/antraege\/([0-9a-f-]{36})$/.exec(started.headers.location as string);
  assert.ok(match, String(started.headers.location));
  return match[1]!;
}

/** Fills every step of the draft with valid answers. */
export async function fillDogTax(client: TestClient, applicationId: string, dogName = 'Bello'): Promise<void> {
  const base = `/antraege/${applicationId}/schritte`;
  for (const [step, fields, next] of [
    ['halter', HOLDER, `${base}/hundeangaben`],
    ['hundeangaben', { ...DOG, 'f.hunde.0.hund_name': dogName }, `${base}/ermaessigung`],
    ['ermaessigung', { 'f.ermaessigung_beantragt': 'no' }, `${base}/zahlung`],
    ['zahlung', { 'f.lastschrift': 'no' }, `/antraege/${applicationId}/pruefen`],
  ] as const) {
    const res = await client.submit(`${base}/${step}`, { ...fields, _action: 'continue' }, `${base}/${step}`);
    assert.equal(res.statusCode, 303, `${step}: ${html(res).querySelector('.error-summary')?.text ?? res.body.slice(0, 200)}`);
    assert.equal(res.headers.location, next);
  }
}

/** Starts, fills and submits a Hundesteuer application; returns its id and reference. */
export async function submitDogTax(app: TestApp, client: TestClient, dogName = 'Bello'): Promise<{ id: string; reference: string }> {
  const id = await startDogTax(app, client);
  await fillDogTax(client, id, dogName);
  const res = await client.submit(`/antraege/${id}/pruefen`, {}, `/antraege/${id}/absenden`);
  assert.equal(res.statusCode, 303, res.body.slice(0, 300));
  const row = await app.database.db.selectFrom('applications').select('reference').where('id', '=', id).executeTakeFirstOrThrow();
  return { id, reference: row.reference! };
}
