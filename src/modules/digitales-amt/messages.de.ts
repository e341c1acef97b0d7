/** German UI text of this module (merged into the catalog in platform/i18n). Keys start with `digitalesAmt.`. */
export const digitalesAmtMessagesDe = {
} as const;
