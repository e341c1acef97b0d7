/**
 * Sealed PDF documents: render (PDF/A-2b-oriented, tagged), seal (PAdES B-B) and verify.
 */
export { renderPdf } from './render-pdf.ts';
export type { PdfBlock, PdfDocumentModel } from './render-pdf.ts';
export { sealPdf, createCadesSignature } from './seal-pdf.ts';
export type { SealInfo } from './seal-pdf.ts';
export type { SealKey } from './certificates.ts';
export { createSealKeyStore, DEMO_CA_NAME } from './seal-keys.ts';
export type { SealKeyStore, SealKeyStoreOptions } from './seal-keys.ts';
export { isSealValid, verifyPdfSeal } from './verify-pdf-seal.ts';
export type { SealProblem, SealVerification } from './verify-pdf-seal.ts';
