import assert from 'node:assert/strict';
import { checkFormDefinition, loadReferenceForm } from '../forms/index.ts';
import { after, before, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { z } from 'zod';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { DEMO_PROCEDURE_COUNTS } from '../../demo/seed-demo-catalog.ts';
import { Problem, Responsibility, ServiceDetail, ServiceList } from './api.schemas.ts';
import { bumpCacheVersion } from '../../platform/cache/versioned-cache.ts';

let app: TestApp;
before(async () => { app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' }); });
after(async () => { await app.dispose(); });

/** Parses the body with the documented schema and checks it holds nothing undocumented (zod drops unknown keys). */
function documented<S extends z.ZodType>(schema: S, res: LightMyRequestResponse): z.output<S> {
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  const body: unknown = res.json();
  const parsed = schema.parse(body);
  assert.deepEqual(parsed, body, 'the answer has exactly the documented fields');
  return parsed;
}

/** A 400 problem+json naming exactly these parameters. */
async function assertRefused(url: string, names: string[]): Promise<z.output<typeof Problem>> {
  const res = await app.server.inject(url);
  assert.equal(res.statusCode, 400, url);
  assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', url);
  const body = Problem.parse(res.json());
  assert.equal(body.status, 400);
  assert.equal(body.code, 'BAD_REQUEST');
  assert.equal(body.requestId, res.headers['x-request-id']);
  assert.deepEqual(body.invalidParams?.map((p) => p.name).sort(), [...names].sort(), url);
  for (const p of body.invalidParams ?? []) assert.ok(p.reason.length > 10 && !p.reason.startsWith('api.'), `a readable reason: ${p.reason}`);
  return body;
}

test('the search answers with the services, and for a municipality with the online procedures offered there', async () => {
  const res = await app.server.inject('/api/v1/services?q=Wohnsitz+anmelden&ags=09463000&limit=5');
  const body = documented(ServiceList, res);
  assert.equal(res.headers['set-cookie'], undefined, 'no cookie, no session');
  assert.ok(body.total >= 1 && body.items.length <= 5);
  const first = body.items[0]!;
  assert.equal(first.leikaKey, '99115005104000');
  assert.equal(first.name, 'Wohnsitz Anmeldung');
  assert.equal(first.online, true);
  assert.deepEqual(first.onlineProcedures.map((p) => p.authority), ['Stadt Coburg']);
  assert.match(first.onlineProcedures[0]!.url ?? '', /^\/antraege\/neu\/[0-9a-f-]{36}\?ags=09463000$/, 'applied for on this portal');
  assert.equal(first.url, '/leistungen/99115005104000?ags=09463000');

  const anywhere = documented(ServiceList, await app.server.inject('/api/v1/services?q=Wohnsitz+anmelden&limit=5'));
  assert.equal(anywhere.items[0]!.online, null, 'without a municipality, online says nothing');
  assert.deepEqual(anywhere.items[0]!.onlineProcedures, []);
});

test('online=true keeps exactly the services offered online to the municipality (the demo counts)', async () => {
  for (const [ags, slug] of [['09463000', 'coburg'], ['09162000', 'muenchen']] as const) {
    const body = documented(ServiceList, await app.server.inject(`/api/v1/services?ags=${ags}&online=true&limit=100`));
    assert.equal(body.total, DEMO_PROCEDURE_COUNTS[slug], ags);
    assert.ok(body.items.every((s) => s.online === true && s.onlineProcedures.length > 0), ags);
  }
  const searched = documented(ServiceList, await app.server.inject('/api/v1/services?q=Wohnsitz&ags=09463000&online=1'));
  const all = documented(ServiceList, await app.server.inject('/api/v1/services?q=Wohnsitz&ags=09463000'));
  assert.ok(searched.total > 0 && searched.total < all.total, `${searched.total} of ${all.total}`);
});

test('without q the catalogue is listed by name, filtered by topic and life event, page by page', async () => {
  const page1 = documented(ServiceList, await app.server.inject('/api/v1/services?themenfeld=familie-kind&limit=10'));
  assert.ok(page1.total > 10);
  assert.equal(page1.items.length, 10);
  assert.ok(page1.items.every((s) => s.topic === 'Familie & Kind'));
  const page2 = documented(ServiceList, await app.server.inject('/api/v1/services?themenfeld=familie-kind&limit=10&offset=10'));
  assert.equal(page2.total, page1.total);
  assert.equal(page2.offset, 10);
  assert.equal(page2.items.length, 10);
  assert.ok(page2.items.every((s) => !page1.items.some((p) => p.leikaKey === s.leikaKey)), 'the next page, no repeats');
  const both = documented(ServiceList, await app.server.inject('/api/v1/services?themenfeld=familie-kind&limit=20'));
  assert.deepEqual(both.items.map((s) => s.leikaKey), [...page1.items, ...page2.items].map((s) => s.leikaKey), 'a stable order');

  const lifeEvent = documented(ServiceList, await app.server.inject('/api/v1/services?lage=wohnen-umzug&limit=100'));
  assert.ok(lifeEvent.items.some((s) => s.leikaKey === '99115005104000'));
  assert.ok(lifeEvent.total < page1.total * 10);
  const everything = documented(ServiceList, await app.server.inject('/api/v1/services'));
  assert.ok(everything.total > 1000, 'the whole catalogue');
  assert.equal(everything.items.length, 20, 'default page size');
});

test('invalid parameters are refused with 400 problem+json naming each of them', async () => {
  await assertRefused('/api/v1/services?ags=0946300', ['ags']);
  await assertRefused('/api/v1/services?ags=09999999', ['ags']);
  await assertRefused('/api/v1/services?limit=0', ['limit']);
  await assertRefused('/api/v1/services?limit=101', ['limit']);
  await assertRefused('/api/v1/services?limit=ten', ['limit']);
  await assertRefused('/api/v1/services?offset=-1', ['offset']);
  await assertRefused('/api/v1/services?offset=10001', ['offset']);
  await assertRefused('/api/v1/services?offset=1.5', ['offset']);
  await assertRefused('/api/v1/services?themenfeld=Familie%20%26%20Kind', ['themenfeld']);
  await assertRefused('/api/v1/services?themenfeld=gibt-es-nicht', ['themenfeld']);
  await assertRefused('/api/v1/services?lage=gibt-es-nicht', ['lage']);
  await assertRefused('/api/v1/services?online=yes&ags=09463000', ['online']);
  await assertRefused('/api/v1/services?online=true', ['online']);
  await assertRefused(`/api/v1/services?q=${'x'.repeat(201)}`, ['q']);
  await assertRefused('/api/v1/services?ags=09463000&ags=09162000', ['ags']);
  // Every refused parameter at once, the malformed and the unknown alike.
  await assertRefused('/api/v1/services?ags=0946300&limit=0&online=yes&themenfeld=X', ['ags', 'limit', 'online', 'themenfeld']);
  await assertRefused('/api/v1/services?ags=09999999&themenfeld=gibt-es-nicht&lage=gibt-es-nicht', ['ags', 'themenfeld', 'lage']);

  const en = await app.server.inject('/api/v1/services?limit=0&lang=en');
  assert.equal(Problem.parse(en.json()).invalidParams?.[0]?.reason, 'Allowed is a whole number from 1 to 100.');
  // Empty values count as not sent (forms send empty fields).
  documented(ServiceList, await app.server.inject('/api/v1/services?q=Hund&ags=&themenfeld=&limit='));
});

test('a service is described with its texts, and for a municipality with the responsible authority and procedures', async () => {
  const body = documented(ServiceDetail, await app.server.inject('/api/v1/services/99115005104000?ags=09463000'));
  assert.equal(body.name, 'Wohnsitz Anmeldung');
  assert.match(body.texts.documents ?? '', /Wohnungsgeberbestätigung/);
  assert.deepEqual(body.legalBasis[0], { text: '§ 17 Absatz 1 Bundesmeldegesetz (BMG)', url: 'http://www.gesetze-im-internet.de/bmg/__17.html' });
  assert.equal(body.topic?.slug, 'bauen-wohnen');
  assert.equal(body.lifeEvent?.slug, 'wohnen-umzug');
  assert.deepEqual(body.municipality, { ags: '09463000', ars: '094630000000', name: 'Coburg' });
  assert.equal(body.responsibleAuthority?.key, 'municipality:09463000');
  assert.equal(body.responsibleAuthority?.connected, true);
  assert.equal(body.responsibleAuthority?.contact?.street, 'Markt 1');
  assert.equal(body.onlineProcedures.length, 1);
  assert.equal(body.localText, null);

  const general = documented(ServiceDetail, await app.server.inject('/api/v1/services/99115005104000'));
  assert.equal(general.municipality, null);
  assert.equal(general.responsibleAuthority, null);
  assert.deepEqual(general.onlineProcedures, []);
});

test('the local text of the responsible authority is part of the description, another authority\'s is not', async () => {
  const db = app.database.db;
  const [coburg, district] = await Promise.all([
    db.selectFrom('tenants').select('id').where('slug', '=', 'coburg').executeTakeFirstOrThrow(),
    db.selectFrom('tenants').select('id').where('slug', '=', 'landkreis-coburg').executeTakeFirstOrThrow(),
  ]);
  await db.insertInto('local_service_texts').values([
    { tenant_id: coburg.id, leika_key: '99115005104000', fees: 'In Coburg gebührenfrei.', contact: 'Bürgerbüro, Zimmer 3', local_requirements: null, version: 1, updated_by: null },
    { tenant_id: district.id, leika_key: '99115005104000', fees: 'Text des Landratsamts', contact: null, local_requirements: null, version: 1, updated_by: null },
  ]).execute();
  // Written past the use cases, so tell the catalogue cache as they would.
  await bumpCacheVersion(db, 'catalog');
  try {
    const body = documented(ServiceDetail, await app.server.inject('/api/v1/services/99115005104000?ags=09463000'));
    assert.equal(body.localText?.fees, 'In Coburg gebührenfrei.');
    assert.equal(body.localText?.contact, 'Bürgerbüro, Zimmer 3');
    assert.ok(!Number.isNaN(Date.parse(body.localText?.updatedAt ?? '')));
    // In Rödental the town itself is responsible (not connected): the district office's text does not apply.
    const roedental = documented(ServiceDetail, await app.server.inject('/api/v1/services/99115005104000?ags=09473159'));
    assert.equal(roedental.localText, null);
  } finally {
    await db.deleteFrom('local_service_texts').where('leika_key', '=', '99115005104000').execute();
    await bumpCacheVersion(db, 'catalog');
  }
});

test('a service path: a malformed key is a 400 naming it, an unknown one a 404, an unknown ags a 400', async () => {
  await assertRefused('/api/v1/services/123', ['leikaKey']);
  await assertRefused('/api/v1/services/99115005104000?ags=09999999', ['ags']);
  const missing = await app.server.inject('/api/v1/services/12345678901234');
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.headers['content-type'], 'application/problem+json; charset=utf-8');
  const problem = Problem.parse(missing.json());
  assert.equal(problem.code, 'NOT_FOUND');
  assert.equal(problem.instance, '/api/v1/services/12345678901234');
});

test('the responsibility names the authority, its level and basis, its contact and whether it is connected', async () => {
  const coburg = documented(Responsibility, await app.server.inject('/api/v1/responsibility?leikaKey=99115005104000&ags=09463000'));
  assert.equal(coburg.authority.key, 'municipality:09463000');
  assert.equal(coburg.authority.level, 'municipality');
  assert.equal(coburg.authority.connected, true);
  assert.equal(coburg.authority.contact?.email, 'buergerservice@coburg.demo.digitales-amt.de');
  assert.deepEqual(coburg.municipality, { ags: '09463000', ars: '094630000000', name: 'Coburg' });

  const roedental = documented(Responsibility, await app.server.inject('/api/v1/responsibility?leikaKey=99115005104000&ags=09473159'));
  assert.equal(roedental.authority.key, 'municipality:09473159');
  assert.equal(roedental.authority.connected, false, 'Rödental is not connected in the demo');
  assert.equal(roedental.authority.contact, null);

  // A district task in Rödental goes to the (connected) district office; in Coburg (kreisfreie Stadt) to the town.
  const districtTask = (await app.database.db.selectFrom('online_procedures').select('leika_key').where('leika_key', 'like', '99036%').executeTakeFirstOrThrow()).leika_key;
  const district = documented(Responsibility, await app.server.inject(`/api/v1/responsibility?leikaKey=${districtTask}&ags=09473159`));
  assert.equal(district.authority.key, 'district:09473');
  assert.equal(district.authority.connected, true);
});

test('the responsibility refuses missing, malformed and unknown parameters by name', async () => {
  await assertRefused('/api/v1/responsibility', ['leikaKey', 'ags']);
  const missing = await assertRefused('/api/v1/responsibility?leikaKey=99115005104000', ['ags']);
  assert.equal(missing.invalidParams?.[0]?.reason, 'Dieser Parameter fehlt.');
  await assertRefused('/api/v1/responsibility?leikaKey=9911500510400&ags=09463000', ['leikaKey']);
  await assertRefused('/api/v1/responsibility?leikaKey=12345678901234&ags=09463000', ['leikaKey']);
  await assertRefused('/api/v1/responsibility?leikaKey=12345678901234&ags=09999999', ['leikaKey', 'ags']);
});

test('the municipality lookup names a refused parameter too; pages keep their HTML error', async () => {
  await assertRefused(`/api/v1/municipalities?q=${'x'.repeat(101)}`, ['q']);
  const page = await app.server.inject('/leistungen?seite=0');
  assert.equal(page.statusCode, 400);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.doesNotMatch(page.body, /invalidParams/);
});

test('catalogue answers may be kept for a minute by a proxy; errors and pages may not', async () => {
  assert.equal((await app.server.inject('/api/v1/services?q=hund')).headers['cache-control'], 'public, max-age=60');
  assert.equal((await app.server.inject('/api/v1/services?limit=0')).headers['cache-control'], 'no-store');
  assert.equal((await app.server.inject('/')).headers['cache-control'], 'no-store');
});

test('the form of a service in a municipality: the responsible authority\'s procedure on this portal with its definition', async () => {
  const res = await app.server.inject('/api/v1/services/99012008001000/form?ags=09473159');
  assert.equal(res.statusCode, 200, res.body.slice(0, 300));
  const body = res.json() as { procedure: { authority: string; processingDays: number; startUrl: string; minTrustLevel: string }; definition: unknown; fee: unknown };
  assert.equal(body.procedure.authority, 'Landratsamt Coburg', 'Rödental\'s building permits are the district office\'s (adopted form)');
  assert.equal(body.procedure.processingDays, 90);
  assert.match(body.procedure.startUrl, /^\/antraege\/neu\/[0-9a-f-]{36}\?ags=09473159$/);
  const checked = checkFormDefinition(body.definition);
  assert.ok(checked.ok, 'the definition is a valid form definition');
  assert.equal(checked.definition.title.de, loadReferenceForm('bauantrag').title.de);

  const notOffered = await app.server.inject('/api/v1/services/99049001000000/form?ags=09162000');
  assert.equal(notOffered.statusCode, 404, 'München does not offer the Führungszeugnis on this portal');
  assert.equal(notOffered.headers['content-type'], 'application/problem+json; charset=utf-8');
  const missing = await app.server.inject('/api/v1/services/99049001000000/form');
  assert.equal(missing.statusCode, 400);
  assert.deepEqual((missing.json() as { invalidParams: { name: string }[] }).invalidParams.map((p) => p.name), ['ags']);
});
