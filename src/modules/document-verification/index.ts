export { documentVerificationRoutes, VERIFY_MAX_BYTES } from './document-verification.routes.ts';
export type { DocumentVerificationDeps } from './document-verification.routes.ts';
