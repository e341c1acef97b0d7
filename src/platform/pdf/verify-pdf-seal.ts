/**
 * Checks the seals (PDF signatures) in a PDF: finds each signature's ByteRange and Contents, checks
 * that the ByteRange leaves out exactly the Contents, recomputes the SHA-256 message digest over the
 * signed bytes and compares it with the CMS message-digest attribute, verifies the CMS signature
 * (PKIjs), and builds the signer's certificate path to a configured trust anchor.
 */
import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import { describeName } from './certificates.ts';

/** The result of checking a PDF's seal; `problems` are stable codes (see `SEAL_PROBLEMS`). */
export interface SealVerification {
  /** The PDF carries at least one seal. */
  sealed: boolean;
  /** Every seal's signature is valid and the signed bytes are unchanged. */
  intact: boolean;
  /** The last seal covers the whole file (nothing was appended after sealing). */
  coversWholeDocument: boolean;
  /** The sealing authority, from the (last) seal certificate. */
  signer: { commonName: string; organisation: string } | null;
  /** Claimed signing time (`/M` of the signature dictionary). */
  signedAt: Date | null;
  /** The seal certificate chains to a configured trust anchor and was valid at the signing time. */
  trusted: boolean;
  /** PAdES profile hint: the SubFilter of the last seal. */
  subFilter: string | null;
  problems: SealProblem[];
}

/** Why a seal is not (fully) valid. */
export type SealProblem =
  | 'not-sealed' | 'byte-range-invalid' | 'cms-unreadable' | 'digest-mismatch' | 'signature-invalid'
  | 'signing-certificate-missing' | 'not-whole-document' | 'untrusted';

/** Overall verdict: sealed, intact, covering the whole document, and chained to a trust anchor. */
export function isSealValid(result: SealVerification): boolean {
  return result.sealed && result.intact && result.coversWholeDocument && result.trusted;
}

interface FoundSignature {
  byteRange: [number, number, number, number];
  contents: Uint8Array;
  dictionaryText: string;
}

/** More seals than this in one file are not checked one by one (each check hashes the file). */
const MAX_SIGNATURES = 20;

const BYTE_RANGE = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;

/** Finds signature ByteRanges; for each the Contents hex string must fill the gap exactly. */
function findSignatures(pdf: Uint8Array): { found: FoundSignature[]; malformed: boolean } {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  const found: FoundSignature[] = [];
  let malformed = false;
  for (const match of text.matchAll(BYTE_RANGE)) {
    const [a, b, c, d] = match.slice(1, 5).map(Number) as [number, number, number, number];
    if (a !== 0 || b <= 0 || c <= b || c + d > pdf.length || text[b] !== '<' || text[c - 1] !== '>') {
      malformed = true;
      continue;
    }
    const hex = text.slice(b + 1, c - 1);
    if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) {
      malformed = true;
      continue;
    }
    // The signature dictionary around the Contents (its keys before and after the hex string).
    const before = text.slice(Math.max(0, text.lastIndexOf('obj', b)), b);
    const afterEnd = text.indexOf('endobj', c);
    const dictionaryText = before + text.slice(c, afterEnd === -1 ? Math.min(text.length, c + 2000) : afterEnd);
    found.push({ byteRange: [a, b, c, d], contents: Buffer.from(hex, 'hex'), dictionaryText });
  }
  return { found, malformed };
}

/** Strips the zero padding after the DER-encoded CMS (the placeholder is larger than the signature). */
function trimDer(bytes: Uint8Array): Uint8Array {
  if (bytes[0] !== 0x30 || bytes.length < 2) return bytes;
  const first = bytes[1]!;
  if (first < 0x80) return bytes.subarray(0, 2 + first);
  const octets = first & 0x7f;
  let length = 0;
  for (let i = 0; i < octets; i++) length = length * 256 + (bytes[2 + i] ?? 0);
  return bytes.subarray(0, 2 + octets + length);
}

/** Parses a PDF date `D:YYYYMMDDHHmmSS+HH'mm'` (or Z). */
function parsePdfDate(value: string): Date | null {
  const m = /D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?/.exec(value);
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', sign, oh = '00', om = '00'] = m;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const offset = (Number(oh) * 60 + Number(om)) * 60_000;
  return new Date(sign === '+' ? utc - offset : sign === '-' ? utc + offset : utc);
}

const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';

interface CheckedSignature {
  intact: boolean;
  problems: SealProblem[];
  signerCertificate: pkijs.Certificate | null;
  certificates: pkijs.Certificate[];
}

async function checkSignature(pdf: Uint8Array, signature: FoundSignature): Promise<CheckedSignature> {
  const [, b, c, d] = signature.byteRange;
  const signed = Buffer.concat([pdf.subarray(0, b), pdf.subarray(c, c + d)]);
  let signedData: pkijs.SignedData;
  try {
    const contentInfo = pkijs.ContentInfo.fromBER(new Uint8Array(trimDer(signature.contents)));
    if (contentInfo.contentType !== pkijs.ContentInfo.SIGNED_DATA) throw new Error('not SignedData');
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch {
    return { intact: false, problems: ['cms-unreadable'], signerCertificate: null, certificates: [] };
  }
  const certificates = (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const signerInfo = signedData.signerInfos[0];
  const problems: SealProblem[] = [];
  const attributes = signerInfo?.signedAttrs?.attributes ?? [];
  const digestAttribute = attributes.find((a) => a.type === OID_MESSAGE_DIGEST)?.values[0] as { valueBlock?: { valueHexView?: Uint8Array } } | undefined;
  const expected = digestAttribute?.valueBlock?.valueHexView;
  const digestAlgorithm = signerInfo?.digestAlgorithm.algorithmId;
  const hashName = digestAlgorithm === '2.16.840.1.101.3.4.2.3' ? 'sha512' : digestAlgorithm === '2.16.840.1.101.3.4.2.2' ? 'sha384' : 'sha256';
  const actual = createHash(hashName).update(signed).digest();
  if (!expected || Buffer.compare(Buffer.from(expected), actual) !== 0) problems.push('digest-mismatch');
  if (!attributes.some((a) => a.type === OID_SIGNING_CERTIFICATE_V2)) problems.push('signing-certificate-missing');

  let signerCertificate: pkijs.Certificate | null = null;
  try {
    const result = await signedData.verify({ signer: 0, data: new Uint8Array(signed).buffer, extendedMode: true, checkChain: false });
    signerCertificate = result.signerCertificate ?? null;
    if (!result.signatureVerified) problems.push('signature-invalid');
  } catch (error) {
    signerCertificate = (error as { signerCertificate?: pkijs.Certificate | null }).signerCertificate ?? null;
    if (!problems.includes('digest-mismatch')) problems.push('signature-invalid');
  }
  const intact = !problems.includes('digest-mismatch') && !problems.includes('signature-invalid');
  return { intact, problems, signerCertificate, certificates };
}

async function chainsToAnchor(signer: pkijs.Certificate, certificates: pkijs.Certificate[], anchors: Uint8Array[], at: Date): Promise<boolean> {
  if (anchors.length === 0) return false;
  try {
    const engine = new pkijs.CertificateChainValidationEngine({
      trustedCerts: anchors.map((der) => pkijs.Certificate.fromBER(new Uint8Array(der))),
      certs: [signer, ...certificates.filter((c) => c !== signer)],
      checkDate: at,
    });
    const result = await engine.verify();
    return result.result;
  } catch {
    return false;
  }
}

/**
 * Checks the seals of a PDF. Never throws for bad input: an unreadable or unsealed file is reported
 * as `sealed: false` with a problem code.
 * @param trustAnchors DER certificates of the CAs whose seals count as trusted.
 */
export async function verifyPdfSeal(pdf: Uint8Array, trustAnchors: Uint8Array[] = []): Promise<SealVerification> {
  const { found, malformed } = findSignatures(pdf);
  if (found.length > MAX_SIGNATURES) {
    return {
      sealed: true, intact: false, coversWholeDocument: false, signer: null, signedAt: null, trusted: false, subFilter: null,
      problems: ['byte-range-invalid', 'untrusted'],
    };
  }
  const last = found.at(-1);
  if (!last) {
    return {
      sealed: false, intact: false, coversWholeDocument: false, signer: null, signedAt: null, trusted: false, subFilter: null,
      problems: [malformed ? 'byte-range-invalid' : 'not-sealed'],
    };
  }
  const problems = new Set<SealProblem>(malformed ? ['byte-range-invalid'] : []);
  let intact = !malformed;
  let lastChecked: CheckedSignature | null = null;
  for (const signature of found) {
    const checked = await checkSignature(pdf, signature);
    for (const p of checked.problems) problems.add(p);
    intact &&= checked.intact;
    lastChecked = checked;
  }
  const [, , c, d] = last.byteRange;
  // Incremental updates append after the signed range; PDF writers end the file with "%%EOF" and
  // at most a line break, which the signed range of a whole-document seal includes.
  const coversWholeDocument = c + d === pdf.length;
  if (!coversWholeDocument) problems.add('not-whole-document');
  const signedAt = parsePdfDate(/\/M\s*\((D:[^)]*)\)/.exec(last.dictionaryText)?.[1] ?? '');
  const subFilter = /\/SubFilter\s*\/([A-Za-z0-9.#_-]+)/.exec(last.dictionaryText)?.[1] ?? null;
  const signerCertificate = lastChecked?.signerCertificate ?? null;
  const trusted = signerCertificate !== null && intact
    && await chainsToAnchor(signerCertificate, lastChecked?.certificates ?? [], trustAnchors, signedAt ?? new Date());
  if (!trusted) problems.add('untrusted');
  return {
    sealed: true,
    intact,
    coversWholeDocument,
    signer: signerCertificate ? describeName(signerCertificate.subject) : null,
    signedAt,
    trusted,
    subFilter,
    problems: [...problems],
  };
}
