export { loadReferenceData } from './load-reference-data.ts';
export { municipalityRoutes, municipalitySearchQuery } from './municipalities.routes.ts';
export { countMunicipalities, findMunicipality, searchDistricts, searchMunicipalities } from './municipalities.repository.ts';
export type { District, Municipality } from './municipalities.repository.ts';
