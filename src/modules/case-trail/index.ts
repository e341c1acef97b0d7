/**
 * The case trail: an append-only, per-tenant hash-chained record of every case action (who, when,
 * what, from which level of authentication), and its verification.
 */
export { GENESIS_HASH } from './case-trail-hash.ts';
export type { CaseTrailDetails } from './case-trail-hash.ts';
export type { CaseTrailEntry } from './case-trail.repository.ts';
export { recordCaseAction } from './record-case-action.ts';
export type { CaseAction } from './record-case-action.ts';
export { listCaseTrail, listRecentCaseActions } from './list-case-trail.ts';
export { verifyCaseTrail } from './verify-case-trail.ts';
export type { CaseTrailBreakReason, CaseTrailVerification, VerifyCaseTrailOptions } from './verify-case-trail.ts';
