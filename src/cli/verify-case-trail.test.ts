import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { after, before, test } from 'node:test';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../../test/support/database.ts';
import { recordCaseAction } from '../modules/case-trail/index.ts';
import { upsertTenant } from '../modules/tenants/index.ts';
import { openDatabase, type Db } from '../platform/db/database.ts';
import { migrate } from '../platform/db/migrations.ts';

const cli = path.resolve(import.meta.dirname, 'verify-case-trail.ts');
let t: TestDatabase | undefined;
let dir: string | undefined;
let env: Record<string, string>;

/**
 * The command runs in a process of its own: against the PostgreSQL test database, or (PGlite lives
 * in one process) against a migrated data directory that the test opens only between runs.
 */
before(async () => {
  if (testDatabaseUrl) {
    t = await createTestDatabase();
    const { rows } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(t.database.db);
    const url = new URL(testDatabaseUrl);
    url.pathname = `/${rows[0]!.name}`;
    env = { DATABASE_URL: url.toString() };
  } else {
    dir = mkdtempSync(path.join(os.tmpdir(), 'verify-case-trail-'));
    const database = await openDatabase({ dataDir: dir });
    await migrate(database);
    await database.close();
    env = { DATA_DIR: dir };
  }
});
after(async () => {
  await t?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  if (t) return fn(t.database.db);
  const database = await openDatabase({ dataDir: dir! });
  try {
    return await fn(database.db);
  } finally {
    await database.close();
  }
}

function run(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env } });
}

test('intact chains: exit 0; a changed entry: exit 1 naming tenant, seq and reason; --tenant limits the check', async () => {
  const [intact, broken] = await withDb(async (db) => {
    const ids = [
      (await upsertTenant(db, { slug: 'cli-intact', name: 'Intakt', kind: 'state_authority' })).id,
      (await upsertTenant(db, { slug: 'cli-broken', name: 'Gebrochen', kind: 'state_authority' })).id,
    ];
    for (const tenantId of ids) {
      for (let i = 0; i < 3; i++) await recordCaseAction(db, { tenantId, caseId: randomUUID(), action: 'case.opened', actorType: 'system', actorId: null, trustLevel: null, details: { i } });
    }
    return ids;
  });
  const ok = run([], env);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /unversehrt \(6 Einträge geprüft\)/);
  assert.match(ok.stdout, /intact \(6 entries checked\)/);

  await withDb((db) => db.transaction().execute(async (tx) => {
    await sql`ALTER TABLE case_trail DISABLE TRIGGER case_trail_append_only`.execute(tx);
    await sql`UPDATE case_trail SET details = '{"i": 7}' WHERE tenant_id = ${broken!} AND seq = 2`.execute(tx);
    await sql`ALTER TABLE case_trail ENABLE TRIGGER case_trail_append_only`.execute(tx);
  }));
  const bad = run([], env);
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stdout, /GEBROCHEN/);
  assert.match(bad.stdout, new RegExp(`tenant ${broken}, seq 2`));
  assert.match(bad.stdout, /changed_entry/);
  const json = run(['--json'], env);
  assert.equal(json.status, 1);
  assert.equal(JSON.parse(json.stdout).seq, 2);
  assert.equal(run(['--tenant', intact!], env).status, 0);
  assert.equal(run(['--tenant', broken!], env).status, 1);
});

test('usage errors and a missing database: exit 64', () => {
  assert.equal(run(['--tenant', 'nicht-uuid'], { DATA_DIR: os.tmpdir() }).status, 64);
  assert.equal(run(['--unbekannt'], { DATA_DIR: os.tmpdir() }).status, 64);
  const missing = run([], { DATA_DIR: path.join(os.tmpdir(), `fehlt-${randomUUID()}`) });
  assert.equal(missing.status, 64);
  assert.match(missing.stderr, /no database in DATA_DIR/);
});
