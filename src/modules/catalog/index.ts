export { importCatalog, importCatalogIfEmpty } from './import-catalog.ts';
export type { ImportReport } from './import-catalog.ts';
export { findResponsibleAuthority, findResponsibleAuthorityCached, tenantsServing } from './find-responsible-authority.ts';
export type { ResponsibleAuthority } from './find-responsible-authority.ts';
export { searchServices } from './search-services.ts';
export type { ServiceHit } from './search-services.ts';
export { catalogRoutes, chosenMunicipality, splitLegalBasis } from './catalog.routes.ts';
export {
  findLifeEventBySlug, findLocalText, upsertOnlineProcedure, findService, findServicesByKeys, findTopicBySlug, listLocalTextsOf, listOnlineProceduresFor, listServices,
} from './catalog.repository.ts';
