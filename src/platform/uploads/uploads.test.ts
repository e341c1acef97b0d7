import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { loadConfig } from '../../config.ts';
import { upsertTenant } from '../../modules/tenants/index.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { createFieldCipher } from '../crypto/field-encryption.ts';
import { createTenantKeys } from '../crypto/tenant-keys.ts';
import { createRenderer } from '../html/views.ts';
import { multipartRouteConfig, readMultipartForm } from '../http/multipart.ts';
import { registerWebPlatform } from '../http/web.ts';
import { multipartBody } from '../../../test/support/http.ts';
import { contentDisposition, sendDownload } from './send-download.ts';
import { deleteUploadsOfOwner, listUploads, readUpload, reencryptUploads, storeUpload } from './uploads.repository.ts';

let testDb: TestDatabase;
const cipher = createFieldCipher(randomBytes(32));
const keys = createTenantKeys(cipher);
let tenantA: string;
let tenantB: string;

before(async () => {
  testDb = await createTestDatabase();
  const db = testDb.database.db;
  tenantA = (await upsertTenant(db, { slug: 'uploads-a', name: 'Amt A', kind: 'state_authority' })).id;
  tenantB = (await upsertTenant(db, { slug: 'uploads-b', name: 'Amt B', kind: 'state_authority' })).id;
});
after(async () => { await testDb.drop(); });

const evidence = Buffer.from('%PDF-1.7\nMietvertrag von Erika Mustermann, Hauptstraße 1\n%%EOF\n');

test('stores an upload encrypted: neither the bytes nor the file name are in the database in plaintext', async () => {
  const db = testDb.database.db;
  const ownerId = randomUUID();
  const { uploadId } = await db.transaction().execute((tx) =>
    storeUpload(tx, keys, { tenantId: tenantA, ownerKind: 'application', ownerId, fileName: 'C:\\Users\\erika\\Mietvertrag Müller.pdf', mediaType: 'application/pdf', bytes: evidence }));
  const row = await db.selectFrom('uploads').selectAll().where('id', '=', uploadId).executeTakeFirstOrThrow();
  const stored = Buffer.from(row.content_enc);
  assert.equal(stored.indexOf('Mustermann'), -1);
  assert.equal(stored.indexOf('%PDF'), -1);
  assert.equal(Buffer.from(row.file_name_enc).indexOf('Mietvertrag'), -1);
  assert.equal(row.size_bytes, evidence.length);
  assert.equal(row.sha256, createHash('sha256').update(evidence).digest('hex'));
  // The whole table dump holds no plaintext either.
  const dump = await sql<{ t: string }>`SELECT string_agg(encode(content_enc, 'escape') || encode(file_name_enc, 'escape'), '') AS t FROM uploads`.execute(db);
  assert.doesNotMatch(dump.rows[0]?.t ?? '', /Mustermann|Mietvertrag/);

  const read = await readUpload(db, keys, tenantA, uploadId);
  assert.ok(read);
  assert.deepEqual(Buffer.from(read.bytes), evidence);
  assert.equal(read.fileName, 'Mietvertrag Müller.pdf', 'the path is dropped');
  assert.equal(read.mediaType, 'application/pdf');
  assert.deepEqual((await listUploads(db, keys, tenantA, 'application', ownerId)).map((u) => u.fileName), ['Mietvertrag Müller.pdf']);
});

test('another tenant\'s upload id reads as not found; a value moved to another tenant or row does not decrypt', async () => {
  const db = testDb.database.db;
  const { uploadId } = await storeUpload(db, keys, { tenantId: tenantA, ownerKind: 'application', ownerId: randomUUID(), fileName: 'a.pdf', mediaType: 'application/pdf', bytes: evidence });
  assert.equal(await readUpload(db, keys, tenantB, uploadId), undefined);
  assert.equal(await readUpload(db, keys, tenantA, randomUUID()), undefined);
  assert.equal(await readUpload(db, keys, tenantA, 'not-a-uuid'), undefined);
  assert.deepEqual(await listUploads(db, keys, tenantB, 'application', randomUUID()), []);

  const row = await db.selectFrom('uploads').select('content_enc').where('id', '=', uploadId).executeTakeFirstOrThrow();
  await assert.rejects(keys.decrypt(db, tenantB, row.content_enc, `uploads.content:${uploadId}`));
  await assert.rejects(keys.decrypt(db, tenantA, row.content_enc, `uploads.content:${randomUUID()}`));
});

test('rotation: new data uses the new key version, old data stays readable, re-encryption moves it; keys are wrapped by the master key', async () => {
  const db = testDb.database.db;
  const ownerId = randomUUID();
  const before = await keys.currentVersion(db, tenantB);
  const old = await storeUpload(db, keys, { tenantId: tenantB, ownerKind: 'message', ownerId, fileName: 'alt.png', mediaType: 'image/png', bytes: Buffer.from('altes Bild') });
  const rotated = await keys.rotate(db, tenantB);
  assert.equal(rotated, before + 1);
  const fresh = await storeUpload(db, keys, { tenantId: tenantB, ownerKind: 'message', ownerId, fileName: 'neu.png', mediaType: 'image/png', bytes: Buffer.from('neues Bild') });
  const versions = async () => new Map((await db.selectFrom('uploads').select(['id', 'key_version', 'content_enc']).where('owner_id', '=', ownerId).execute())
    .map((r) => [r.id, { column: r.key_version, inValue: keys.versionOf(r.content_enc) }]));
  let v = await versions();
  assert.deepEqual(v.get(old.uploadId), { column: before, inValue: before });
  assert.deepEqual(v.get(fresh.uploadId), { column: rotated, inValue: rotated });
  assert.equal(Buffer.from((await readUpload(db, keys, tenantB, old.uploadId))!.bytes).toString(), 'altes Bild', 'old data stays readable');

  // A fresh key service (another instance, nothing cached) reads both.
  const otherInstance = createTenantKeys(cipher);
  assert.equal(Buffer.from((await readUpload(db, otherInstance, tenantB, old.uploadId))!.bytes).toString(), 'altes Bild');

  assert.ok(await reencryptUploads(db, keys, tenantB) >= 1);
  v = await versions();
  assert.deepEqual(v.get(old.uploadId), { column: rotated, inValue: rotated });
  const moved = await readUpload(db, otherInstance, tenantB, old.uploadId);
  assert.equal(Buffer.from(moved!.bytes).toString(), 'altes Bild');
  assert.equal(moved!.fileName, 'alt.png');
  assert.equal(await reencryptUploads(db, keys, tenantB), 0, 'nothing left to move');

  const wrapped = await db.selectFrom('tenant_data_keys').select('wrapped_key').where('tenant_id', '=', tenantB).execute();
  assert.equal(wrapped.length, rotated);
  for (const w of wrapped) assert.match(w.wrapped_key, /^v1\./, 'wrapped by the field cipher');
  // With another master key nothing can be unwrapped.
  await assert.rejects(readUpload(db, createTenantKeys(createFieldCipher(randomBytes(32))), tenantB, fresh.uploadId));

  assert.equal(await deleteUploadsOfOwner(db, tenantA, 'message', ownerId), 0, 'another tenant deletes nothing');
  assert.equal(await deleteUploadsOfOwner(db, tenantB, 'message', ownerId), 2);
});

test('Content-Disposition carries an ASCII fallback and the UTF-8 file name (RFC 6266/5987)', () => {
  assert.equal(contentDisposition('attachment', 'Bescheid Müller "final".pdf'), `attachment; filename="Bescheid Muller final.pdf"; filename*=UTF-8''Bescheid%20M%C3%BCller%20final.pdf`);
  assert.equal(contentDisposition('inline', '../../etc/passwd'), `inline; filename="....etcpasswd"; filename*=UTF-8''....etcpasswd`);
  assert.equal(contentDisposition('attachment', 'Rechnung (1) €.pdf'), `attachment; filename="Rechnung (1) _.pdf"; filename*=UTF-8''Rechnung%20%281%29%20%E2%82%AC.pdf`);
});

test('downloads: attachment by default, nosniff, only safe types, a sandbox CSP for inline previews', async () => {
  const server: FastifyInstance = Fastify();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: ':memory:' });
  await registerWebPlatform(server, { config, db: testDb.database.db, render: createRenderer(), sharedRateLimits: false });
  server.get('/download/:kind', async (req, reply) => {
    const kind = (req.params as { kind: string }).kind;
    if (kind === 'pdf') return sendDownload(reply, { fileName: 'Bescheid.pdf', mediaType: 'application/pdf', bytes: evidence });
    if (kind === 'preview') return sendDownload(reply, { fileName: 'Foto.png', mediaType: 'image/png', bytes: Buffer.from('png'), disposition: 'inline' });
    return sendDownload(reply, { fileName: 'seite.html', mediaType: 'text/html', bytes: Buffer.from('<script>alert(1)</script>'), disposition: 'inline' });
  });
  await server.ready();
  try {
    const pdf = await server.inject('/download/pdf');
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.equal(pdf.headers['content-disposition'], `attachment; filename="Bescheid.pdf"; filename*=UTF-8''Bescheid.pdf`);
    assert.equal(pdf.headers['x-content-type-options'], 'nosniff');
    assert.match(String(pdf.headers['content-security-policy']), /^sandbox;/);
    assert.equal(pdf.rawPayload.compare(evidence), 0);

    const preview = await server.inject('/download/preview');
    assert.equal(preview.headers['content-disposition'], `inline; filename="Foto.png"; filename*=UTF-8''Foto.png`);
    const csp = String(preview.headers['content-security-policy']);
    assert.match(csp, /^sandbox;/);
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /script-src/);

    const unsafe = await server.inject('/download/html');
    assert.equal(unsafe.headers['content-type'], 'application/octet-stream');
    assert.match(String(unsafe.headers['content-disposition']), /^attachment;/);
  } finally {
    await server.close();
  }
});

test('multipart: files reach only routes that accept them, within the per-file and per-request limits', async () => {
  const server: FastifyInstance = Fastify();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: ':memory:', UPLOAD_MAX_BYTES: '4096', UPLOAD_MAX_REQUEST_BYTES: '5000' });
  await registerWebPlatform(server, { config, db: testDb.database.db, render: createRenderer(), sharedRateLimits: false });
  // Under /api/ so that no CSRF token is needed here (the page test of /pruefen covers CSRF).
  const summary = (req: Parameters<typeof readMultipartForm>[0]) => {
    const form = readMultipartForm(req);
    return { fields: form.fields, files: form.files.map((f) => ({ field: f.fieldName, name: f.fileName, size: f.bytes.length, truncated: f.truncated })) };
  };
  server.post('/api/with-files', { config: multipartRouteConfig({ maxFileBytes: 3000 }) }, async (req) => summary(req));
  server.post('/api/without-files', async (req) => summary(req));
  await server.ready();
  try {
    const post = async (url: string, files: { field: string; fileName: string; bytes: Uint8Array }[]) => {
      const { body, contentType } = multipartBody({ note: 'Grüße', tag: 'a' }, files);
      const res = await server.inject({ method: 'POST', url, payload: body, headers: { 'content-type': contentType } });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as ReturnType<typeof summary>;
    };
    const accepted = await post('/api/with-files', [
      { field: 'a', fileName: 'a.pdf', bytes: Buffer.alloc(2000, 1) },
      { field: 'b', fileName: 'b.pdf', bytes: Buffer.alloc(3500, 1) },
      { field: 'c', fileName: 'c.pdf', bytes: Buffer.alloc(2500, 1) },
      { field: 'd', fileName: 'd.pdf', bytes: Buffer.alloc(1000, 1) },
    ]);
    assert.deepEqual(accepted.fields, { note: 'Grüße', tag: 'a' });
    assert.deepEqual(accepted.files, [
      { field: 'a', name: 'a.pdf', size: 2000, truncated: false },
      { field: 'b', name: 'b.pdf', size: 3000, truncated: true }, // cut at the route's per-file limit
      { field: 'c', name: 'c.pdf', size: 0, truncated: true }, // over the request's total: not held
      { field: 'd', name: 'd.pdf', size: 0, truncated: true },
    ]);
    const elsewhere = await post('/api/without-files', [{ field: 'a', fileName: 'a.pdf', bytes: Buffer.alloc(100, 1) }]);
    assert.deepEqual(elsewhere.files, [{ field: 'a', name: 'a.pdf', size: 0, truncated: true }]);
  } finally {
    await server.close();
  }
});
