/**
 * Renders the platform's documents (receipts, decisions) as PDF from a small document model.
 *
 * Library: PDFKit (foliojs/pdfkit) — it lays out text (wrapping, page breaks, tables), embeds and
 * subsets TrueType fonts through fontkit, and writes what PDF/A-2b asks of a simple document: XMP
 * metadata with the pdfaid identification and an sRGB output intent with its ICC profile (shipped in
 * the package). pdf-lib, used for sealing, has no text layout. The output is tagged (structure tree
 * with headings, paragraphs, lists and tables) so that screen readers can follow it.
 *
 * Font: DejaVu Sans from the npm package `dejavu-fonts-ttf` (Bitstream Vera licence with DejaVu's
 * public-domain changes, see `node_modules/dejavu-fonts-ttf/LICENSE` and `FONTS.md` here): it covers
 * German umlauts, ß and €. Only the standard 14 PDF fonts would not be embedded, which PDF/A forbids.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';

const require = createRequire(import.meta.url);
const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONT_REGULAR = path.join(FONT_DIR, 'DejaVuSans.ttf');
const FONT_BOLD = path.join(FONT_DIR, 'DejaVuSans-Bold.ttf');

/** One block of a document, in reading order. */
export type PdfBlock =
  | { kind: 'heading'; text: string; level?: 1 | 2 | 3 }
  | { kind: 'paragraph'; text: string }
  /** Label/value pairs, e.g. the answers of an application. */
  | { kind: 'answers'; rows: { label: string; value: string }[] }
  | { kind: 'list'; items: string[]; ordered?: boolean };

/** What a document says. Texts are plain strings (no markup). */
export interface PdfDocumentModel {
  title: string;
  /** Language of the text (PDF /Lang and the page-number wording). */
  lang?: 'de' | 'en';
  /** Author (the issuing authority), subject and keywords go into the document information and XMP metadata. */
  author: string;
  subject?: string;
  keywords?: string[];
  /** Time the document was made (CreationDate/ModDate); default now. */
  createdAt?: Date;
  blocks: PdfBlock[];
  /** Footer text on every page, followed by "Seite n von m". */
  footer?: string;
}

const PAGE_WORDS = { de: (n: number, m: number) => `Seite ${n} von ${m}`, en: (n: number, m: number) => `Page ${n} of ${m}` };
const HEADING_SIZES = { 1: 18, 2: 14, 3: 12 } as const;

/**
 * Renders the document as a PDF/A-2b-oriented, tagged PDF with embedded DejaVu fonts.
 * @throws when the font files cannot be read.
 */
export async function renderPdf(model: PdfDocumentModel): Promise<Uint8Array> {
  const lang = model.lang ?? 'de';
  const createdAt = model.createdAt ?? new Date();
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 72, left: 64, right: 64 },
    pdfVersion: '1.7',
    subset: 'PDF/A-2b',
    tagged: true,
    lang: lang === 'de' ? 'de-DE' : 'en-GB',
    displayTitle: true,
    bufferPages: true,
    autoFirstPage: true,
    info: {
      Title: model.title,
      Author: model.author,
      Subject: model.subject ?? model.title,
      // Only what PDFKit also writes into the XMP metadata: PDF/A wants both to agree (no ModDate).
      ...(model.keywords?.length ? { Keywords: model.keywords.join(', ') } : {}),
      Creator: 'Digitales Amt',
      Producer: 'Digitales Amt (PDFKit)',
      CreationDate: createdAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });

  doc.registerFont('body', FONT_REGULAR);
  doc.registerFont('bold', FONT_BOLD);
  doc.font('body').fontSize(10.5).fillColor('black');

  const root = doc.struct('Document');
  doc.addStructure(root);
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;

  const textBlock = (type: 'H1' | 'H2' | 'H3' | 'P', text: string, font: string, size: number, gapAfter: number): void => {
    doc.font(font).fontSize(size).text(text, doc.page.margins.left, undefined, { width, structParent: root, structType: type } as PDFKit.Mixins.TextOptions);
    doc.moveDown(gapAfter);
  };

  textBlock('H1', model.title, 'bold', 20, 0.6);
  for (const block of model.blocks) {
    switch (block.kind) {
      case 'heading': {
        const level = block.level ?? 2;
        textBlock(`H${level}`, block.text, 'bold', HEADING_SIZES[level], 0.4);
        break;
      }
      case 'paragraph':
        textBlock('P', block.text, 'body', 10.5, 0.6);
        break;
      case 'list':
        doc.font('body').fontSize(10.5).list(block.items, doc.page.margins.left, undefined, {
          width, listType: block.ordered ? 'numbered' : 'bullet', bulletRadius: 2, textIndent: 14, structParent: root,
        } as PDFKit.Mixins.TextOptions);
        doc.moveDown(0.6);
        break;
      case 'answers': {
        if (block.rows.length === 0) break;
        doc.font('body').fontSize(10);
        const table = doc.table({
          structParent: root,
          position: { x: doc.page.margins.left },
          maxWidth: width,
          columnStyles: [Math.round(width * 0.38), '*'],
          defaultStyle: { padding: 4, border: 0.5, borderColor: '#888888' },
        } as PDFKit.Mixins.TableOptions);
        for (const row of block.rows) {
          table.row([
            { text: row.label, type: 'TH', font: { src: FONT_BOLD } },
            { text: row.value === '' ? '—' : row.value, type: 'TD' },
          ]);
        }
        table.end();
        doc.x = doc.page.margins.left;
        doc.moveDown(0.8);
        break;
      }
    }
  }
  root.end();

  // Footer on every page once the number of pages is known. The bottom margin is lifted while
  // writing so that PDFKit does not start a new page for text below it.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const footer = [model.footer, PAGE_WORDS[lang](i + 1, range.count)].filter(Boolean).join(' · ');
    doc.markContent('Artifact', { type: 'Pagination' });
    doc.font('body').fontSize(8).fillColor('#333333')
      .text(footer, doc.page.margins.left, doc.page.height - 44, { width, align: 'center', lineBreak: false });
    doc.endMarkedContent();
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  await ended;
  return new Uint8Array(Buffer.concat(chunks));
}
