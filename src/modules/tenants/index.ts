export { findTenantOfDistrict, findTenantOfMunicipality, findTenantsByIds, listConnectedTenants, upsertTenant } from './tenants.repository.ts';
export type { NewTenant, Tenant } from './tenants.repository.ts';
