/**
 * The FIM import: XDatenfelder 2.0/3.0 schema file plus genericode code list files in, a validated
 * form definition and a report out. Never throws: unreadable input gives errors in the report
 * (per file, with line and column where known), untranslatable parts are listed as untranslated.
 */
import { formDefinition, type FormDefinition, type FormItem } from '../forms/form-definition.ts';
import { buildDefinition } from './build-definition.ts';
import { isGenericode, readGenericode, type GenericodeList } from './genericode.ts';
import type { ImportError, ImportFile, ImportReport } from './import-report.ts';
import { readXdfMessage, XDF2_NS, XDF3_NS, XDF_NS_PREFIX } from './xdatenfelder.ts';
import { MAX_XML_BYTES, parseXml } from './xml.ts';

/** How many files, and how many bytes together, one import reads. */
export const MAX_IMPORT_FILES = 50;
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

export interface ImportFileInput {
  name: string;
  bytes: Uint8Array;
}

export interface ImportResult {
  /** Present when the schema was read and the definition passed validation. */
  definition?: FormDefinition;
  report: ImportReport;
}

/** A short, printable file name for reports (no paths, no control characters). */
function displayName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  return base.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 120) || '(ohne Namen)';
}

/**
 * Imports a FIM schema with its code lists. Exactly one file must be an XDatenfelder message
 * (Stammdatenschema, or a Datenfeldgruppe on its own); the others are genericode code lists.
 */
export function importFimSchema(files: readonly ImportFileInput[]): ImportResult {
  const report: ImportReport = { files: [], errors: [], untranslated: [], translatedRules: [] };
  try {
    return importFiles(files, report);
  } catch (error) {
    // A defect of the importer must not take the page or the CLI down: the report says so.
    report.errors.push({ file: '', code: 'internal', message: error instanceof Error ? error.message.slice(0, 300) : 'unexpected failure' });
    return { report };
  }
}

function importFiles(files: readonly ImportFileInput[], report: ImportReport): ImportResult {
  if (files.length > MAX_IMPORT_FILES) {
    report.errors.push({ file: '', code: 'too-many-files', message: `${files.length} files; at most ${MAX_IMPORT_FILES}` });
    return { report };
  }
  const total = files.reduce((sum, f) => sum + f.bytes.length, 0);
  if (total > MAX_IMPORT_BYTES) {
    report.errors.push({ file: '', code: 'too-large-total', message: `${total} bytes together; at most ${MAX_IMPORT_BYTES}` });
    return { report };
  }

  const schemas: { file: ImportFile; root: Element; ns: string }[] = [];
  const lists: { file: ImportFile; list: GenericodeList }[] = [];
  for (const input of files) {
    const file: ImportFile = { name: displayName(input.name), role: 'unusable' };
    report.files.push(file);
    const parsed = parseXml(input.bytes);
    if (!parsed.ok) {
      report.errors.push({ file: file.name, ...parsed.problem, ...(parsed.problem.code === 'too-large' ? { message: `larger than ${MAX_XML_BYTES} bytes` } : {}) });
      continue;
    }
    const root = parsed.root;
    const ns = root.namespaceURI ?? '';
    if (ns === XDF2_NS || ns === XDF3_NS) schemas.push({ file, root, ns });
    else if (isGenericode(root)) {
      file.role = 'unused-code-list';
      lists.push({ file, list: readGenericode(root) });
    } else if (ns.startsWith(XDF_NS_PREFIX)) {
      report.errors.push({ file: file.name, code: 'unsupported-version', message: `namespace ${ns.slice(0, 120)}; supported: ${XDF2_NS}, ${XDF3_NS}` });
    } else {
      report.errors.push({ file: file.name, code: 'not-xdatenfelder', message: `root element ${root.localName ?? root.nodeName}${ns ? ` in namespace ${ns.slice(0, 120)}` : ' without namespace'}` });
    }
  }

  if (schemas.length > 1) {
    report.errors.push({ file: '', code: 'several-schemas', message: schemas.map((s) => s.file.name).join(', ') });
    return { report };
  }
  const only = schemas[0];
  if (!only) {
    if (report.errors.length === 0 || lists.length > 0) report.errors.push({ file: '', code: 'no-schema', message: 'no XDatenfelder schema among the files' });
    return { report };
  }

  const read = readXdfMessage(only.root, only.ns);
  if (!read.ok) {
    report.errors.push({ file: only.file.name, code: read.code, message: read.message });
    return { report };
  }
  only.file.role = 'schema';
  const schema = read.schema;
  report.schema = { id: schema.id, version: schema.version, name: schema.name || schema.label, xdfVersion: schema.xdfVersion, message: schema.message };

  const built = buildDefinition(schema, lists.map((l) => l.list));
  for (const index of built.usedCodeLists) lists[index]!.file.role = 'code-list';
  report.untranslated = built.untranslated;
  report.translatedRules = built.translatedRules;
  report.summary = built.summary;

  const problems = checkDefinition(built.definition);
  if (problems.length > 0) {
    report.errors.push(...problems.map((message): ImportError => ({ file: only.file.name, code: 'invalid-definition', message })));
    return { report };
  }
  return { definition: built.definition, report };
}

/**
 * Checks a definition: the zod schema, ids unique across steps, items and rules, and every code
 * list reference resolvable. Returns the problems (empty when it is fine).
 */
export function checkDefinition(definition: FormDefinition): string[] {
  const parsed = formDefinition.safeParse(definition);
  if (!parsed.success) return parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.')}: ${i.message}`);
  const problems: string[] = [];
  const ids = new Set<string>();
  const claim = (id: string) => {
    if (ids.has(id)) problems.push(`id ${id} is used twice`);
    ids.add(id);
  };
  const visit = (items: FormItem[]) => {
    for (const item of items) {
      claim(item.id);
      if (item.kind === 'group') visit(item.items);
      else if (item.kind === 'field') {
        const needsList = item.type === 'choice' || item.type === 'multi-choice';
        if (needsList && (!item.codeList || !definition.codeLists[item.codeList])) problems.push(`field ${item.id} names no existing code list`);
        if (!needsList && item.codeList) problems.push(`field ${item.id} of type ${item.type} has a code list`);
      }
    }
  };
  for (const step of definition.steps) {
    claim(step.id);
    visit(step.items);
  }
  for (const rule of definition.rules) claim(rule.id);
  return problems;
}
