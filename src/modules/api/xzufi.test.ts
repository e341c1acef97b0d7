import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { validateXml } from '../../../test/support/xmllint.ts';
import { DEMO_PROCEDURE_COUNTS } from '../../demo/seed-demo-catalog.ts';
import { listMunicipalServices, upsertOnlineProcedure } from '../catalog/catalog.repository.ts';
import { Problem } from './api.schemas.ts';
import { XZUFI_SCHEMA_PATH } from './xzufi/export-xzufi.ts';

let app: TestApp;
before(async () => { app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' }); });
after(async () => { await app.dispose(); });

const count = (xml: string, pattern: RegExp) => (xml.match(pattern) ?? []).length;
const coburgCount = DEMO_PROCEDURE_COUNTS.coburg!;

async function exportOf(ags: string): Promise<string> {
  const res = await app.server.inject(`/api/v1/municipalities/${ags}/xzufi.xml`);
  assert.equal(res.statusCode, 200, res.body.slice(0, 300));
  assert.equal(res.headers['content-type'], 'application/xml; charset=utf-8');
  return res.body;
}

async function tenantId(slug: string): Promise<string> {
  return (await app.database.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
}

test('Coburg\'s export is valid against the subset schema, with its ARS, the LeiKa references, units and online services', async () => {
  const xml = await exportOf('09463000');
  assert.deepEqual(await validateXml(xml, XZUFI_SCHEMA_PATH), { valid: true, errors: '' });
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>/);
  assert.match(xml, /<gebietID listURI="urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs">094630000000<\/gebietID>/);
  assert.match(xml, /<referenzLeiKa listURI="urn:de:fim:leika:leistung">99115005104000<\/referenzLeiKa>/);
  // Every online procedure of the town serves its residents (a kreisfreie Stadt has no district office).
  assert.equal(count(xml, /<onlinedienst>/g), coburgCount);
  assert.equal(count(xml, /<leistung>/g), coburgCount);
  assert.match(xml, /<organisationseinheit>\s*<id schemeID="urn:digitales-amt:behoerde">municipality:09463000<\/id>\s*<name>Stadt Coburg<\/name>/);
  assert.equal(count(xml, /<zustaendigkeit>/g), 2 * coburgCount, 'one per unit and service, one per online service');
  assert.equal(count(xml, /<gebietID [^>]*>094630000000</g), 1 + 2 * coburgCount, 'every area is Coburg\'s ARS');
});

test('München has its 80 online services; Rödental gets the district office\'s, with the district as responsible unit', async () => {
  const muenchen = await exportOf('09162000');
  assert.equal((await validateXml(muenchen, XZUFI_SCHEMA_PATH)).valid, true);
  assert.equal(count(muenchen, /<onlinedienst>/g), DEMO_PROCEDURE_COUNTS.muenchen);
  assert.match(muenchen, />091620000000</);

  const roedental = await exportOf('09473159');
  assert.equal((await validateXml(roedental, XZUFI_SCHEMA_PATH)).valid, true);
  assert.equal(count(roedental, /<onlinedienst>/g), DEMO_PROCEDURE_COUNTS['landkreis-coburg']);
  assert.match(roedental, /<anbieter>Landratsamt Coburg<\/anbieter>/);
  assert.match(roedental, /<id schemeID="urn:digitales-amt:behoerde">district:09473<\/id>/);
  assert.match(roedental, /<angeschlossen>true<\/angeschlossen>/);
});

test('a local text brings its service into the export; values are escaped, never spliced in', async () => {
  const db = app.database.db;
  const coburg = await tenantId('coburg');
  // A service the town is responsible for but offers no online procedure for.
  const offered = new Set((await db.selectFrom('online_procedures').select('leika_key').where('tenant_id', '=', coburg).execute()).map((p) => p.leika_key));
  const textOnly = (await listMunicipalServices(db, 300)).find((s) => !offered.has(s.leika_key))!.leika_key;
  await db.insertInto('local_service_texts').values({
    tenant_id: coburg, leika_key: textOnly, fees: 'Gebühr < 10 € & "gebührenfrei" für <Studierende>', contact: 'Zimmer 3',
    local_requirements: null, version: 1, updated_by: null,
  }).execute();
  await upsertOnlineProcedure(db, coburg, {
    leikaKey: '99115005104000', name: 'Anmeldung <schnell> & "einfach"', kind: 'external',
    url: 'https://service.coburg.demo.digitales-amt.de/a?b=1&c=2', maturityModel: '1', maturityLevel: 4,
  });
  try {
    const xml = await exportOf('09463000');
    assert.deepEqual(await validateXml(xml, XZUFI_SCHEMA_PATH), { valid: true, errors: '' });
    assert.match(xml, new RegExp(`<referenzLeiKa [^>]*>${textOnly}<`), 'the service with only a local text');
    assert.equal(count(xml, /<leistung>/g), coburgCount + 1);
    assert.match(xml, /<modulText art="kosten" herkunft="oertlich">\s*<inhalt>Gebühr &lt; 10 € &amp; "gebührenfrei" für &lt;Studierende&gt;<\/inhalt>/);
    assert.match(xml, /<modulText art="ansprechpunkt" herkunft="oertlich">\s*<inhalt>Zimmer 3<\/inhalt>/);
    assert.match(xml, /<bezeichnung>Anmeldung &lt;schnell&gt; &amp; "einfach"<\/bezeichnung>/);
    assert.match(xml, /<uri>https:\/\/service\.coburg\.demo\.digitales-amt\.de\/a\?b=1&amp;c=2<\/uri>/);
  } finally {
    await db.deleteFrom('local_service_texts').where('tenant_id', '=', coburg).execute();
    await db.deleteFrom('online_procedures').where('name', '=', 'Anmeldung <schnell> & "einfach"').execute();
  }
});

test('the schema does refuse what it should not accept', async () => {
  const xml = await exportOf('09473159');
  const broken = xml.replace(/<leistungID>\d{14}<\/leistungID>/, '<leistungID>12345678901234</leistungID>');
  const result = await validateXml(broken, XZUFI_SCHEMA_PATH);
  assert.equal(result.valid, false, 'a zustaendigkeit must name a service of the export');
  assert.match(result.errors, /zustaendigkeitLeistung|keyref|No match found/i);
  assert.equal((await validateXml(xml.replace('<ags>09473159</ags>', '<ags>0947315</ags>'), XZUFI_SCHEMA_PATH)).valid, false);
});

test('an unknown municipality is a 404 problem, a malformed AGS a 400 naming it', async () => {
  const missing = await app.server.inject('/api/v1/municipalities/09999999/xzufi.xml');
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.headers['content-type'], 'application/problem+json; charset=utf-8');
  assert.equal(Problem.parse(missing.json()).code, 'NOT_FOUND');
  const malformed = await app.server.inject('/api/v1/municipalities/0946/xzufi.xml');
  assert.equal(malformed.statusCode, 400);
  assert.deepEqual(Problem.parse(malformed.json()).invalidParams?.map((p) => p.name), ['ags']);
});
