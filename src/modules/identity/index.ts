export { identityRoutes, registerCitizenIdentity } from './identity.routes.ts';
export { identityCleanupJob, identitySchedules } from './identity-cleanup.ts';
export { currentCitizen, requireCitizen, requireCitizenLevel } from './identity.policy.ts';
export type { Citizen, CurrentCitizen } from './identity.policy.ts';
export { AUTHN_CONTEXT, meetsLevel, parseTrustLevel, TRUST_LEVELS } from './saml-profile.ts';
export type { TrustLevel } from './saml-profile.ts';
export { safeReturnPath } from './identity.schemas.ts';
export { registerPersonalDataSection } from './personal-data.ts';
export type { PersonalDataContext, PersonalDataLoader, PersonalDataSectionOptions, PersonalDataValue } from './personal-data.ts';
