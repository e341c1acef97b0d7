/**
 * Demo catalogue data: contact data of the connected authorities and linked online procedures, so
 * that some municipalities qualify for the Digitales Amt distinction (50 or more) and others not.
 */
import { bumpCacheVersion } from '../platform/cache/versioned-cache.ts';
import type { Db } from '../platform/db/database.ts';
import { listMunicipalServices, upsertAuthority, upsertOnlineProcedure } from '../modules/catalog/catalog.repository.ts';

/** Online procedures per demo tenant: Coburg exactly at the threshold, Bad Neustadt one below it. */
export const DEMO_PROCEDURE_COUNTS: Record<string, number> = { coburg: 50, muenchen: 80, 'bad-neustadt': 49, 'landkreis-coburg': 12 };

const CONTACTS: Record<string, { key: string; street: string; postcode: string; city: string; phone: string; email: string; website: string; openingHours: string }> = {
  coburg: { key: 'municipality:09463000', street: 'Markt 1', postcode: '96450', city: 'Coburg', phone: '09561 89-0', email: 'buergerservice@coburg.demo.digitales-amt.de', website: 'https://www.coburg.de', openingHours: 'Mo–Fr 8–12 Uhr, Do 14–17 Uhr' },
  muenchen: { key: 'municipality:09162000', street: 'Marienplatz 8', postcode: '80331', city: 'München', phone: '089 233-00', email: 'buergerbuero@muenchen.demo.digitales-amt.de', website: 'https://stadt.muenchen.de', openingHours: 'Mo–Fr 7:30–12 Uhr, Di und Do 14–18 Uhr' },
  'bad-neustadt': { key: 'municipality:09673114', street: 'Rathausgasse 2', postcode: '97616', city: 'Bad Neustadt a.d.Saale', phone: '09771 9106-0', email: 'rathaus@bad-neustadt.demo.digitales-amt.de', website: 'https://www.bad-neustadt.de', openingHours: 'Mo–Fr 8–12 Uhr' },
  'landkreis-coburg': { key: 'district:09473', street: 'Lauterer Straße 60', postcode: '96450', city: 'Coburg', phone: '09561 514-0', email: 'poststelle@landkreis-coburg.demo.digitales-amt.de', website: 'https://www.landkreis-coburg.de', openingHours: 'Mo–Fr 8–12 Uhr, Do 13–17:30 Uhr' },
};

/**
 * Seeds contacts and the generic demo procedures: per tenant its count minus the services in
 * `reserved` (procedures on this platform that the applications demo adds), skipping those services.
 */
export async function seedDemoCatalog(db: Db, tenantIdsBySlug: Map<string, { id: string; name: string }>, reserved: Map<string, string[]> = new Map()): Promise<void> {
  // The services people look for most come first, so that the demo shows them online.
  const featured = ['99115005104000', '99049001000000', '99102013000000', '99050012104000', '99115005070000', '99008001012000'];
  const first = await db.selectFrom('services').select(['leika_key', 'name']).where('leika_key', 'in', featured).orderBy('leika_key').execute();
  const pool = [...first, ...(await listMunicipalServices(db, 300)).filter((s) => !featured.includes(s.leika_key))];
  const districtPool = await db.selectFrom('services').select(['leika_key', 'name']).where('leika_key', 'like', '99036%').orderBy('leika_key').limit(40).execute();
  await db.transaction().execute(async (tx) => {
    await bumpCacheVersion(tx, 'catalog');
    for (const [slug, contact] of Object.entries(CONTACTS)) {
      const tenant = tenantIdsBySlug.get(slug);
      if (!tenant) continue;
      await upsertAuthority(tx, { ...contact, name: tenant.name, tenantId: tenant.id });
    }
    for (const [slug, count] of Object.entries(DEMO_PROCEDURE_COUNTS)) {
      const tenant = tenantIdsBySlug.get(slug);
      if (!tenant) continue;
      const skip = reserved.get(slug) ?? [];
      const services = (slug === 'landkreis-coburg' ? districtPool : pool).filter((s) => !skip.includes(s.leika_key));
      for (let i = 0; i < Math.min(count - skip.length, services.length); i++) {
        const service = services[i]!;
        const internal = i % 3 === 0;
        await upsertOnlineProcedure(tx, tenant.id, {
          leikaKey: service.leika_key,
          name: `${service.name} online`,
          kind: internal ? 'internal' : 'external',
          url: internal ? null : `https://service.${slug}.demo.digitales-amt.de/${service.leika_key}`,
          maturityModel: i % 2 === 0 ? '1' : '2',
          maturityLevel: i % 2 === 0 ? 3 + (i % 2) : 4 + (i % 4),
        });
      }
    }
  });
}
