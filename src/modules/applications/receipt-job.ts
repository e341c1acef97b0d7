/**
 * The receipt of a submission: a PDF with the application number, the time of receipt, the
 * responsible authority, every answer and the attachments listed, sealed with the platform's seal
 * (PAdES). Produced by a job after commit, so that submission stays fast; stored encrypted.
 */
import { z } from 'zod';
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db } from '../../platform/db/database.ts';
import type { JobDefinition } from '../../platform/jobs/queue.ts';
import { renderPdf, sealPdf, type PdfBlock, type SealKeyStore } from '../../platform/pdf/index.ts';
import type { Answers } from '../forms/form-definition.ts';
import { buildSummaryView } from '../forms/index.ts';
import { findReceipt, findSubmittedApplication, insertReceipt } from './applications.repository.ts';
import type { FormVersions } from './load-form.ts';

export interface ReceiptDeps {
  cipher: FieldCipher;
  sealKeys: SealKeyStore;
  formVersions: FormVersions;
}

const dateTime = new Intl.DateTimeFormat('de-DE', { dateStyle: 'long', timeStyle: 'medium', timeZone: 'Europe/Berlin' });

/** Renders and seals the receipt of a submitted application. */
export async function produceReceipt(db: Db, deps: ReceiptDeps, applicationId: string): Promise<Uint8Array | undefined> {
  const application = await findSubmittedApplication(db, applicationId);
  if (!application?.reference || !application.submittedAt) return undefined;
  const definition = await deps.formVersions.load(db, application.formId, application.formVersion);
  const answers = JSON.parse(deps.cipher.decrypt(application.answersEnc)) as Answers;
  const summary = buildSummaryView(definition, answers, 'de');
  const blocks: PdfBlock[] = [
    { kind: 'heading', text: 'Eingangsbestätigung', level: 1 },
    { kind: 'answers', rows: [
      { label: 'Antragsnummer', value: application.reference },
      { label: 'Eingegangen am', value: dateTime.format(application.submittedAt) },
      { label: 'Antrag', value: application.procedureName },
      { label: 'Zuständige Behörde', value: application.tenantName },
      { label: 'Formular', value: `${definition.title.de} (Fassung ${application.formVersion})` },
    ] },
    { kind: 'paragraph', text: `Ihr Antrag ist bei ${application.tenantName} eingegangen. Diese Bestätigung ist mit dem elektronischen Siegel der Plattform Digitales Amt versehen; ihre Echtheit können Sie unter /pruefen prüfen.` },
  ];
  // Every answer, step by step; file fields list the attachments by name, type and size.
  for (const step of summary.steps) {
    blocks.push({ kind: 'heading', text: step.title, level: 2 });
    blocks.push({ kind: 'answers', rows: step.rows.map((r) => ({ label: r.label, value: r.lines.join('\n') })) });
  }
  const pdf = await renderPdf({
    title: `Eingangsbestätigung ${application.reference}`, lang: 'de', author: 'Digitales Amt',
    subject: application.procedureName, createdAt: application.submittedAt, blocks, footer: `Antrag ${application.reference}`,
  });
  return sealPdf(pdf, await deps.sealKeys.platformKey(), { reason: 'Eingangsbestätigung', location: 'Digitales Amt', name: 'Digitales Amt' });
}

/** The job; idempotent: a receipt that exists is kept. */
export function createReceiptJob(deps: ReceiptDeps): JobDefinition {
  return {
    type: 'applications.receipt@1',
    payload: z.object({ applicationId: z.uuid() }),
    async handle(payload, { db }) {
      const { applicationId } = payload as { applicationId: string };
      if (await findReceipt(db, applicationId)) return;
      const pdf = await produceReceipt(db, deps, applicationId);
      if (!pdf) return;
      await insertReceipt(db, applicationId, deps.cipher.encrypt(Buffer.from(pdf).toString('base64')));
    },
  };
}
