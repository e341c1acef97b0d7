/**
 * A data directory with the full Bavarian data set for the catalogue benchmarks: all municipalities,
 * all imported services, and `links` generated online-procedure links spread over connected
 * municipality tenants (about 50 per municipality, on services the municipality is responsible for).
 * Built in this process on PGlite before the app starts on it (DEMO=false: no demo tenants).
 */
import { sql } from 'kysely';
import { importCatalog } from '../../src/modules/catalog/index.ts';
import { loadReferenceData } from '../../src/modules/municipalities/index.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { migrate } from '../../src/platform/db/migrations.ts';
import { makeTempDir } from './processes.ts';

export interface CatalogData {
  dataDir: string;
  links: number;
  tenants: number;
  /** Connected municipalities with links, to search for. */
  sampleAgs: string[];
}

export async function buildCatalogData(links: number): Promise<CatalogData> {
  const dataDir = makeTempDir(`catalog-${links}`);
  const database = await openDatabase({ dataDir });
  try {
    await migrate(database);
    await loadReferenceData(database.db);
    await importCatalog(database.db);
    const perTenant = 50;
    const tenants = Math.ceil(links / perTenant);
    // Connect the largest municipalities first; each links the same kind of municipal services.
    await sql`
      INSERT INTO tenants (slug, name, kind, municipality_ags, connected_at)
      SELECT 'bench-' || ags, name, 'municipality', ags, now()
      FROM municipalities ORDER BY population DESC LIMIT ${tenants}`.execute(database.db);
    await sql`
      WITH svc AS (
        SELECT leika_key, row_number() OVER (ORDER BY leika_key) AS n FROM services
        WHERE leika_key LIKE '99115%' OR leika_key LIKE '99050%' OR leika_key LIKE '99008%' OR leika_key LIKE '99049%' OR leika_key LIKE '99102013%'),
      t AS (SELECT id, row_number() OVER (ORDER BY slug) AS n FROM tenants WHERE slug LIKE 'bench-%')
      INSERT INTO online_procedures (tenant_id, leika_key, name, kind, url, maturity_model, maturity_level)
      SELECT t.id, svc.leika_key, 'Online-Dienst ' || svc.leika_key, 'external', 'https://example.invalid/' || svc.leika_key, '2', 5
      FROM t JOIN svc ON svc.n <= ${perTenant}
      ORDER BY t.n, svc.n
      LIMIT ${links}`.execute(database.db);
    const count = await database.db.selectFrom('online_procedures').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const sample = await database.db.selectFrom('tenants').select('municipality_ags').where('slug', 'like', 'bench-%').orderBy('slug').limit(10).execute();
    await sql`ANALYZE`.execute(database.db);
    return { dataDir, links: Number(count.n), tenants, sampleAgs: sample.map((r) => r.municipality_ags!) };
  } finally {
    await database.close();
  }
}
