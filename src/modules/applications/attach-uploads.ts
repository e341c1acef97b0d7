/**
 * Evidence uploads of a step: each received file is checked by content (magic bytes, not name or
 * declared type) against its field's limits and accepted types, scanned, stored encrypted with the
 * tenant's data key, and its reference added to the answers. Limits per field (size, count) and per
 * application (total size). A refused file becomes a field error; the other answers are kept.
 */
import type { Db } from '../../platform/db/database.ts';
import type { TenantKeys } from '../../platform/crypto/tenant-keys.ts';
import type { ReceivedFile } from '../../platform/http/multipart.ts';
import { deleteUpload, inspectUpload, sanitizeFileName, storeUpload, UPLOAD_MEDIA_TYPES, type MalwareScanner, type UploadMediaType, type UploadRefusal } from '../../platform/uploads/index.ts';
import type { Answers, FieldItem, FileReference, FormDefinition, FormItem, LocalizedText } from '../forms/form-definition.ts';
import { collectFiles } from '../forms/index.ts';

/** Largest file of a field without its own limit, and of all files of one application. */
export const DEFAULT_FILE_BYTES = 10 * 1024 * 1024;
export const APPLICATION_MAX_BYTES = 100 * 1024 * 1024;

export interface UploadError {
  fieldId: string;
  stepId: string;
  code: UploadRefusal | 'too-many' | 'application-too-large';
  message: LocalizedText;
}

const MESSAGES: Record<UploadError['code'], (label: string, max: string) => LocalizedText> = {
  'too-large': (l, max) => ({ de: `Die Datei bei „${l}“ ist zu groß (höchstens ${max})`, en: `The file for “${l}” is too large (at most ${max})` }),
  'type-not-allowed': (l) => ({ de: `Die Datei bei „${l}“ muss ein PDF oder ein Bild (PNG, JPEG) sein`, en: `The file for “${l}” must be a PDF or an image (PNG, JPEG)` }),
  empty: (l) => ({ de: `Die Datei bei „${l}“ ist leer`, en: `The file for “${l}” is empty` }),
  malformed: (l) => ({ de: `Die Datei bei „${l}“ ist beschädigt oder enthält versteckte Teile`, en: `The file for “${l}” is damaged or has hidden parts` }),
  infected: (l) => ({ de: `Die Datei bei „${l}“ enthält Schadsoftware und wurde nicht angenommen`, en: `The file for “${l}” contains malware and was not accepted` }),
  'scan-unavailable': (l) => ({ de: `Die Datei bei „${l}“ konnte gerade nicht auf Schadsoftware geprüft werden. Bitte versuchen Sie es später erneut`, en: `The file for “${l}” could not be checked for malware just now. Please try again later` }),
  'too-many': (l, max) => ({ de: `Bei „${l}“ können Sie höchstens ${max} Dateien hochladen`, en: `You can upload at most ${max} files for “${l}”` }),
  'application-too-large': (l, max) => ({ de: `Die Datei bei „${l}“ passt nicht mehr in den Antrag (alle Dateien zusammen höchstens ${max})`, en: `The file for “${l}” does not fit into the application (all files together at most ${max})` }),
};

function megabytes(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}

/** The file field a body name (`f.<id>`, `f.<group>.<i>.<id>`) refers to, with its path in the answers. */
function resolveFileField(definition: FormDefinition, stepId: string, name: string): { field: FieldItem; path: (string | number)[] } | undefined {
  const parts = name.split('.');
  if (parts[0] !== 'f' || parts.length < 2) return undefined;
  const step = definition.steps.find((s) => s.id === stepId);
  let items: FormItem[] = step?.items ?? [];
  const path: (string | number)[] = [];
  for (let i = 1; i < parts.length; i++) {
    const id = parts[i]!;
    const find = (list: FormItem[]): FormItem | undefined => {
      for (const item of list) {
        if (item.id === id) return item;
        if (item.kind === 'group' && !item.repeat) {
          const inner = find(item.items);
          if (inner) return inner;
        }
      }
      return undefined;
    };
    const item = find(items);
    if (!item) return undefined;
    if (item.kind === 'field') return i === parts.length - 1 && item.type === 'file' ? { field: item, path: [...path, id] } : undefined;
    if (item.kind !== 'group' || !item.repeat) return undefined;
    const index = Number(parts[++i]);
    if (!Number.isInteger(index) || index < 0 || index >= item.repeat.max) return undefined;
    path.push(id, index);
    items = item.items;
  }
  return undefined;
}

/** The answers object that holds the field at `path` (creating nothing: a missing repetition gives undefined). */
function holderOf(answers: Answers, path: (string | number)[]): Answers | undefined {
  let holder: Answers = answers;
  for (let i = 0; i < path.length - 1; i += 2) {
    const list = holder[path[i] as string];
    if (!Array.isArray(list)) return undefined;
    const next = (list as Answers[])[path[i + 1] as number];
    if (!next || typeof next !== 'object') return undefined;
    holder = next;
  }
  return holder;
}

export interface AttachDeps {
  db: Db;
  tenantKeys: TenantKeys;
  scanner: MalwareScanner;
}

/** Inspects and stores the received files into `answers` (changed in place); returns the refusals. */
export async function attachUploads(
  deps: AttachDeps, input: { definition: FormDefinition; stepId: string; tenantId: string; applicationId: string; answers: Answers; files: ReceivedFile[] },
): Promise<UploadError[]> {
  const errors: UploadError[] = [];
  let total = collectFiles(input.definition, input.answers).reduce((sum, f) => sum + f.file.sizeBytes, 0);
  for (const file of input.files) {
    const target = resolveFileField(input.definition, input.stepId, file.fieldName);
    if (!target) continue;
    const { field, path } = target;
    const label = field.label.de;
    const maxBytes = field.constraints.maxSizeBytes ?? DEFAULT_FILE_BYTES;
    const refuse = (code: UploadError['code'], max: string) => {
      if (!errors.some((e) => e.fieldId === file.fieldName)) {
        const de = MESSAGES[code](label, max);
        const en = MESSAGES[code](field.label.en ?? label, max).en;
        errors.push({ fieldId: file.fieldName, stepId: input.stepId, code, message: en ? { de: de.de, en } : de });
      }
    };
    const holder = holderOf(input.answers, path);
    const id = path[path.length - 1] as string;
    if (!holder) continue;
    const existing = Array.isArray(holder[id]) ? (holder[id] as FileReference[]) : [];
    const maxFiles = field.constraints.maxFiles ?? 1;
    if (existing.length >= maxFiles) { refuse('too-many', String(maxFiles)); continue; }
    const accepted = (field.constraints.mediaTypes ?? ['application/pdf', 'image/png', 'image/jpeg'])
      .filter((t): t is UploadMediaType => (UPLOAD_MEDIA_TYPES as readonly string[]).includes(t));
    const inspected = await inspectUpload({ bytes: file.bytes, truncated: file.truncated }, { maxSizeBytes: maxBytes, mediaTypes: accepted, scanner: deps.scanner });
    if (!inspected.ok) { refuse(inspected.code, megabytes(maxBytes)); continue; }
    if (total + file.bytes.length > APPLICATION_MAX_BYTES) { refuse('application-too-large', megabytes(APPLICATION_MAX_BYTES)); continue; }
    const fileName = sanitizeFileName(file.fileName || `datei.${inspected.extension}`) || `datei.${inspected.extension}`;
    const { uploadId } = await deps.db.transaction().execute((tx) => storeUpload(tx, deps.tenantKeys, {
      tenantId: input.tenantId, ownerKind: 'application', ownerId: input.applicationId, fileName,
      mediaType: inspected.mediaType, bytes: file.bytes,
    }));
    total += file.bytes.length;
    holder[id] = [...existing, { uploadId, fileName, mediaType: inspected.mediaType, sizeBytes: file.bytes.length }];
  }
  return errors;
}

/** Deletes an upload the applicant took off a field. */
export async function removeUpload(db: Db, tenantId: string, uploadId: string): Promise<void> {
  await deleteUpload(db, tenantId, uploadId);
}
