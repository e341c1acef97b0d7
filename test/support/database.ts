/**
 * One database per test file, cloned from a migrated template that holds the reference data:
 * on PostgreSQL (TEST_DATABASE_URL) with CREATE DATABASE … TEMPLATE, on PGlite by loading a
 * data-directory snapshot. The template is built once per migration set and reused.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { importCatalog } from '../../src/modules/catalog/index.ts';
import { loadReferenceData } from '../../src/modules/municipalities/index.ts';
import { openDatabase, type Database } from '../../src/platform/db/database.ts';
import { migrate, migrationsDigest } from '../../src/platform/db/migrations.ts';

export interface TestDatabase {
  database: Database;
  /** Closes the database and drops it (PostgreSQL). */
  drop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');
// What the template's content depends on besides the migrations: the shipped data and the code that loads it.
const TEMPLATE_INPUTS = ['reference-data', 'src/modules/catalog/import-catalog.ts', 'src/modules/catalog/search-terms.ts', 'src/modules/municipalities/load-reference-data.ts', 'src/modules/municipalities/search-text.ts', 'src/platform/text/fold.ts'];

/** Names a template by everything it is built from, so that a change builds a new one. */
async function templateDigest(): Promise<string> {
  const hash = createHash('sha256').update(await migrationsDigest());
  for (const input of TEMPLATE_INPUTS) {
    const full = path.join(ROOT, input);
    const files = input.endsWith('.ts') ? [full] : (await readdir(full, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
    for (const f of files) hash.update(f.slice(ROOT.length)).update(await readFile(f));
  }
  return hash.digest('hex').slice(0, 16);
}

/** The PostgreSQL server tests run against, or undefined for PGlite. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;

export async function createTestDatabase(): Promise<TestDatabase> {
  return testDatabaseUrl ? createPostgresTestDatabase(testDatabaseUrl) : createPgliteTestDatabase();
}

async function createPgliteTestDatabase(): Promise<TestDatabase> {
  const digest = await templateDigest();
  const file = path.join(os.tmpdir(), `digitales-amt-template-${digest}.tar`);
  if (!existsSync(file)) {
    const template = await openDatabase({ dataDir: null });
    await migrate(template);
    await loadReferenceData(template.db);
    await importCatalog(template.db);
    const blob = await template.dumpDataDir();
    await template.close();
    // Write then rename: parallel test files never read a half-written snapshot.
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(temp, Buffer.from(await blob.arrayBuffer()));
    await rename(temp, file);
  }
  const database = await openDatabase({ dataDir: null, loadDataDir: new Blob([await readFile(file)]) });
  return { database, drop: () => database.close() };
}

const TEMPLATE_LOCK = 4_711_2025;

async function createPostgresTestDatabase(url: string): Promise<TestDatabase> {
  const digest = await templateDigest();
  const templateName = `da_template_${digest}`;
  const name = `da_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [templateName]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${templateName}`);
      const template = await openDatabase({ databaseUrl: withDatabase(url, templateName), poolSize: 1 });
      try {
        await migrate(template);
        await loadReferenceData(template.db);
        await importCatalog(template.db);
      } finally {
        await template.close();
      }
    }
    // A backend of the template's just-closed connection may linger a moment ("being accessed by
    // other users", 55006): try again briefly.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateName}`);
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006' || attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
  } finally {
    await admin.end();
  }
  const database = await openDatabase({ databaseUrl: withDatabase(url, name), poolSize: 4 });
  return {
    database,
    async drop() {
      await database.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
