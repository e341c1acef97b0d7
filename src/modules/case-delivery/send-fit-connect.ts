/**
 * One attempt of a FIT-Connect-style submission to a destination (see ../shared/docs/standards.md):
 *
 *   1. POST {url}/v1/submissions {destinationId, announcedAttachments: [ids], serviceType {name, identifier: LeiKa URN}}
 *      -> {submissionId}; the id is kept, so that a retry continues this submission instead of announcing another
 *   2. PUT {url}/v1/submissions/{submissionId}/attachments/{attachmentId}   each attachment as a JWE (application/jose)
 *   3. PUT {url}/v1/submissions/{submissionId} {encryptedMetadata, encryptedData}
 *
 * Every part is encrypted for the destination's public key: JWE compact serialisation with
 * RSA-OAEP-256 key encryption and A256GCM content encryption (jose `CompactEncrypt`), no
 * compression. The metadata follows the FIT-Connect metadata shape: `contentStructure` names the
 * data (its schema and SHA-512 hash of the unencrypted JSON) and each attachment (id, file name,
 * media type, purpose, SHA-512 hash of the unencrypted file); `publicServiceType` the LeiKa service.
 */
import { createHash } from 'node:crypto';
import { CompactEncrypt, importJWK, type JWK } from 'jose';
import type { CaseDocument } from './build-case-document.ts';
import { caseData } from './build-case-document.ts';
import { classifyStatus, describeFailure, readSmallJson, type AttemptOutcome, type HttpOptions } from './send-webhook.ts';

export const FIT_CONNECT_METADATA_SCHEMA = 'https://schema.fitko.de/fit-connect/metadata/1.2.0/metadata.schema.json';
const encoder = new TextEncoder();

/** The LeiKa service as FIT-Connect names it. */
export function leikaUrn(leikaKey: string): string {
  return `urn:de:fim:leika:leistung:${leikaKey}`;
}

const sha512 = (bytes: Uint8Array) => createHash('sha512').update(bytes).digest('hex');

/** The unencrypted data (JSON bytes) and metadata of a submission. */
export function buildSubmissionParts(document: CaseDocument): { data: Uint8Array; metadata: Record<string, unknown> } {
  const data = encoder.encode(JSON.stringify(caseData(document)));
  const metadata = {
    $schema: FIT_CONNECT_METADATA_SCHEMA,
    contentStructure: {
      data: {
        submissionSchema: { schemaUri: `urn:digitales-amt:formular:${document.form.id}:${document.form.version}`, mimeType: 'application/json' },
        hash: { type: 'sha512', content: sha512(data) },
      },
      attachments: carried(document).map((a) => ({
        attachmentId: a.id, purpose: 'attachment', filename: a.fileName, mimeType: a.mediaType,
        hash: { type: 'sha512', content: sha512(a.bytes) },
      })),
    },
    publicServiceType: { name: document.procedure.name, identifier: leikaUrn(document.procedure.leikaKey) },
  };
  return { data, metadata };
}

/** Attachments with content (those beyond the size cap are not announced). */
function carried(document: CaseDocument): { id: string; fileName: string; mediaType: string; bytes: Uint8Array }[] {
  return document.attachments.flatMap((a) => (a.bytes ? [{ id: a.id, fileName: a.fileName, mediaType: a.mediaType, bytes: a.bytes }] : []));
}

/** Encrypts bytes for the destination's public key (JWE compact, RSA-OAEP-256 + A256GCM). */
export async function encryptForDestination(jwk: Record<string, unknown>, plaintext: Uint8Array, contentType: string): Promise<string> {
  const key = await importJWK(jwk as JWK, 'RSA-OAEP-256');
  const kid = typeof jwk.kid === 'string' ? jwk.kid : undefined;
  return new CompactEncrypt(plaintext)
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: contentType, ...(kid ? { kid } : {}) })
    .encrypt(key);
}

export interface FitConnectTarget {
  url: string;
  destinationId: string;
  jwk: Record<string, unknown>;
}

/**
 * Sends one attempt. `submissionId` is the one announced by an earlier attempt, if any;
 * `onAnnounced` keeps a new one before anything else is sent. Never throws for HTTP failures.
 */
export async function sendFitConnectSubmission(
  target: FitConnectTarget, document: CaseDocument, deliveryId: string,
  state: { submissionId: string | null; onAnnounced(submissionId: string): Promise<void> },
  options: HttpOptions,
): Promise<AttemptOutcome> {
  const base = target.url.replace(/\/+$/, '');
  const attachments = carried(document);
  const { data, metadata } = buildSubmissionParts(document);
  const call = async (method: 'POST' | 'PUT', path: string, body: string, contentType: string) => {
    try {
      const res = await options.fetch(`${base}${path}`, {
        method, body, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs),
        headers: { 'content-type': contentType, 'idempotency-key': deliveryId, 'user-agent': 'Digitales-Amt-Zustellung/1' },
      });
      return { res, answer: await readSmallJson(res) };
    } catch (error) {
      return { failure: describeFailure(error) };
    }
  };
  const failed = (step: string, status: number): AttemptOutcome => {
    const verdict = classifyStatus(status);
    return { kind: verdict === 'permanent' ? 'permanent' : 'retry', error: `${step}: HTTP ${status}` };
  };

  let submissionId = state.submissionId;
  if (!submissionId) {
    const announced = await call('POST', '/v1/submissions', JSON.stringify({
      destinationId: target.destinationId,
      announcedAttachments: attachments.map((a) => a.id),
      serviceType: { name: document.procedure.name, identifier: leikaUrn(document.procedure.leikaKey) },
    }), 'application/json');
    if ('failure' in announced) return { kind: 'retry', error: `announce: ${announced.failure}` };
    if (classifyStatus(announced.res.status) !== 'ok') return failed('announce', announced.res.status);
    const id = (announced.answer as { submissionId?: unknown } | undefined)?.submissionId;
    if (typeof id !== 'string' || !/^[\w-]{1,100}$/.test(id)) return { kind: 'retry', error: 'announce: no submissionId in the answer' };
    submissionId = id;
    await state.onAnnounced(id);
  }
  const submission = `/v1/submissions/${encodeURIComponent(submissionId)}`;
  for (const attachment of attachments) {
    const jwe = await encryptForDestination(target.jwk, attachment.bytes, attachment.mediaType);
    const uploaded = await call('PUT', `${submission}/attachments/${encodeURIComponent(attachment.id)}`, jwe, 'application/jose');
    if ('failure' in uploaded) return { kind: 'retry', error: `attachment: ${uploaded.failure}` };
    if (classifyStatus(uploaded.res.status) !== 'ok') return failed('attachment', uploaded.res.status);
  }
  const submitted = await call('PUT', submission, JSON.stringify({
    encryptedMetadata: await encryptForDestination(target.jwk, encoder.encode(JSON.stringify(metadata)), 'application/json'),
    encryptedData: await encryptForDestination(target.jwk, data, 'application/json'),
  }), 'application/json');
  if ('failure' in submitted) return { kind: 'retry', error: `submit: ${submitted.failure}` };
  if (classifyStatus(submitted.res.status) !== 'ok') return failed('submit', submitted.res.status);
  return { kind: 'delivered', remoteId: submissionId };
}
