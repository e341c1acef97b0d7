export { onCaseOpened, DELIVERY_JOB_TYPE } from './on-case-opened.ts';
export { createCaseDeliveryJob, deliverCase } from './deliver-case.ts';
export type { CaseDeliveryJobDeps } from './deliver-case.ts';
export { caseDeliveryRoutes } from './case-delivery.routes.ts';
export { fachverfahrenApiRoutes, registerCaseReporting, FACHVERFAHREN_API_BASE } from './fachverfahren-api.routes.ts';
export type { CaseReporting } from './fachverfahren-api.routes.ts';
export { signWebhook, verifyWebhookSignature, SIGNATURE_HEADER } from './webhook-signature.ts';
export { authenticateIntegrationClient } from './authenticate-integration-client.ts';
export { describeFachverfahrenApi } from './fachverfahren-openapi.ts';
