/**
 * GET /api/v1/services/{leikaKey}: the service description, and for a municipality the responsible
 * authority with contact, the online procedures offered there and the local text of the responsible tenant.
 */
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/http/errors.ts';
import {
  findLocalText, findResponsibleAuthority, findService, listOnlineProceduresFor, splitLegalBasis, tenantsServing,
} from '../catalog/index.ts';
import type { ServiceDetailBody } from './api.schemas.ts';
import { presentAuthority, presentProcedure, requireMunicipality, servicePageUrl } from './present.ts';

/**
 * Describes a service, for a municipality when `ags` is given.
 * @throws DomainError NOT_FOUND for an unknown service; BAD_REQUEST naming `ags` for an unknown municipality.
 */
export async function describeService(db: Db, leikaKey: string, ags: string | undefined): Promise<ServiceDetailBody> {
  const [service, municipality] = await Promise.all([findService(db, leikaKey), ags ? requireMunicipality(db, ags) : undefined]);
  if (!service) throw new DomainError('NOT_FOUND');
  const [authority, servingTenantIds] = await Promise.all([
    municipality ? findResponsibleAuthority(db, service.leika_key, municipality.ags) : undefined,
    municipality ? tenantsServing(db, municipality.ags) : [],
  ]);
  const [procedures, localText] = await Promise.all([
    listOnlineProceduresFor(db, servingTenantIds, [service.leika_key]),
    authority?.tenantId ? findLocalText(db, authority.tenantId, service.leika_key) : undefined,
  ]);
  return {
    leikaKey: service.leika_key,
    name: service.name,
    leikaType: service.leika_type,
    ozgService: service.ozg_service_name,
    topic: service.topic_name && service.topic_slug ? { name: service.topic_name, slug: service.topic_slug } : null,
    lifeEvent: service.life_event_name && service.life_event_slug ? { name: service.life_event_name, slug: service.life_event_slug } : null,
    texts: {
      description: service.description, requirements: service.requirements, documents: service.documents, fees: service.fees,
      deadlines: service.deadlines, processingTime: service.processing_time, forms: service.forms,
    },
    legalBasis: splitLegalBasis(service.legal_basis),
    municipality: municipality ? { ags: municipality.ags, ars: municipality.ars, name: municipality.name } : null,
    responsibleAuthority: authority ? presentAuthority(authority) : null,
    onlineProcedures: procedures.map((p) => presentProcedure(p, municipality?.ags)),
    localText: localText ? {
      fees: localText.fees, contact: localText.contact, localRequirements: localText.local_requirements,
      updatedAt: new Date(localText.updated_at).toISOString(),
    } : null,
    url: servicePageUrl(service.leika_key, municipality?.ags),
  };
}
