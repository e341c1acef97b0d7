/**
 * Seals a PDF with an electronic seal in the PAdES baseline B-B profile (ETSI EN 319 142-1): a
 * signature dictionary with `/SubFilter /ETSI.CAdES.detached` whose `/Contents` is a detached CMS
 * SignedData (RFC 5652) over the ByteRange, with the signed attributes content-type, message-digest
 * and ESS signing-certificate-v2 (RFC 5035) and without signing-time (PAdES puts the claimed time in
 * the dictionary's `/M`).
 *
 * Libraries: @signpdf/placeholder-pdf-lib adds the signature field and placeholder (through pdf-lib),
 * @signpdf/signpdf computes the ByteRange and places the signature; the CMS is built with PKIjs,
 * because node-forge's PKCS#7 signer cannot add the signing-certificate-v2 attribute PAdES requires.
 */
import { createHash } from 'node:crypto';
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import * as asn1js from 'asn1js';
import { PDFDocument } from 'pdf-lib';
import * as pkijs from 'pkijs';
import { toSigningKey, type SealKey } from './certificates.ts';

export type { SealKey } from './certificates.ts';

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
} as const;

/** What the seal says about itself (shown by PDF viewers). */
export interface SealInfo {
  reason: string;
  location: string;
  /** Name of the sealing authority. */
  name: string;
  /** Contact (e-mail or address) of the authority; optional. */
  contactInfo?: string;
  /** Claimed signing time (`/M`); default now. */
  signingTime?: Date;
}

// Room for the CMS (hex-encoded in the file): chain of a few certificates plus the signature.
const SIGNATURE_LENGTH = 16_384;

/** PDF text strings in the signature dictionary are written byte per character (PDFDocEncoding ≈ Latin-1). */
function latin1(text: string): string {
  return text.normalize('NFC').replace(/[^\u0020-\u007e\u00a0-\u00ff]/g, '?');
}

/**
 * Builds a detached CAdES signature (CMS SignedData) over `content` with the PAdES B-B signed attributes.
 * @throws when the key cannot sign.
 */
export async function createCadesSignature(content: Uint8Array, key: SealKey): Promise<Uint8Array> {
  const [signerDer] = key.certificates;
  if (!signerDer) throw new Error('Seal key has no certificate');
  const certificates = key.certificates.map((der) => pkijs.Certificate.fromBER(new Uint8Array(der)));
  const signerCert = certificates[0]!;
  const digest = createHash('sha256').update(content).digest();
  const certHash = createHash('sha256').update(signerDer).digest();

  // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }; ESSCertIDv2 with the
  // default hash algorithm (SHA-256, so omitted in DER), the certificate hash and IssuerSerial.
  const signingCertificateV2 = new asn1js.Sequence({
    value: [new asn1js.Sequence({
      value: [new asn1js.Sequence({
        value: [
          new asn1js.OctetString({ valueHex: new Uint8Array(certHash).buffer }),
          new asn1js.Sequence({
            value: [
              new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 4, value: signerCert.issuer })] }).toSchema(),
              new asn1js.Integer({ valueHex: signerCert.serialNumber.valueBlock.valueHexView.slice().buffer }),
            ],
          }),
        ],
      })],
    })],
  });

  const signedData = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    signerInfos: [new pkijs.SignerInfo({
      version: 1,
      sid: new pkijs.IssuerAndSerialNumber({ issuer: signerCert.issuer, serialNumber: signerCert.serialNumber }),
      signedAttrs: new pkijs.SignedAndUnsignedAttributes({
        type: 0,
        attributes: [
          new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
          new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: new Uint8Array(digest).buffer })] }),
          new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2] }),
        ],
      }),
    })],
    certificates,
  });
  await signedData.sign(await toSigningKey(key.privateKey), 0, 'SHA-256');
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return new Uint8Array(contentInfo.toSchema().toBER(false));
}

class CadesSigner extends Signer {
  readonly key: SealKey;
  constructor(key: SealKey) {
    super();
    this.key = key;
  }
  override async sign(pdfBuffer: Buffer): Promise<Buffer> {
    return Buffer.from(await createCadesSignature(pdfBuffer, this.key));
  }
}

/**
 * Seals a PDF (PAdES B-B) with the given key; the seal covers the whole document.
 * @throws when the PDF cannot be parsed or the key cannot sign.
 */
export async function sealPdf(pdf: Uint8Array, key: SealKey, info: SealInfo): Promise<Uint8Array> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  pdflibAddPlaceholder({
    pdfDoc: doc,
    reason: latin1(info.reason),
    location: latin1(info.location),
    name: latin1(info.name),
    contactInfo: latin1(info.contactInfo ?? ''),
    signingTime: info.signingTime ?? new Date(),
    signatureLength: SIGNATURE_LENGTH,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: 'Digitales Amt',
  });
  // No object streams: PDF/A-2 allows them, but a classic cross-reference table keeps the file
  // readable by the simplest archival tools.
  const withPlaceholder = await doc.save({ useObjectStreams: false, updateFieldAppearances: false });
  const sealed = await new SignPdf().sign(Buffer.from(withPlaceholder), new CadesSigner(key));
  return new Uint8Array(sealed);
}
