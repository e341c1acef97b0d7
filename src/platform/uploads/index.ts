/**
 * Evidence uploads: inspection by content, malware scanning, encrypted storage per tenant, safe download.
 */
import type { UploadsConfig } from '../../config.ts';
import { createClamdScanner, noMalwareScanner, parseClamdAddress, type MalwareScanner } from './malware-scanner.ts';

export { inspectUpload, UPLOAD_MEDIA_TYPES } from './inspect-upload.ts';
export type { InspectOptions, InspectResult, ReceivedBytes, UploadMediaType, UploadRefusal } from './inspect-upload.ts';
export { createClamdScanner, noMalwareScanner, parseClamdAddress } from './malware-scanner.ts';
export type { ClamdOptions, MalwareScanner, ScanVerdict } from './malware-scanner.ts';
export { deleteUpload, deleteUploadsOfOwner, listUploads, readUpload, reencryptUploads, sanitizeFileName, storeUpload } from './uploads.repository.ts';
export type { NewUpload, StoredUpload, UploadSummary } from './uploads.repository.ts';
export { contentDisposition, sendDownload } from './send-download.ts';
export type { Download } from './send-download.ts';

/** The configured scanner: clamd when `CLAMD_ADDRESS` is set, otherwise none (demo). */
export function createMalwareScanner(config: UploadsConfig): MalwareScanner {
  return config.clamdAddress ? createClamdScanner(parseClamdAddress(config.clamdAddress)) : noMalwareScanner;
}
