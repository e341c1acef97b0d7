/** German UI text of this module (merged into the catalog in platform/i18n). Keys start with `api.`. */
export const apiMessagesDe = {
} as const;
