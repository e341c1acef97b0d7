export { applicationsRoutes, ownerOf } from './applications.routes.ts';
export { createExpireDraftsJob, applicationsSchedules, expireDrafts } from './expire-drafts.ts';
export { createReceiptJob, produceReceipt } from './receipt-job.ts';
export { startApplication } from './start-application.ts';
export { submitApplication } from './submit-application.ts';
export { saveStep } from './save-step.ts';
export { findOwnApplication, findTenantApplication, findSubmittedApplication, insertEvent, listEvents } from './applications.repository.ts';
export type { ApplicationOwner, ApplicationRow, ApplicationEvent } from './applications.repository.ts';
