export { findTenantOfDistrict, findTenantOfMunicipality, findTenantsByIds, findTenantsOfArea, listConnectedTenants, upsertTenant } from './tenants.repository.ts';
export type { NewTenant, Tenant } from './tenants.repository.ts';
