/**
 * Loads the Bavarian districts and municipalities shipped in `reference-data/` (Destatis GV-ISys,
 * dl-de/by-2-0) into the database. Idempotent: run at every start, it upserts.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { Db } from '../../platform/db/database.ts';
import type { MunicipalitiesTable, MunicipalityKind } from '../../platform/db/schema.ts';
import { countMunicipalities, upsertReferenceData, type District } from './municipalities.repository.ts';
import { displayName, foldPlaceName } from './search-text.ts';

const DATA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../reference-data');

const KIND_BY_TYPE: Record<string, MunicipalityKind> = {
  Gemeinde: 'gemeinde',
  Markt: 'markt',
  Stadt: 'stadt',
  'Große Kreisstadt': 'grosse_kreisstadt',
  'Kreisfreie Stadt': 'kreisfreie_stadt',
};

/** Parses the shipped CSV files. Unpopulated gemeindefreie Gebiete are not municipalities and are skipped. */
export async function readReferenceData(dir = DATA_DIR): Promise<{ districts: District[]; municipalities: MunicipalitiesTable[] }> {
  const districtRows = parse(await readFile(path.join(dir, 'bayern_kreise.csv'), 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
  const municipalityRows = parse(await readFile(path.join(dir, 'bayern_gemeinden.csv'), 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
  const districts: District[] = districtRows.map((r) => ({
    key: required(r, 'kreis_schluessel'),
    name: displayName(required(r, 'name')),
    kind: r.typ === 'Kreisfreie Stadt' ? 'kreisfreie_stadt' : 'landkreis',
    regierungsbezirk: required(r, 'regierungsbezirk'),
    search_name: foldPlaceName(displayName(required(r, 'name'))),
  }));
  const municipalities: MunicipalitiesTable[] = [];
  for (const r of municipalityRows) {
    const kind = KIND_BY_TYPE[r.typ ?? ''];
    if (!kind) continue;
    const officialName = required(r, 'name');
    municipalities.push({
      ags: required(r, 'ags'),
      ars: required(r, 'ars'),
      official_name: officialName,
      name: displayName(officialName),
      kind,
      district_key: required(r, 'kreis_schluessel'),
      regierungsbezirk: required(r, 'regierungsbezirk'),
      association_name: r.verwaltungsgemeinschaft ? r.verwaltungsgemeinschaft : null,
      area_km2: Number(required(r, 'flaeche_km2')),
      population: Number(required(r, 'bevoelkerung')),
      postcode: required(r, 'plz'),
      longitude: Number(required(r, 'lon')),
      latitude: Number(required(r, 'lat')),
      search_name: foldPlaceName(officialName),
    });
  }
  return { districts, municipalities };
}

/** Loads the reference data when the table is empty or `force` is set; returns how many municipalities were loaded. */
export async function loadReferenceData(db: Db, options: { force?: boolean } = {}): Promise<number> {
  if (!options.force && (await countMunicipalities(db)) > 0) return 0;
  const { districts, municipalities } = await readReferenceData();
  await db.transaction().execute((tx) => upsertReferenceData(tx, districts, municipalities));
  return municipalities.length;
}

function required(row: Record<string, string>, column: string): string {
  const value = row[column];
  if (value === undefined || value === '') throw new Error(`reference data: column ${column} is empty in row ${JSON.stringify(row).slice(0, 120)}`);
  return value;
}
