/**
 * Decides whether an uploaded file is accepted: by its content only (magic bytes through the
 * `file-type` library), never by its name or the declared type. Accepted: PDF, PNG, JPEG, WebP.
 * Refused: archives of any kind (so no zip bombs), scripts and anything unknown, images whose header
 * declares more pixels than a limit (decompression bombs), PDFs without a sane frame, files with an
 * archive glued to their end (polyglots), and what the malware scanner finds.
 */
import { fileTypeFromBuffer } from 'file-type';
import type { MalwareScanner } from './malware-scanner.ts';

/** Media types the platform can accept as evidence (a field narrows this). */
export const UPLOAD_MEDIA_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/webp'] as const;
export type UploadMediaType = (typeof UPLOAD_MEDIA_TYPES)[number];

const EXTENSIONS: Record<UploadMediaType, string> = {
  'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp',
};

/** Why a file was refused. */
export type UploadRefusal = 'too-large' | 'type-not-allowed' | 'empty' | 'malformed' | 'infected' | 'scan-unavailable';

export type InspectResult =
  | { ok: true; mediaType: UploadMediaType; extension: string }
  | { ok: false; code: UploadRefusal };

/** A file as received from a multipart form: `truncated` when it was cut at the request's size limit. */
export interface ReceivedBytes {
  bytes: Uint8Array;
  truncated: boolean;
}

export interface InspectOptions {
  maxSizeBytes: number;
  /** Accepted media types (a subset of `UPLOAD_MEDIA_TYPES`). */
  mediaTypes: readonly UploadMediaType[];
  /** Largest image (width × height) accepted; default 50 megapixels. */
  maxPixels?: number;
  /** Scanner for malware; none: not scanned. */
  scanner?: MalwareScanner;
}

const DEFAULT_MAX_PIXELS = 50_000_000;

/**
 * Inspects an uploaded file. Cheap checks first (size, type, structure), the scanner last.
 * Never throws for bad input.
 */
export async function inspectUpload(input: Uint8Array | ReceivedBytes, options: InspectOptions): Promise<InspectResult> {
  const { bytes, truncated } = input instanceof Uint8Array ? { bytes: input, truncated: false } : input;
  if (truncated || bytes.length > options.maxSizeBytes) return { ok: false, code: 'too-large' };
  if (bytes.length === 0) return { ok: false, code: 'empty' };
  const detected = await fileTypeFromBuffer(bytes);
  const mediaType = detected?.mime as UploadMediaType | undefined;
  if (!mediaType || !(options.mediaTypes as readonly string[]).includes(mediaType)) return { ok: false, code: 'type-not-allowed' };
  if (hasTrailingArchive(bytes)) return { ok: false, code: 'malformed' };
  const structure = mediaType === 'application/pdf' ? checkPdf(bytes) : checkImage(mediaType, bytes, options.maxPixels ?? DEFAULT_MAX_PIXELS);
  if (structure !== 'ok') return { ok: false, code: structure };
  if (options.scanner) {
    const verdict = await options.scanner.scan(bytes);
    if (verdict === 'infected') return { ok: false, code: 'infected' };
    // Fail closed: a configured scanner that cannot answer does not let files through unscanned.
    if (verdict === 'unavailable') return { ok: false, code: 'scan-unavailable' };
  }
  return { ok: true, mediaType, extension: EXTENSIONS[mediaType] };
}

/** A zip archive appended to another file (GIFAR-style polyglot): its end-of-central-directory record near the end. */
function hasTrailingArchive(bytes: Uint8Array): boolean {
  const tail = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).subarray(Math.max(0, bytes.length - 65_557));
  return tail.indexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06])) !== -1;
}

/**
 * A sane PDF frame: the header at the start, a cross-reference (`startxref`) and `%%EOF` near the end.
 * Compressed streams are not expanded here (that is the viewer's business, not the portal's).
 */
function checkPdf(bytes: Uint8Array): 'ok' | 'malformed' {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = buffer.subarray(0, 1024).toString('latin1');
  if (!/^%PDF-[12]\.\d/.test(head)) return 'malformed';
  const tail = buffer.subarray(Math.max(0, buffer.length - 2048)).toString('latin1');
  if (!tail.includes('%%EOF') || !/startxref\s+\d+/.test(tail)) return 'malformed';
  return 'ok';
}

function checkImage(mediaType: UploadMediaType, bytes: Uint8Array, maxPixels: number): 'ok' | 'too-large' | 'malformed' {
  const size = mediaType === 'image/png' ? pngSize(bytes) : mediaType === 'image/jpeg' ? jpegSize(bytes) : webpSize(bytes);
  if (!size || size.width === 0 || size.height === 0) return 'malformed';
  return size.width * size.height > maxPixels ? 'too-large' : 'ok';
}

type Size = { width: number; height: number } | null;

/** PNG: the IHDR chunk first; chunks must walk cleanly to IEND with nothing after it. */
function pngSize(bytes: Uint8Array): Size {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 33 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
  const size = { width: view.getUint32(16), height: view.getUint32(20) };
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    offset += 12 + length;
    if (type === 'IEND') return offset === bytes.length ? size : null;
  }
  return null;
}

/** JPEG: walk the markers to the first start-of-frame (SOF0–SOF15 without DHT/JPG/DAC). */
function jpegSize(bytes: Uint8Array): Size {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return null;
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) { offset += 1; continue; }
    const length = (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (bytes[offset + 5]! << 8) | bytes[offset + 6]!, width: (bytes[offset + 7]! << 8) | bytes[offset + 8]! };
    }
    if (marker === 0xd9 || marker === 0xda) return null;
    offset += 2 + length;
  }
  return null;
}

/** WebP: VP8 (lossy), VP8L (lossless) or VP8X (extended) header. */
function webpSize(bytes: Uint8Array): Size {
  if (bytes.length < 30) return null;
  const chunk = String.fromCharCode(...bytes.subarray(12, 16));
  const b = (i: number): number => bytes[i] ?? 0;
  if (chunk === 'VP8 ') return { width: (b(26) | (b(27) << 8)) & 0x3fff, height: (b(28) | (b(29) << 8)) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = b(21) | (b(22) << 8) | (b(23) << 16) | (b(24) << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: 1 + (b(24) | (b(25) << 8) | (b(26) << 16)), height: 1 + (b(27) | (b(28) << 8) | (b(29) << 16)) };
  return null;
}
