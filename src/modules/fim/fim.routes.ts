/**
 * The FIM import page for tenant administrators and editors: upload an XDatenfelder schema with its
 * genericode code lists (multipart, size-limited), see the report (errors, untranslated rules and
 * notes) and a preview of the structure, and download the form definition as JSON.
 *
 * Multipart parsing is registered inside this plugin only. Its fields are attached to the body
 * before the platform's CSRF check runs (preValidation before preHandler), so the upload form
 * carries its `_csrf` field like every other form.
 */
import { multipartRouteConfig, readMultipartForm } from '../../platform/http/multipart.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app-deps.ts';
import type { FormDefinition, FormItem } from '../forms/form-definition.ts';
import type { Translate } from '../../platform/i18n/i18n.ts';
import { requireFormImporter, type FormImporter } from './fim.policy.ts';
import { importFimSchema, MAX_IMPORT_FILES, type ImportFileInput } from './import-fim-schema.ts';
import type { ImportReport } from './import-report.ts';
import { MAX_XML_BYTES } from './xml.ts';

export const FIM_IMPORT_PATH = '/verwaltung/formulare/fim-import';
const VIEW = 'modules/fim/views/fim-import.njk';
/** Files per upload on the page (fewer than the importer takes: a browser upload, not a batch). */
const MAX_UPLOAD_FILES = 20;
/** Largest file on the page (the importer reads up to MAX_XML_BYTES; an upload holds the files in memory). */
const MAX_UPLOAD_FILE_BYTES = Math.min(MAX_XML_BYTES, 5 * 1024 * 1024);

/**
 * Called after a successful import, for the integrator to wire to the applications module (for
 * example: store the definition as a new draft form of the tenant). When it returns a link, the
 * result page offers it as the next step. Without it, the page offers the download only.
 */
export type OnFimImported = (input: {
  staffId: string;
  /** The tenants the staff member maintains forms for (the handler chooses or asks). */
  tenants: { id: string; name: string }[];
  requestId: string;
  definition: FormDefinition;
  report: ImportReport;
}) => Promise<{ href: string } | undefined>;

export interface FimImportRouteOptions extends AppDeps {
  onImported?: OnFimImported;
}

/** One line of the structure preview. */
interface PreviewNode {
  kind: 'group' | 'field' | 'text';
  id: string;
  label: string;
  details: string[];
  children: PreviewNode[];
}

function previewOf(items: FormItem[], definition: FormDefinition, t: Translate): PreviewNode[] {
  return items.map((item): PreviewNode => {
    if (item.kind === 'group') {
      return {
        kind: 'group', id: item.id, label: item.label.de,
        details: item.repeat ? [t('fim.preview.repeat', { min: item.repeat.min, max: item.repeat.max })] : [],
        children: previewOf(item.items, definition, t),
      };
    }
    if (item.kind === 'text') return { kind: 'text', id: item.id, label: item.text.de.slice(0, 200), details: [t('fim.preview.text')], children: [] };
    const details: string[] = [t(`fim.type.${item.type}`)];
    if (item.required) details.push(t('fim.preview.required'));
    if (item.requiredIf) details.push(t('fim.preview.requiredIf', { expression: item.requiredIf }));
    const list = item.codeList ? definition.codeLists[item.codeList] : undefined;
    if (list) details.push(t('fim.preview.codeList', { title: list.title.de, count: list.entries.length }));
    return { kind: 'field', id: item.id, label: item.label.de, details, children: [] };
  });
}

/** A JSON document as a data: URL for a download link (works without JavaScript and without storing anything). */
function jsonDataUrl(value: unknown): string {
  return `data:application/json;charset=utf-8;base64,${Buffer.from(`${JSON.stringify(value, null, 2)}\n`).toString('base64')}`;
}

/** The uploaded `files` of the posted form (read by the web platform's multipart support), and whether one was cut at the size limit. */
function uploadedFiles(req: FastifyRequest): { files: ImportFileInput[]; truncated: boolean } {
  const received = readMultipartForm(req).files.filter((f) => f.fieldName === 'files');
  return { files: received.map((f) => ({ name: f.fileName, bytes: f.bytes })), truncated: received.some((f) => f.truncated) };
}

/** Registers the FIM import page (staff with the editor or tenant administrator role only). */
export async function fimImportRoutes(app: FastifyInstance, deps: FimImportRouteOptions): Promise<void> {
  const { db, onImported } = deps;

  const limits = { files: MAX_UPLOAD_FILES, megabytes: Math.round(MAX_UPLOAD_FILE_BYTES / 1024 / 1024) };

  function uploadPage(req: FastifyRequest, reply: FastifyReply, importer: FormImporter, state: Record<string, unknown> = {}, status = 200) {
    return reply.page(VIEW, {
      pageTitle: req.t('fim.title'), importer, limits, errors: [], fieldErrors: {}, ...state,
    }, status);
  }

  app.get(FIM_IMPORT_PATH, async (req, reply) => {
    const importer = await requireFormImporter(db, req, reply);
    if (!importer) return reply;
    return uploadPage(req, reply, importer);
  });

  // A file over the limit is cut and marked, so that the handler (after the staff and CSRF checks)
  // answers with the page; more files than allowed is refused as a whole (413).
  app.post(FIM_IMPORT_PATH, { config: multipartRouteConfig({ maxFileBytes: MAX_UPLOAD_FILE_BYTES, maxFiles: MAX_UPLOAD_FILES }) }, async (req, reply) => {
    const importer = await requireFormImporter(db, req, reply);
    if (!importer) return reply;
    const { files, truncated } = uploadedFiles(req);
    if (files.length === 0 || truncated) {
      const message = truncated ? req.t('fim.upload.tooLarge', limits) : req.t('fim.upload.required');
      return uploadPage(req, reply, importer, {
        errors: [{ field: 'files', message }], fieldErrors: { __prefix: `${req.t('form.errorPrefix')} `, files: message },
      }, truncated ? 413 : 400);
    }
    const { definition, report } = importFimSchema(files);
    req.log.info({ files: files.length, imported: definition !== undefined, errors: report.errors.length, untranslated: report.untranslated.length }, 'fim import');
    const next = definition && onImported
      ? await onImported({ staffId: importer.account.id, tenants: importer.tenants, requestId: req.id, definition, report })
      : undefined;
    const fileName = (report.schema ? `${report.schema.id}-V${report.schema.version}` : 'fim').replace(/[^A-Za-z0-9._-]/g, '_');
    return uploadPage(req, reply, importer, {
      result: {
        ok: definition !== undefined,
        report,
        rules: report.untranslated.filter((u) => u.kind === 'rule'),
        notes: report.untranslated.filter((u) => u.kind !== 'rule'),
        steps: definition?.steps.map((s) => ({ id: s.id, title: s.title.de, items: previewOf(s.items, definition, req.t) })) ?? [],
        definitionUrl: definition ? jsonDataUrl(definition) : null,
        reportUrl: jsonDataUrl(report),
        fileName,
        next: next ?? null,
      },
    }, definition ? 200 : 400);
  });
}
