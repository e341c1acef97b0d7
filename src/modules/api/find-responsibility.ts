/**
 * GET /api/v1/responsibility: which authority is responsible for a service in a municipality.
 */
import type { Db } from '../../platform/db/database.ts';
import { DomainError, type InvalidParam } from '../../platform/http/errors.ts';
import { findResponsibleAuthority, findService } from '../catalog/index.ts';
import { findMunicipality } from '../municipalities/index.ts';
import type { ResponsibilityBody } from './api.schemas.ts';
import { presentAuthority } from './present.ts';

/**
 * Finds the responsible authority.
 * @throws DomainError BAD_REQUEST naming `leikaKey` and/or `ags` when that service or municipality is unknown.
 */
export async function findResponsibility(db: Db, leikaKey: string, ags: string): Promise<ResponsibilityBody> {
  const [service, municipality] = await Promise.all([findService(db, leikaKey), findMunicipality(db, ags)]);
  const refused: InvalidParam[] = [];
  if (!service) refused.push({ name: 'leikaKey', reason: 'api.param.leikaKey.unknown' });
  if (!municipality) refused.push({ name: 'ags', reason: 'api.param.ags.unknown' });
  if (!service || !municipality) throw new DomainError('BAD_REQUEST', undefined, { invalidParams: refused });
  const authority = await findResponsibleAuthority(db, service.leika_key, municipality.ags);
  // Both exist, so the finder answers; undefined would mean one vanished in between.
  if (!authority) throw new DomainError('NOT_FOUND');
  return {
    service: { leikaKey: service.leika_key, name: service.name },
    municipality: { ags: municipality.ags, ars: municipality.ars, name: municipality.name },
    authority: presentAuthority(authority),
  };
}
