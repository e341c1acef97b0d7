import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, TestClient } from '../../../test/support/http.ts';

let app: TestApp;
before(async () => { app = await createTestApp(); });
after(async () => { await app.dispose(); });

test('every Bavarian municipality, district and independent city is loaded', async () => {
  const counts = await app.database.db.selectFrom('municipalities')
    .select((eb) => [eb.fn.countAll<number>().as('all'), eb.fn.count<number>('ags').filterWhere('kind', '=', 'kreisfreie_stadt').as('independent')])
    .executeTakeFirstOrThrow();
  assert.equal(Number(counts.all), 2056);
  assert.equal(Number(counts.independent), 25);
  const districts = await app.database.db.selectFrom('districts').select(['kind']).execute();
  assert.equal(districts.filter((d) => d.kind === 'landkreis').length, 71);
  assert.equal(districts.filter((d) => d.kind === 'kreisfreie_stadt').length, 25);
});

test('a municipality has its own page at a stable URL with its keys and district', async () => {
  const res = await app.server.inject('/gemeinden/09673114');
  assert.equal(res.statusCode, 200);
  const doc = html(res);
  assert.match(doc.querySelector('h1')!.text, /Bad Neustadt a\.d\.Saale/);
  const facts = doc.querySelector('dl.facts')!.text;
  assert.match(facts, /096730114114/);
  assert.match(facts, /Rhön-Grabfeld/);
  assert.match(facts, /Unterfranken/);
  assert.match(facts, /15\.358/);
  assert.match(doc.querySelector('.notice--success')!.text, /angeschlossen/);
});

test('a municipality that is not connected says so', async () => {
  const doc = html(await app.server.inject('/gemeinden/09473159'));
  assert.match(doc.querySelector('h1')!.text, /Rödental/);
  assert.equal(doc.querySelector('.notice--success'), null);
  assert.match(doc.querySelector('.notice')!.text, /noch nicht/);
});

test('a district page lists its municipalities; an independent city\'s district page redirects to the city', async () => {
  const res = await app.server.inject('/landkreise/09473');
  assert.equal(res.statusCode, 200);
  const doc = html(res);
  assert.match(doc.querySelector('h1')!.text, /Landkreis Coburg/);
  const names = doc.querySelectorAll('.result-list li a').map((a) => a.text);
  assert.equal(names.length, 17);
  assert.ok(names.includes('Rödental'));
  const redirect = await app.server.inject('/landkreise/09463');
  assert.equal(redirect.statusCode, 301);
  assert.equal(redirect.headers.location, '/gemeinden/09463000');
});

test('finds municipalities by name, by part of a name, ignoring case and umlaut spelling', async () => {
  for (const [q, expected] of [['Coburg', 'Coburg'], ['neustadt a.d.saale', 'Bad Neustadt a.d.Saale'], ['Wuerzburg', 'Würzburg'], ['münch', 'München']]) {
    const doc = html(await app.server.inject(`/gemeinden?q=${encodeURIComponent(q!)}`));
    const names = doc.querySelectorAll('.result-list li > a').map((a) => a.text);
    assert.ok(names.includes(expected!), `${q} should find ${expected}, got ${names.slice(0, 5).join(', ')}`);
  }
  const exactFirst = html(await app.server.inject('/gemeinden?q=Coburg')).querySelector('.result-list li > a')!;
  assert.equal(exactFirst.text, 'Coburg');
});

test('finds a municipality by postcode and suggests nearby ones when the postcode is unknown', async () => {
  const doc = html(await app.server.inject('/gemeinden?q=96450'));
  assert.deepEqual(doc.querySelectorAll('.result-list li > a').map((a) => a.text), ['Coburg']);
  const unknown = html(await app.server.inject('/gemeinden?q=96451'));
  assert.match(unknown.querySelector('[role=status]')!.text, /Keine Gemeinde/);
  assert.ok(unknown.querySelectorAll('.result-list li').length > 0, 'nearby postcodes are offered');
});

test('an unknown municipality is an accessible 404 page', async () => {
  for (const url of ['/gemeinden/09999999', '/gemeinden/abc', '/landkreise/99999']) {
    const res = await app.server.inject(url);
    assert.equal(res.statusCode, 404, url);
    assert.match(html(res).querySelector('h1')!.text, /Seite nicht gefunden/);
  }
});

test('the JSON lookup answers with AGS, ARS, type and district', async () => {
  const res = await app.server.inject('/api/v1/municipalities?q=Coburg');
  assert.equal(res.statusCode, 200);
  const body = res.json() as { items: { ags: string; ars: string; type: string; district: { name: string } }[] };
  assert.deepEqual(body.items[0], { ...body.items[0], ags: '09463000', ars: '094630000000', type: 'kreisfreie_stadt' });
  const tooLong = await app.server.inject(`/api/v1/municipalities?q=${'x'.repeat(101)}`);
  assert.equal(tooLong.statusCode, 400);
  assert.equal(tooLong.headers['content-type'], 'application/problem+json; charset=utf-8');
});

test('pages switch to English and remember the choice', async () => {
  const client = new TestClient(app.server);
  const en = await client.get('/gemeinden/09463000?lang=en');
  assert.equal(html(en).querySelector('html')!.getAttribute('lang'), 'en');
  assert.match(html(en).querySelector('h1')!.text, /Independent city/);
  const next = await client.get('/gemeinden');
  assert.equal(html(next).querySelector('html')!.getAttribute('lang'), 'en');
});
