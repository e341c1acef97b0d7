export { formLibraryRoutes } from './form-library.routes.ts';
export { storeForm, storeImportedForm, formSlug } from './store-form.ts';
export type { StoreFormResult } from './store-form.ts';
export { shareForm } from './share-form.ts';
export { offerProcedure, changeProcedureSettings } from './offer-procedure.ts';
export { insertApplicationProcedure } from './form-library.repository.ts';
