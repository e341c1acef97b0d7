import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHttpsUrl } from '../../platform/validation/https-url.ts';
import { procedureForm } from './catalog-editor.schemas.ts';

test('only complete https addresses count as external procedure addresses', () => {
  for (const ok of ['https://service.muenchen.de/hund', 'HTTPS://Example.org', 'https://a.b/c?d=e#f']) assert.ok(isHttpsUrl(ok), ok);
  for (const bad of ['http://service.muenchen.de', 'https://', 'https://localhost/x', 'service.muenchen.de', 'javascript:alert(1)', 'https://user:pw@example.org', 'https://exa mple.org', 'ftp://example.org']) {
    assert.ok(!isHttpsUrl(bad), bad);
  }
});

test('the maturity level is checked against its model, the address against the kind', () => {
  const base = { name: 'Verfahren', kind: 'internal', url: '', maturityModel: '2', maturityLevel: '7' };
  const issues = (input: Record<string, string>) => {
    const r = procedureForm.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}:${i.message}`);
  };
  assert.deepEqual(issues(base), []);
  assert.deepEqual(issues({ ...base, maturityModel: '1', maturityLevel: '4' }), []);
  assert.deepEqual(issues({ ...base, maturityModel: '1', maturityLevel: '5' }), ['maturityLevel:catalogEditor.procedure.level.model1Range']);
  assert.deepEqual(issues({ ...base, maturityLevel: '8' }), ['maturityLevel:catalogEditor.procedure.level.invalid']);
  assert.deepEqual(issues({ ...base, maturityLevel: '-1' }), ['maturityLevel:catalogEditor.procedure.level.invalid']);
  assert.deepEqual(issues({ ...base, kind: 'external' }), ['url:catalogEditor.procedure.url.required']);
  assert.deepEqual(issues({ ...base, url: 'https://x.de' }), ['url:catalogEditor.procedure.url.notForInternal']);
  const external = procedureForm.parse({ ...base, kind: 'external', url: 'HTTPS://Steuer.Muenchen.de/hund' });
  assert.equal(external.url, 'https://steuer.muenchen.de/hund', 'normalised for the database CHECK');
  assert.equal(procedureForm.parse(base).url, null);
  assert.equal(procedureForm.parse(base).maturityLevel, 7);
});
