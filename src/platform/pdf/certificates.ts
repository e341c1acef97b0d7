/**
 * X.509 helpers for seal key material, built on PKIjs (PeculiarVentures; RFC 5280/5652 in pure
 * JavaScript over WebCrypto): the demo CA, seal certificates issued by it, and PEM/DER conversion.
 */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** A seal key: the private key and its certificate chain (the seal certificate first, then its issuers). */
export interface SealKey {
  privateKey: KeyObject;
  /** DER-encoded certificates, the seal certificate first. */
  certificates: Uint8Array[];
}

/** Subject of a certificate. */
export interface CertificateSubject {
  commonName: string;
  organisation: string;
  country?: string;
}

const OID = {
  commonName: '2.5.4.3',
  organisation: '2.5.4.10',
  country: '2.5.4.6',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

/** The signature algorithm WebCrypto needs for a key (EC P-256/P-384 or RSA). @throws for other key types. */
export function webCryptoAlgorithm(key: KeyObject): EcKeyImportParams | RsaHashedImportParams {
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1' || curve === 'P-256') return { name: 'ECDSA', namedCurve: 'P-256' };
    if (curve === 'secp384r1' || curve === 'P-384') return { name: 'ECDSA', namedCurve: 'P-384' };
    throw new Error(`Unsupported EC curve for seals: ${curve}`);
  }
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  throw new Error(`Unsupported key type for seals: ${key.asymmetricKeyType}`);
}

/** The private key as a WebCrypto signing key for PKIjs. */
export async function toSigningKey(key: KeyObject): Promise<CryptoKey> {
  // Node's CryptoKey type is the same object as the DOM one PKIjs is typed against.
  return key.toCryptoKey(webCryptoAlgorithm(key), false, ['sign']) as unknown as CryptoKey;
}

/** A distinguished name with one attribute per RDN (C, O, CN); PKIjs alone would put them into one multi-valued RDN. */
function buildName(subject: CertificateSubject): pkijs.RelativeDistinguishedNames {
  const rdn = (type: string, value: asn1js.PrintableString | asn1js.Utf8String): asn1js.Set =>
    new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value }).toSchema()] });
  const sequence = new asn1js.Sequence({
    value: [
      rdn(OID.country, new asn1js.PrintableString({ value: subject.country ?? 'DE' })),
      rdn(OID.organisation, new asn1js.Utf8String({ value: subject.organisation })),
      rdn(OID.commonName, new asn1js.Utf8String({ value: subject.commonName })),
    ],
  });
  return pkijs.RelativeDistinguishedNames.fromBER(sequence.toBER(false));
}

/** Reads CN and O of a distinguished name. */
export function describeName(name: pkijs.RelativeDistinguishedNames): { commonName: string; organisation: string } {
  const value = (oid: string): string => {
    const entry = name.typesAndValues.find((tv) => tv.type === oid);
    return entry ? String((entry.value as { valueBlock: { value: string } }).valueBlock.value) : '';
  };
  return { commonName: value(OID.commonName), organisation: value(OID.organisation) };
}

function keyIdentifier(spki: pkijs.PublicKeyInfo): ArrayBuffer {
  const bits = spki.subjectPublicKey.valueBlock.valueHexView;
  return new Uint8Array(createHash('sha1').update(bits).digest()).buffer;
}

function randomSerial(): asn1js.Integer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f | 0x01; // positive and without a leading zero byte
  return new asn1js.Integer({ valueHex: new Uint8Array(bytes).buffer });
}

interface IssueOptions {
  subject: CertificateSubject;
  subjectKey: KeyObject;
  /** The issuer; absent: self-signed (a CA). */
  issuer?: { certificate: Uint8Array; privateKey: KeyObject };
  ca: boolean;
  validDays: number;
}

/** Issues an X.509 v3 certificate (SHA-256 signature). */
export async function issueCertificate(options: IssueOptions): Promise<Uint8Array> {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = randomSerial();
  cert.subject = buildName(options.subject);
  const issuerCert = options.issuer ? pkijs.Certificate.fromBER(new Uint8Array(options.issuer.certificate)) : null;
  if (issuerCert) cert.issuer = issuerCert.subject;
  else cert.issuer = buildName(options.subject);
  const now = Date.now();
  cert.notBefore.value = new Date(now - 5 * 60_000);
  cert.notAfter.value = new Date(now + options.validDays * 86_400_000);
  const publicKey = createPublicKey(options.subjectKey).toCryptoKey(webCryptoAlgorithm(options.subjectKey), true, ['verify']) as unknown as CryptoKey;
  await cert.subjectPublicKeyInfo.importKey(publicKey);

  const keyUsageBits = options.ca ? new Uint8Array([0x06]) : new Uint8Array([0xc0]); // keyCertSign+cRLSign | digitalSignature+nonRepudiation
  const extensions = [
    new pkijs.Extension({ extnID: OID.basicConstraints, critical: true, extnValue: new pkijs.BasicConstraints({ cA: options.ca }).toSchema().toBER(false) }),
    new pkijs.Extension({ extnID: OID.keyUsage, critical: true, extnValue: new asn1js.BitString({ valueHex: keyUsageBits.buffer, unusedBits: options.ca ? 1 : 6 }).toBER(false) }),
    new pkijs.Extension({ extnID: OID.subjectKeyIdentifier, critical: false, extnValue: new asn1js.OctetString({ valueHex: keyIdentifier(cert.subjectPublicKeyInfo) }).toBER(false) }),
  ];
  const authorityKeyId = keyIdentifier((issuerCert ?? cert).subjectPublicKeyInfo);
  extensions.push(new pkijs.Extension({
    extnID: OID.authorityKeyIdentifier, critical: false,
    extnValue: new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: authorityKeyId }) }).toSchema().toBER(false),
  }));
  cert.extensions = extensions;
  await cert.sign(await toSigningKey(options.issuer?.privateKey ?? options.subjectKey), 'SHA-256');
  return new Uint8Array(cert.toSchema().toBER(false));
}

/** A new EC P-256 key pair's private key (the public key is derived from it). */
export function generateSealPrivateKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

/** DER -> PEM. */
export function certificateToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** Every certificate in a PEM text, as DER, in order. @throws when there is none or one does not parse. */
export function certificatesFromPem(pem: string): Uint8Array[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error('No certificate found in PEM text');
  return blocks.map((block) => new Uint8Array(new X509Certificate(block).raw));
}

/** Subject (CN, O) of a DER certificate. */
export function certificateSubject(der: Uint8Array): { commonName: string; organisation: string } {
  return describeName(pkijs.Certificate.fromBER(new Uint8Array(der)).subject);
}
