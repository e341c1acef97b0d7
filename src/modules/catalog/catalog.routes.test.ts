import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, TestClient } from '../../../test/support/http.ts';

let app: TestApp;
before(async () => { app = await createTestApp(); });
after(async () => { await app.dispose(); });

test('the search page finds services and, for the chosen municipality, says which are online', async () => {
  const client = new TestClient(app.server);
  const anonymous = html(await client.get('/leistungen?q=Wohnsitz+ummelden'));
  assert.equal(anonymous.querySelector('.result-list li a')!.text, 'Wohnsitz Anmeldung');
  assert.equal(anonymous.querySelectorAll('.result-list .badge').length, 0, 'no online statement without a municipality');

  const chosen = await client.get(`/meine-gemeinde?ags=09463000&zurueck=${encodeURIComponent('/leistungen?q=Wohnsitz+ummelden')}`);
  assert.equal(chosen.statusCode, 303);
  const doc = html(await client.get(String(chosen.headers.location)));
  assert.match(doc.querySelector('.context')!.text, /Coburg/);
  const first = doc.querySelector('.result-list li')!;
  assert.match(first.text, /Wohnsitz Anmeldung/);
  assert.match(first.querySelector('.badge')!.text, /online möglich/, 'Coburg offers it online in the demo');
});

test('the online filter keeps only services with an online procedure in the municipality', async () => {
  const client = new TestClient(app.server);
  await client.get('/meine-gemeinde?ags=09463000');
  const all = html(await client.get('/leistungen?q=Wohnsitz'));
  const online = html(await client.get('/leistungen?q=Wohnsitz&online=1'));
  const count = (d: ReturnType<typeof html>) => d.querySelectorAll('.result-list li').length;
  assert.ok(count(online) > 0 && count(online) < count(all), `${count(online)} of ${count(all)}`);
  assert.equal(online.querySelectorAll('.result-list .badge--muted').length, 0);
});

test('the service page shows the description, the responsible authority with contact, and the online procedure', async () => {
  const doc = html(await app.server.inject('/leistungen/99115005104000?ags=09463000'));
  assert.equal(doc.querySelector('h1')!.text, 'Wohnsitz Anmeldung');
  const main = doc.querySelector('main')!.text;
  assert.match(main, /Wohnungsgeberbestätigung/);
  assert.match(main, /§ 17 Absatz 1 Bundesmeldegesetz/);
  assert.match(doc.querySelector('.authority')!.text, /Stadt Coburg[\s\S]*Markt 1[\s\S]*96450 Coburg/);
  assert.ok(doc.querySelector('.procedures li'), 'online procedure listed');
});

test('without a chosen municipality the service page asks for one and keeps the way back', async () => {
  const doc = html(await app.server.inject('/leistungen/99012008000000'));
  const form = doc.querySelector('form[action="/gemeinden"]')!;
  assert.equal(form.querySelector('input[name=ziel]')!.getAttribute('value'), '/leistungen/99012008000000');
  const results = html(await app.server.inject('/gemeinden?q=Senden&ziel=/leistungen/99012008000000'));
  const link = results.querySelector('.result-list a')!.getAttribute('href')!;
  assert.match(link, /^\/meine-gemeinde\?ags=09775152&zurueck=%2Fleistungen%2F99012008000000$/);
});

test('topics and life events lead to services', async () => {
  const topics = html(await app.server.inject('/themen'));
  assert.equal(topics.querySelectorAll('.tiles li').length, 14);
  const topic = html(await app.server.inject('/themen/bauen-wohnen'));
  assert.ok(topic.querySelector('a[href="/lagen/wohnen-umzug"]'));
  const event = html(await app.server.inject('/lagen/wohnen-umzug'));
  assert.ok(event.querySelector('a[href="/leistungen/99115005104000"]'));
});

test('unknown services, topics and bad parameters are 404 or 400, never 500', async () => {
  for (const [url, status] of [['/leistungen/99999999999999', 404], ['/leistungen/abc', 404], ['/themen/gibt-es-nicht', 404],
    ['/lagen/gibt-es-nicht', 404], ['/leistungen?q=x&seite=0', 400], ['/meine-gemeinde?ags=123', 400]] as const) {
    assert.equal((await app.server.inject(url)).statusCode, status, url);
  }
});

test('the site search shows services and places together', async () => {
  const doc = html(await app.server.inject('/suche?q=Coburg'));
  assert.ok(doc.querySelectorAll('.result-list a[href^="/gemeinden/"]').length > 0);
  const services = html(await app.server.inject('/suche?q=Hundesteur'));
  assert.equal(services.querySelector('.result-list a')!.text, 'Hundesteuer');
});
