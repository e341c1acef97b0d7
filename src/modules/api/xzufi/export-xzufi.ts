/**
 * The XZuFi-style export of one municipality (GET /api/v1/municipalities/{ags}/xzufi.xml): every
 * service with an online procedure offered to its residents or a local text, the organisational units
 * responsible for those services there (each with its zustaendigkeiten: service + the municipality's
 * ARS), and the online services. The format is the project schema `xzufi-subset.xsd` beside this file,
 * modelled on XZuFi 2.2; the XML is built with xmlbuilder2, which escapes every value.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { create } from 'xmlbuilder2';
import type { Db } from '../../../platform/db/database.ts';
import {
  findResponsibleAuthority, findServicesByKeys, listLocalTextsOf, listOnlineProceduresFor, splitLegalBasis, tenantsServing,
  type ResponsibleAuthority,
} from '../../catalog/index.ts';
import type { Municipality } from '../../municipalities/index.ts';

type XMLBuilder = ReturnType<typeof create>;

/** The project namespace of the export (not XZuFi's own: this is a subset modelled on it). */
export const XZUFI_NAMESPACE = 'urn:digitales-amt:xzufi-teilmenge:2.2';
/** The project schema the export is valid against. */
export const XZUFI_SCHEMA_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'xzufi-subset.xsd');

const LEIKA_LIST = 'urn:de:fim:leika:leistung';
const ARS_LIST = 'urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs';
const AUTHORITY_SCHEME = 'urn:digitales-amt:behoerde';
const PROCEDURE_SCHEME = 'urn:digitales-amt:onlinedienst';

export interface XzufiOptions {
  /** The portal's external base URL: procedures run on the portal link to their service page. */
  publicUrl?: string | undefined;
  now?: Date;
}

/** Builds the export document for a municipality (UTF-8 XML text). Throws only when the database fails. */
export async function exportXzufi(db: Db, municipality: Municipality, options: XzufiOptions = {}): Promise<string> {
  const tenantIds = await tenantsServing(db, municipality.ags);
  const [procedures, localTexts] = await Promise.all([listOnlineProceduresFor(db, tenantIds), listLocalTextsOf(db, tenantIds)]);
  const leikaKeys = [...new Set([...procedures.map((p) => p.leika_key), ...localTexts.map((t) => t.leika_key)])].sort();
  const services = await findServicesByKeys(db, leikaKeys);
  const authorities = new Map<string, ResponsibleAuthority>();
  // One after the other: the finder runs several queries, and PGlite serves one connection anyway.
  for (const s of services) {
    const authority = await findResponsibleAuthority(db, s.leika_key, municipality.ags);
    if (authority) authorities.set(s.leika_key, authority);
  }

  const root = create({ version: '1.0', encoding: 'UTF-8' })
    .ele(XZUFI_NAMESPACE, 'transfer', { version: '2.2', erstellt: (options.now ?? new Date()).toISOString() });
  const gebiet = root.ele('gebiet');
  gebietId(gebiet, municipality.ars);
  gebiet.ele('ags').txt(municipality.ags);
  gebiet.ele('name').txt(municipality.name);

  for (const s of services) {
    const authority = authorities.get(s.leika_key);
    // Only the responsible authority's own text applies here (as on the service page).
    const local = localTexts.find((t) => t.leika_key === s.leika_key && authority?.tenantId != null && t.tenant_id === authority.tenantId);
    const leistung = root.ele('leistung');
    leistung.ele('id', { schemeID: LEIKA_LIST }).txt(s.leika_key);
    leistung.ele('referenzLeiKa', { listURI: LEIKA_LIST }).txt(s.leika_key);
    leistung.ele('bezeichnung').txt(s.name);
    if (s.leika_type) leistung.ele('leistungstyp').txt(s.leika_type);
    const texts: [string, 'katalog' | 'oertlich', string | null | undefined][] = [
      ['volltext', 'katalog', s.description],
      ['voraussetzungen', 'katalog', s.requirements],
      ['voraussetzungen', 'oertlich', local?.local_requirements],
      ['unterlagen', 'katalog', s.documents],
      ['kosten', 'katalog', s.fees],
      ['kosten', 'oertlich', local?.fees],
      ['fristen', 'katalog', s.deadlines],
      ['bearbeitungsdauer', 'katalog', s.processing_time],
      ['formulare', 'katalog', s.forms],
      ['ansprechpunkt', 'oertlich', local?.contact],
    ];
    for (const [art, herkunft, text] of texts) {
      if (text?.trim()) leistung.ele('modulText', { art, herkunft }).ele('inhalt').txt(text.trim());
    }
    for (const basis of splitLegalBasis(s.legal_basis)) {
      const element = leistung.ele('rechtsgrundlage');
      element.ele('text').txt(basis.text);
      if (basis.url) element.ele('uri').txt(basis.url);
    }
  }

  const units = new Map<string, { authority: ResponsibleAuthority; leikaKeys: string[] }>();
  for (const s of services) {
    const authority = authorities.get(s.leika_key);
    if (!authority) continue;
    const unit = units.get(authority.key) ?? { authority, leikaKeys: [] };
    unit.leikaKeys.push(s.leika_key);
    units.set(authority.key, unit);
  }
  for (const { authority, leikaKeys: keys } of [...units.values()].sort((a, b) => a.authority.key.localeCompare(b.authority.key))) {
    const unit = root.ele('organisationseinheit');
    unit.ele('id', { schemeID: AUTHORITY_SCHEME }).txt(authority.key);
    unit.ele('name').txt(authority.name);
    const c = authority.contact;
    if (c && (c.street || c.postcode || c.city)) {
      const anschrift = unit.ele('anschrift');
      if (c.street) anschrift.ele('strasse').txt(c.street);
      if (c.postcode) anschrift.ele('postleitzahl').txt(c.postcode);
      if (c.city) anschrift.ele('ort').txt(c.city);
    }
    if (c?.phone) unit.ele('kommunikation', { kanal: 'telefon' }).txt(c.phone);
    if (c?.email) unit.ele('kommunikation', { kanal: 'email' }).txt(c.email);
    if (c?.website) unit.ele('internetadresse').txt(c.website);
    if (c?.openingHours) unit.ele('oeffnungszeiten').txt(c.openingHours);
    unit.ele('angeschlossen').txt(String(authority.tenantId !== null));
    for (const key of keys) zustaendigkeit(unit, key, municipality.ars);
  }

  const known = new Set(services.map((s) => s.leika_key));
  for (const p of procedures) {
    if (!known.has(p.leika_key)) continue;
    const dienst = root.ele('onlinedienst');
    dienst.ele('id', { schemeID: PROCEDURE_SCHEME }).txt(p.id);
    dienst.ele('bezeichnung').txt(p.name);
    dienst.ele('anbieter').txt(p.tenant_name);
    dienst.ele('reifegrad', { modell: p.maturity_model }).txt(String(p.maturity_level));
    const url = p.url ?? (options.publicUrl ? `${options.publicUrl}/leistungen/${p.leika_key}?ags=${municipality.ags}` : null);
    if (url) {
      const link = dienst.ele('link');
      link.ele('uri').txt(url);
      link.ele('titel').txt(p.name);
    }
    zustaendigkeit(dienst, p.leika_key, municipality.ars);
  }

  return root.end({ prettyPrint: true });
}

function gebietId(parent: XMLBuilder, ars: string): void {
  parent.ele('gebietID', { listURI: ARS_LIST }).txt(ars);
}

function zustaendigkeit(parent: XMLBuilder, leikaKey: string, ars: string): void {
  const z = parent.ele('zustaendigkeit');
  z.ele('leistungID').txt(leikaKey);
  gebietId(z, ars);
}
