/**
 * Pages for every Bavarian municipality and district, and the municipality finder
 * (by name, part of a name, or postcode); plus the JSON lookup the chooser enhances itself with.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../platform/db/database.ts';
import { DomainError, invalidParamsOf } from '../../platform/http/errors.ts';
import { findAward } from '../digitales-amt/index.ts';
import { findTenantOfDistrict, findTenantsOfArea } from '../tenants/index.ts';
import {
  findDistrict, findMunicipality, findNearbyPostcodes, listDistricts, listMunicipalitiesOfDistrict, searchMunicipalities,
} from './municipalities.repository.ts';

/** Query of the finder page and of GET /api/v1/municipalities (documented in the API module's OpenAPI document). */
export const municipalitySearchQuery = z.object({ q: z.string().max(100).optional(), ziel: z.string().max(300).regex(/^\/(?!\/)[\w\-./]*$/).optional() });

export async function municipalityRoutes(app: FastifyInstance, { db }: { db: Db }): Promise<void> {
  app.get('/gemeinden', async (req, reply) => {
    const parsed = municipalitySearchQuery.safeParse(req.query);
    const q = parsed.success ? (parsed.data.q ?? '').trim() : '';
    // Choosing a municipality for another page (a service): results lead back there.
    const ziel = parsed.success ? parsed.data.ziel : undefined;
    if (q === '') {
      const districts = await listDistricts(db);
      const byRegion = new Map<string, typeof districts>();
      for (const d of districts) byRegion.set(d.regierungsbezirk, [...(byRegion.get(d.regierungsbezirk) ?? []), d]);
      return reply.page('modules/municipalities/views/index.njk', {
        pageTitle: req.t('municipalities.title'),
        regions: [...byRegion.entries()].map(([name, list]) => ({ name, districts: list })),
        q,
        ziel,
      });
    }
    const results = await searchMunicipalities(db, q);
    const nearby = results.length === 0 && /^\d{5}$/.test(q) ? await findNearbyPostcodes(db, q) : [];
    return reply.page('modules/municipalities/views/search.njk', {
      pageTitle: req.t('municipalities.search.resultsTitle', { q }),
      q,
      ziel,
      results,
      nearby,
    });
  });

  app.get<{ Params: { ags: string } }>('/gemeinden/:ags', async (req, reply) => {
    if (!/^09\d{6}$/.test(req.params.ags)) throw new DomainError('NOT_FOUND');
    const municipality = await findMunicipality(db, req.params.ags);
    if (!municipality) throw new DomainError('NOT_FOUND');
    // One query for both authorities that may be connected: the municipality and its district office.
    const tenants = await findTenantsOfArea(db, municipality.ags, municipality.kind === 'kreisfreie_stadt' ? null : municipality.district_key);
    const tenant = tenants.find((t) => t.municipality_ags === municipality.ags);
    const districtOffice = tenants.find((t) => t.kind === 'district_office');
    // Only a connected municipality can hold the Digitales Amt distinction: no query for the others.
    const digitalesAmt = tenant?.connected_at ? await findAward(db, municipality.ags, req.locale) : undefined;
    return reply.page('modules/municipalities/views/show.njk', {
      pageTitle: municipality.name,
      municipality,
      district: { key: municipality.district_key, name: municipality.district_name },
      tenant: tenant?.connected_at ? tenant : null,
      districtOffice: districtOffice?.connected_at ? districtOffice : null,
      digitalesAmt,
    });
  });

  app.get<{ Params: { key: string } }>('/landkreise/:key', async (req, reply) => {
    if (!/^09\d{3}$/.test(req.params.key)) throw new DomainError('NOT_FOUND');
    const district = await findDistrict(db, req.params.key);
    if (!district) throw new DomainError('NOT_FOUND');
    // A kreisfreie Stadt is its own district: its one page is the municipality page.
    if (district.kind === 'kreisfreie_stadt') return reply.redirect(`/gemeinden/${district.key}000`, 301);
    const [municipalities, tenant] = await Promise.all([listMunicipalitiesOfDistrict(db, district.key), findTenantOfDistrict(db, district.key)]);
    return reply.page('modules/municipalities/views/district.njk', {
      pageTitle: req.t('district.title', { name: district.name }),
      district,
      municipalities,
      population: municipalities.reduce((sum, m) => sum + m.population, 0),
      tenant: tenant?.connected_at ? tenant : null,
    });
  });

  app.get('/api/v1/municipalities', async (req, reply) => {
    const parsed = municipalitySearchQuery.safeParse(req.query);
    if (!parsed.success) throw new DomainError('BAD_REQUEST', undefined, { invalidParams: invalidParamsOf(parsed.error) });
    const q = (parsed.data.q ?? '').trim();
    const results = q === '' ? [] : await searchMunicipalities(db, q, 20);
    return reply.send({
      items: results.map((m) => ({
        ags: m.ags, ars: m.ars, name: m.name, officialName: m.official_name, type: m.kind,
        district: { key: m.district_key, name: m.district_name }, regierungsbezirk: m.regierungsbezirk,
        postcode: m.postcode, population: m.population, connected: m.connected, url: `/gemeinden/${m.ags}`,
      })),
    });
  });
}
