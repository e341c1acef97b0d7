/**
 * The form of a service in a municipality, for apps that fill applications themselves: the online
 * procedure on this portal of the authority the finder holds responsible there, with its settings
 * and the form definition (format 1, the same the portal's pages are built from).
 */
import type { Db } from '../../platform/db/database.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { findApplicableProcedure, type FormVersions } from '../applications/index.ts';
import { findResponsibleAuthority } from '../catalog/index.ts';
import type { ServiceFormBody } from './api.schemas.ts';
import { requireMunicipality } from './present.ts';

/**
 * @throws DomainError BAD_REQUEST naming `ags` for an unknown municipality; NOT_FOUND when no
 * authority responsible there offers the service on this portal.
 */
export async function describeServiceForm(db: Db, formVersions: FormVersions, leikaKey: string, ags: string): Promise<ServiceFormBody> {
  await requireMunicipality(db, ags);
  const authority = await findResponsibleAuthority(db, leikaKey, ags);
  if (!authority?.tenantId) throw new DomainError('NOT_FOUND');
  const found = await findApplicableProcedure(db, formVersions, authority.tenantId, leikaKey);
  if (!found) throw new DomainError('NOT_FOUND');
  const { procedure, definition } = found;
  return {
    leikaKey, ags,
    procedure: {
      name: procedure.name, authority: procedure.tenantName, minTrustLevel: procedure.minTrustLevel, paymentTiming: procedure.paymentTiming,
      processingDays: procedure.processingDays, formVersion: procedure.formVersion, startUrl: `/antraege/neu/${procedure.id}?ags=${ags}`,
    },
    fee: (procedure.feeSchedule ?? null) as Record<string, unknown> | null,
    definition: definition as unknown as Record<string, unknown>,
  };
}
