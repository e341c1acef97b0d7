export { importFimSchema, checkDefinition, MAX_IMPORT_BYTES, MAX_IMPORT_FILES } from './import-fim-schema.ts';
export type { ImportFileInput, ImportResult } from './import-fim-schema.ts';
export type { ImportError, ImportErrorCode, ImportReport, ImportSummary, TranslatedRule, UntranslatedItem, UntranslatedReason } from './import-report.ts';
export { fimImportRoutes, FIM_IMPORT_PATH } from './fim.routes.ts';
export type { FimImportRouteOptions, OnFimImported } from './fim.routes.ts';
