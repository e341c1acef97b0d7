/**
 * The decision as a document: PDF/A-2b (platform renderer), sealed with the issuing tenant's seal
 * (PAdES), so that anyone can check it with `npm run verify-pdf` or on /pruefen.
 */
import { renderPdf, sealPdf, type PdfBlock, type SealKey } from '../../platform/pdf/index.ts';

export interface DecisionDocument {
  tenantId: string;
  authority: string;
  reference: string;
  procedure: string;
  applicant: string;
  title: string;
  body: string;
  feeText: string | null;
  issuedAt: Date;
}

const dateFormat = new Intl.DateTimeFormat('de-DE', { dateStyle: 'long', timeZone: 'Europe/Berlin' });

/** Renders and seals with the tenant's key. */
export async function renderDecision(sealKey: SealKey, d: DecisionDocument): Promise<Uint8Array> {
  const blocks: PdfBlock[] = [
    { kind: 'paragraph', text: d.authority },
    { kind: 'heading', text: d.title, level: 1 },
    { kind: 'answers', rows: [
      { label: 'Antragsnummer', value: d.reference },
      { label: 'Datum', value: dateFormat.format(d.issuedAt) },
      { label: 'Antrag', value: d.procedure },
      { label: 'Antragsteller/in', value: d.applicant },
      ...(d.feeText ? [{ label: 'Gebühr', value: d.feeText }] : []),
    ] },
    // Paragraphs are separated by blank lines in the edited text.
    ...d.body.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean).map((text): PdfBlock => ({ kind: 'paragraph', text })),
    { kind: 'paragraph', text: `Dieses Dokument ist mit dem elektronischen Siegel von ${d.authority} versehen und ohne Unterschrift gültig. Die Echtheit können Sie unter /pruefen oder mit einem PDF-Programm prüfen.` },
  ];
  const pdf = await renderPdf({
    title: `${d.title} ${d.reference}`, lang: 'de', author: d.authority, subject: d.procedure, keywords: ['Bescheid', d.reference],
    createdAt: d.issuedAt, blocks, footer: `${d.title} ${d.reference}`,
  });
  return sealPdf(pdf, sealKey, { reason: 'Bescheid', location: d.authority, name: d.authority });
}
