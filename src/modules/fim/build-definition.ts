/**
 * Maps a read XDatenfelder schema (and the genericode lists given with it) to a form definition:
 * top-level groups become steps, nested groups fieldsets, cardinalities `required` and repeats,
 * Datenfeld types field types, `praezisierung` constraints, code lists choices. Everything that does
 * not fit the form format goes into the report's `untranslated` list instead of being dropped silently.
 *
 * Optional groups (`0:1`) cannot be "left out" in the form format, so the fields a group requires
 * become required only once anything in the group is filled (`requiredIf: filled(a) or filled(b)`).
 * A repeating group is its own scope: inside one repetition, required means required.
 */
import {
  ID_PATTERN, type CodeList, type CrossFieldRule, type FieldConstraints, type FieldItem, type FieldType, type FormDefinition,
  type FormItem, type FormStep, type GroupItem, type LocalizedText, type TextItem,
} from '../forms/form-definition.ts';
import { codeColumn, labelColumn, type GenericodeList } from './genericode.ts';
import type { ImportSummary, TranslatedRule, UntranslatedItem } from './import-report.ts';
import { isEmptyScript, suggestRule, translateScript } from './translate-rule.ts';
import type { Cardinality, XdfChild, XdfField, XdfGroup, XdfSchema } from './xdatenfelder.ts';

/** The maximum set for an unbounded cardinality (`0:*`, `1:*`): reported for the editor to check. */
export const UNBOUNDED_MAX = 99;
/** The form format's largest repeat and file count. */
const MAX_REPEAT = 1000;
const MAX_FILES = 100;
/** Texts longer than this are entered in a textarea. */
const TEXTAREA_FROM = 200;
/** Choices with up to this many entries are radio buttons, more a select. */
const RADIO_UP_TO = 7;
const MAX_EXPRESSION = 2000;

export interface BuildResult {
  definition: FormDefinition;
  untranslated: UntranslatedItem[];
  translatedRules: TranslatedRule[];
  summary: ImportSummary;
  /** Which of the given code lists were used (by index). */
  usedCodeLists: Set<number>;
}

/** Where `required` of a field goes: the nearest optional group (until a repeat or the step). */
interface Scope {
  /** Presence terms: `filled(x)` for fields, `count(g) > 0` for repeating groups inside. */
  terms: string[];
  /** Fields the group requires, made conditional when the scope closes. */
  pending: FieldItem[];
  group: XdfGroup;
}

const text = (de: string): LocalizedText => ({ de });

/** Words of the rule language that cannot name a field in an expression. */
const RESERVED_WORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'null']);

/** Turns anything into an id that matches ID_PATTERN and can be named in rule expressions. */
function sanitizeId(raw: string, fallback: string): string {
  let id = raw.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 70);
  if (!/^[A-Za-z]/.test(id)) id = `${fallback}${id}`.slice(0, 70);
  if (RESERVED_WORDS.has(id.toLowerCase())) id = `${id}_`;
  return ID_PATTERN.test(id) ? id : fallback;
}

function sourceOf(id: string, version: string): string {
  return `${id}${version ? ` V${version}` : ''}`.slice(0, 200);
}

/** A number written in a FIM constraint: `1`, `-2.5`, `1,5`. */
function parseNumber(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const normalized = raw.trim().replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(normalized)) return undefined;
  const n = Number(normalized);
  return Number.isFinite(n) ? n : undefined;
}

function parseLength(raw: string | undefined): number | undefined {
  const n = parseNumber(raw);
  return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 1_000_000 ? n : undefined;
}

/** True when the pattern runs as a JavaScript regular expression (with and without the `u` flag). */
function isUsablePattern(pattern: string): boolean {
  if (pattern.length > 500) return false;
  try {
    new RegExp(pattern);
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

class DefinitionBuilder {
  private readonly schema: XdfSchema;
  private readonly lists: GenericodeList[];
  private readonly used = new Set<string>();
  /** FIM id -> the definition ids it became (several when a Datenfeld occurs in several groups). */
  readonly idsByFim = new Map<string, string[]>();
  readonly codeLists: Record<string, CodeList> = {};
  /** Code list ids by reference (uri + version + columns), so a list used by several fields is stored once. */
  private readonly codeListIds = new Map<string, string>();
  readonly untranslated: UntranslatedItem[] = [];
  readonly usedCodeLists = new Set<number>();
  private readonly reported = new Set<string>();
  readonly counts = { groups: 0, repeatingGroups: 0, fields: 0, texts: 0 };

  constructor(schema: XdfSchema, lists: GenericodeList[]) {
    this.schema = schema;
    this.lists = lists;
  }

  /** A new unique id from a FIM id: `F60000227`, then `F60000227_2`, … */
  uniqueId(raw: string, fallback = 'item'): string {
    const base = sanitizeId(raw, fallback);
    let id = base;
    for (let n = 2; this.used.has(id.toLowerCase()); n++) id = `${base}_${n}`;
    this.used.add(id.toLowerCase());
    return id;
  }

  private remember(fimId: string, id: string): void {
    const list = this.idsByFim.get(fimId) ?? [];
    list.push(id);
    this.idsByFim.set(fimId, list);
  }

  /** Reports an item once per FIM id and reason (a Datenfeld used in several groups is reported once, with all its ids). */
  report(item: UntranslatedItem): void {
    const key = `${item.kind} ${item.fimId} ${item.reason}`;
    if (this.reported.has(key)) {
      const earlier = this.untranslated.find((u) => `${u.kind} ${u.fimId} ${u.reason}` === key);
      if (earlier && item.ids) earlier.ids = [...new Set([...(earlier.ids ?? []), ...item.ids])];
      return;
    }
    this.reported.add(key);
    this.untranslated.push(item);
  }

  /** The steps: one per top-level group; top-level fields between groups share a step. */
  steps(): FormStep[] {
    const steps: FormStep[] = [];
    const onlyFields = this.schema.children.every((c) => c.element.kind === 'field');
    let loose: XdfChild[] = [];
    const flushLoose = () => {
      if (loose.length === 0) return;
      const title = onlyFields ? this.schemaTitle() : 'Allgemeine Angaben';
      const items = this.mapChildren(loose, []);
      if (items.length > 0) steps.push({ id: this.uniqueId(`schritt_${steps.length + 1}`), title: text(title), items });
      loose = [];
    };
    for (const c of this.schema.children) {
      if (c.element.kind === 'field') {
        loose.push(c);
        continue;
      }
      flushLoose();
      const group = c.element;
      const max = this.maxOf(c.cardinality, group);
      if (max > 1) {
        const item = this.mapGroup(group, c.cardinality, []);
        if (item) steps.push({ id: this.uniqueId(`${group.id}_schritt`, 'schritt'), title: text(this.labelOf(group)), items: [item] });
        continue;
      }
      // A top-level group is a page: its children are the step's items.
      const id = this.uniqueId(group.id, 'schritt');
      this.remember(group.id, id);
      const scopes = c.cardinality.min === 0 ? [this.newScope(group)] : [];
      const items = this.mapChildren(group.children, scopes);
      if (scopes[0]) this.closeScope(scopes[0]);
      if (items.length > 0) {
        steps.push({ id, title: text(this.labelOf(group)), ...(group.help ? { intro: text(group.help) } : {}), items });
      }
    }
    flushLoose();
    return steps;
  }

  schemaTitle(): string {
    return this.schema.label || this.schema.name || this.schema.id || 'FIM-Formular';
  }

  private labelOf(e: { label: string; name: string; id: string }): string {
    return e.label || e.name || e.id || '—';
  }

  /** The maximum of a cardinality; unbounded and too large ones are reported. */
  private maxOf(cardinality: Cardinality, element: XdfField | XdfGroup, limit = MAX_REPEAT): number {
    const kind = element.kind === 'field' ? 'field' : 'group';
    if (cardinality.max === null) {
      const max = Math.min(UNBOUNDED_MAX, limit);
      this.report({ kind, fimId: element.id, version: element.version, name: element.name, reason: 'unbounded-max', detail: `${cardinality.raw} -> ${cardinality.min}:${Math.max(max, cardinality.min)}` });
      return Math.max(max, Math.min(cardinality.min, limit));
    }
    if (cardinality.max > limit) {
      this.report({ kind, fimId: element.id, version: element.version, name: element.name, reason: 'max-capped', detail: `${cardinality.raw} -> max ${limit}` });
      return limit;
    }
    return cardinality.max;
  }

  private newScope(group: XdfGroup): Scope {
    return { terms: [], pending: [], group };
  }

  /** Makes the fields an optional group requires conditional on anything in the group being filled. */
  private closeScope(scope: Scope): void {
    for (const field of scope.pending) {
      const others = scope.terms.filter((t) => t !== `filled(${field.id})`);
      field.required = false;
      if (others.length === 0) continue; // the only field of an optional group: optional
      const expression = others.join(' or ');
      if (expression.length <= MAX_EXPRESSION) field.requiredIf = expression;
      else {
        this.report({
          kind: 'group', fimId: scope.group.id, version: scope.group.version, name: scope.group.name, reason: 'presence-too-large',
          ids: [field.id],
        });
      }
    }
  }

  /** Adds a presence term to every open optional scope (a field filled deep inside fills them all). */
  private addTerm(scopes: Scope[], term: string): void {
    for (const s of scopes) s.terms.push(term);
  }

  /** Marks a field required: directly, or through the nearest optional group. */
  private requireField(scopes: Scope[], field: FieldItem): void {
    const nearest = scopes.at(-1);
    if (nearest) nearest.pending.push(field);
    else field.required = true;
  }

  mapChildren(list: XdfChild[], scopes: Scope[]): FormItem[] {
    const items: FormItem[] = [];
    for (const c of list) {
      const item = c.element.kind === 'group' ? this.mapGroup(c.element, c.cardinality, scopes) : this.mapFieldChild(c.element, c.cardinality, scopes);
      if (item) items.push(item);
    }
    return items;
  }

  private mapGroup(group: XdfGroup, cardinality: Cardinality, scopes: Scope[]): GroupItem | null {
    const max = this.maxOf(cardinality, group);
    const id = this.uniqueId(group.id, 'gruppe');
    this.remember(group.id, id);
    let items: FormItem[];
    if (max > 1) {
      // A repetition is its own scope; outside, the group counts as filled once it has an entry.
      items = this.mapChildren(group.children, []);
      if (items.length === 0) return null;
      this.addTerm(scopes, `count(${id}) > 0`);
      this.counts.groups++;
      this.counts.repeatingGroups++;
      return {
        kind: 'group', id, label: text(this.labelOf(group)), ...(group.help ? { help: text(group.help) } : {}),
        repeat: { min: this.repeatMin(cardinality, max, scopes, group, id), max }, items, source: sourceOf(group.id, group.version),
      };
    }
    if (cardinality.min === 0) {
      const scope = this.newScope(group);
      const inner = [...scopes, scope];
      items = this.mapChildren(group.children, inner);
      this.closeScope(scope);
    } else {
      items = this.mapChildren(group.children, scopes);
    }
    if (items.length === 0) return null;
    this.counts.groups++;
    return {
      kind: 'group', id, label: text(this.labelOf(group)), ...(group.help ? { help: text(group.help) } : {}),
      items, source: sourceOf(group.id, group.version),
    };
  }

  /** A field with its cardinality: required, multi-choice, several files, or a repeating group around it. */
  private mapFieldChild(f: XdfField, cardinality: Cardinality, scopes: Scope[]): FormItem | null {
    if (f.feldart === 'label') return this.textItem(f, f.inhalt || this.labelOf(f));
    if (f.feldart === 'hidden') {
      this.report({ kind: 'field', fimId: f.id, version: f.version, name: f.name, reason: 'hidden-field', ...(f.inhalt ? { detail: f.inhalt.slice(0, 200) } : {}) });
      return null;
    }
    if (f.feldart === 'locked') {
      const item = f.inhalt ? this.textItem(f, `${this.labelOf(f)}: ${f.inhalt}`) : null;
      this.report({ kind: 'field', fimId: f.id, version: f.version, name: f.name, reason: 'locked-field', ...(item ? { ids: [item.id] } : {}) });
      return item;
    }
    const max = cardinality.max === 1 ? 1 : this.maxOf(cardinality, f);
    const field = this.field(f, max);
    if (max > 1 && field.type !== 'multi-choice' && field.type !== 'file') {
      // Several values of one field: a repeating group holding the field.
      const groupId = this.uniqueId(`${field.id}_liste`, 'liste');
      field.required = true;
      this.addTerm(scopes, `count(${groupId}) > 0`);
      this.counts.groups++;
      this.counts.repeatingGroups++;
      return {
        kind: 'group', id: groupId, label: field.label, repeat: { min: this.repeatMin(cardinality, max, scopes, f, groupId), max },
        items: [field], source: field.source,
      };
    }
    if (field.type === 'multi-choice' && cardinality.min > 1) field.constraints.minItems = Math.min(cardinality.min, max);
    if (field.type === 'multi-choice') field.constraints.maxItems = max;
    if (field.type === 'file' && max > 1) field.constraints.maxFiles = Math.min(max, MAX_FILES);
    if (cardinality.min >= 1) this.requireField(scopes, field);
    this.addTerm(scopes, `filled(${field.id})`);
    return field;
  }

  /**
   * The least number of repetitions. Inside an optional group a minimum would force entries even
   * when the group is left empty, so it becomes 0 there (reported: an editor may add a rule).
   */
  private repeatMin(cardinality: Cardinality, max: number, scopes: Scope[], element: XdfField | XdfGroup, id: string): number {
    const min = Math.min(cardinality.min, max);
    if (min === 0 || scopes.length === 0) return min;
    this.report({
      kind: element.kind === 'field' ? 'field' : 'group', fimId: element.id, version: element.version, name: element.name,
      reason: 'min-in-optional-group', detail: `${cardinality.raw} -> 0:${max}`, ids: [id],
    });
    return 0;
  }

  private textItem(f: XdfField, content: string): TextItem {
    const id = this.uniqueId(f.id, 'text');
    this.remember(f.id, id);
    this.counts.texts++;
    return { kind: 'text', id, text: text(content || '—'), source: sourceOf(f.id, f.version) };
  }

  /** The field itself (type, label, help, constraints, code list); required is set by the caller. */
  private field(f: XdfField, max: number): FieldItem {
    const id = this.uniqueId(f.id, 'feld');
    this.remember(f.id, id);
    this.counts.fields++;
    const base = { fimId: f.id, version: f.version, name: f.name, ids: [id] };
    if (f.feldart !== 'input' && f.feldart !== 'select') {
      this.report({ kind: 'field', ...base, reason: 'unknown-feldart', detail: f.feldart || '(leer)' });
    }
    if (f.vorbefuellung === 'optional' || f.vorbefuellung === 'verpflichtend') {
      this.report({ kind: 'field', ...base, reason: 'prefill', detail: f.vorbefuellung });
    }
    if (f.inhalt && f.feldart !== 'select') this.report({ kind: 'field', ...base, reason: 'default-value', detail: f.inhalt.slice(0, 200) });

    const raw = this.praezisierung(f, base);
    let type: FieldType;
    let codeList: string | undefined;
    const wantsChoice = f.feldart === 'select' || f.values.length > 0;
    if (f.datentyp === 'bool') type = 'yes-no';
    else if (wantsChoice) {
      codeList = this.codeListFor(f, base);
      type = codeList ? (max > 1 ? 'multi-choice' : 'choice') : this.plainType(f, raw, base);
    } else type = this.plainType(f, raw, base);

    const constraints = this.constraints(type, raw, f, base);
    const field: FieldItem = {
      kind: 'field', id, type, label: text(this.labelOf(f)), ...(f.help ? { help: text(f.help) } : {}),
      required: false, constraints, source: sourceOf(f.id, f.version),
    };
    if (codeList) {
      field.codeList = codeList;
      if (type === 'choice') field.display = (this.codeLists[codeList]?.entries.length ?? 0) <= RADIO_UP_TO ? 'radio' : 'select';
    }
    return field;
  }

  /** The type of a field without a code list. */
  private plainType(f: XdfField, raw: Record<string, string>, base: Omit<UntranslatedItem, 'kind' | 'reason'>): FieldType {
    switch (f.datentyp) {
      case 'text':
      case 'text_latin': {
        if (f.datentyp === 'text_latin') this.report({ kind: 'field', ...base, reason: 'text-latin' });
        const maxLength = parseLength(raw.maxLength);
        // A text with a pattern is one line, however long it may be (an e-mail address of up to 254 characters).
        return maxLength !== undefined && maxLength > TEXTAREA_FROM && !raw.pattern?.trim() ? 'textarea' : 'text';
      }
      case 'date': return 'date';
      case 'time': return 'time';
      case 'num': return 'number';
      case 'num_int': return 'integer';
      case 'num_currency': return 'currency';
      case 'file': return 'file';
      case 'bool': return 'yes-no';
      case 'obj':
        this.report({ kind: 'field', ...base, reason: 'obj-datentyp' });
        return 'file';
      case 'datetime':
        this.report({ kind: 'field', ...base, reason: 'datetime-datentyp' });
        return 'text';
      default:
        this.report({ kind: 'field', ...base, reason: 'unknown-datentyp', detail: f.datentyp.slice(0, 60) || '(leer)' });
        return 'text';
    }
  }

  /** The constraints as strings by name (2.0 JSON or 3.0 attributes). */
  private praezisierung(f: XdfField, base: Omit<UntranslatedItem, 'kind' | 'reason'>): Record<string, string> {
    if (f.praezisierung.attributes) return f.praezisierung.attributes;
    const json = f.praezisierung.json ?? '';
    if (json === '') return {};
    try {
      const parsed: unknown = JSON.parse(json);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
      return out;
    } catch {
      this.report({ kind: 'field', ...base, reason: 'praezisierung-invalid', detail: json.slice(0, 200) });
      return {};
    }
  }

  /** The constraints that apply to the type; conflicting or unusable ones are reported, not kept. */
  private constraints(type: FieldType, raw: Record<string, string>, f: XdfField, base: Omit<UntranslatedItem, 'kind' | 'reason'>): FieldConstraints {
    const c: FieldConstraints = {};
    if (type === 'text' || type === 'textarea') {
      const minLength = parseLength(raw.minLength);
      const maxLength = parseLength(raw.maxLength);
      if (minLength !== undefined && maxLength !== undefined && minLength > maxLength) {
        this.report({ kind: 'field', ...base, reason: 'constraint-conflict', detail: `minLength ${minLength} > maxLength ${maxLength}` });
      } else {
        if (minLength !== undefined && minLength > 0) c.minLength = minLength;
        if (maxLength !== undefined && maxLength >= 1) c.maxLength = maxLength;
      }
      const pattern = raw.pattern?.trim();
      if (pattern) {
        if (isUsablePattern(pattern)) c.pattern = pattern;
        else this.report({ kind: 'field', ...base, reason: 'pattern-invalid', detail: pattern.slice(0, 200) });
      }
    } else if (type === 'integer' || type === 'number' || type === 'currency') {
      const min = parseNumber(raw.minValue);
      const max = parseNumber(raw.maxValue);
      if (min !== undefined && max !== undefined && min > max) {
        this.report({ kind: 'field', ...base, reason: 'constraint-conflict', detail: `minValue ${min} > maxValue ${max}` });
      } else {
        if (min !== undefined) c.min = min;
        if (max !== undefined) c.max = max;
      }
    } else if (type === 'date') {
      const iso = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v.trim()) ? v.trim() : undefined);
      const min = iso(raw.minValue);
      const max = iso(raw.maxValue);
      if (min && max && min > max) this.report({ kind: 'field', ...base, reason: 'constraint-conflict', detail: `minValue ${min} > maxValue ${max}` });
      else {
        if (min) c.min = min;
        if (max) c.max = max;
      }
    } else if (type === 'file') {
      // XDatenfelder 3.0 gives maxSize in bytes.
      const size = parseLength(f.maxSize);
      if (size !== undefined && size > 0) c.maxSizeBytes = size;
      const media = f.mediaTypes.map((m) => m.toLowerCase()).filter((m) => /^[a-z]+\/[a-z0-9.+-]+$/.test(m));
      if (media.length > 0) c.mediaTypes = [...new Set(media)];
    }
    return c;
  }

  /** The definition's code list for a select field, or undefined (reported) when there is none usable. */
  private codeListFor(f: XdfField, base: Omit<UntranslatedItem, 'kind' | 'reason'>): string | undefined {
    if (f.values.length > 0) return this.inlineCodeList(f, base);
    const ref = f.codeList;
    const wanted = ref ? `${ref.canonicalUri} ${ref.version}`.trim() : '';
    if (!ref) {
      this.report({ kind: 'field', ...base, reason: 'code-list-missing', detail: 'no codelisteReferenz' });
      return undefined;
    }
    const byVersionUri = ref.canonicalVersionUri ? this.lists.findIndex((l) => l.canonicalVersionUri === ref.canonicalVersionUri) : -1;
    const exact = byVersionUri >= 0 ? byVersionUri : this.lists.findIndex((l) => l.canonicalUri === ref.canonicalUri && l.version === ref.version);
    const index = exact >= 0 ? exact : this.lists.findIndex((l) => ref.canonicalUri !== '' && l.canonicalUri === ref.canonicalUri);
    const fimId = ref.fimId || ref.canonicalUri || ref.canonicalVersionUri;
    const list = this.lists[index];
    if (!list) {
      this.report({ kind: 'code-list', fimId, name: ref.canonicalUri || fimId, version: ref.version, reason: 'code-list-missing', detail: wanted, ids: base.ids ?? [] });
      return undefined;
    }
    if (exact < 0) {
      this.report({ kind: 'code-list', fimId, name: list.shortName || ref.canonicalUri, version: ref.version, reason: 'code-list-version', detail: `${ref.version} -> ${list.version}` });
    }
    const code = codeColumn(list, f.codeKey || undefined);
    const label = code ? labelColumn(list, code, f.nameKey || undefined) : undefined;
    const key = `${index} ${code} ${label}`;
    const known = this.codeListIds.get(key);
    if (known) return known;
    const entries: CodeList['entries'] = [];
    const seen = new Set<string>();
    for (const row of list.rows) {
      const value = (code ? row.get(code) : undefined)?.trim() ?? '';
      if (value === '' || value.length > 200) continue;
      if (seen.has(value)) {
        this.report({ kind: 'code-list', fimId, name: list.shortName || ref.canonicalUri, version: list.version, reason: 'code-list-duplicate-code', detail: value });
        continue;
      }
      seen.add(value);
      entries.push({ code: value, label: text((label ? row.get(label)?.trim() : '') || value) });
    }
    if (entries.length === 0) {
      this.report({ kind: 'code-list', fimId, name: list.shortName || ref.canonicalUri, version: list.version, reason: 'code-list-empty', ids: base.ids ?? [] });
      return undefined;
    }
    this.usedCodeLists.add(index);
    const id = this.uniqueId(ref.fimId || list.shortName || 'codeliste', 'codeliste');
    this.codeListIds.set(key, id);
    this.codeLists[id] = {
      title: text(list.longName || list.shortName || list.canonicalUri || id),
      source: `${list.canonicalUri}${list.version ? ` ${list.version}` : ''}`.slice(0, 300) || undefined,
      entries,
    };
    if (this.codeLists[id].source === undefined) delete this.codeLists[id].source;
    return id;
  }

  /** XDatenfelder 3.0 `werte`: the entries written into the field. */
  private inlineCodeList(f: XdfField, base: Omit<UntranslatedItem, 'kind' | 'reason'>): string | undefined {
    const entries: CodeList['entries'] = [];
    const seen = new Set<string>();
    for (const v of f.values) {
      if (v.code === '' || v.code.length > 200 || seen.has(v.code)) continue;
      seen.add(v.code);
      entries.push({ code: v.code, label: text(v.name || v.code) });
    }
    if (entries.length === 0) {
      this.report({ kind: 'field', ...base, reason: 'code-list-empty' });
      return undefined;
    }
    const id = this.uniqueId(`${f.id}_werte`, 'werte');
    this.codeLists[id] = { title: text(this.labelOf(f)), source: sourceOf(f.id, f.version), entries };
    return id;
  }

  /** Rules: simple scripts become cross-field rules; prose and everything else is reported. */
  rules(): { rules: CrossFieldRule[]; translated: TranslatedRule[]; total: number } {
    const seen = new Set<string>();
    const rules: CrossFieldRule[] = [];
    const translated: TranslatedRule[] = [];
    const fieldIdOf = (fimId: string) => {
      const ids = this.idsByFim.get(fimId);
      return ids?.length === 1 ? ids[0] : undefined;
    };
    for (const r of this.schema.rules) {
      const key = `${r.id} ${r.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const named = [...new Set([...`${r.text} ${r.script}`.matchAll(/\b[FG]\d{3,}\b/g)].map((m) => m[0]))];
      const ids = named.flatMap((fimId) => this.idsByFim.get(fimId) ?? []);
      const base = { kind: 'rule' as const, fimId: r.id, version: r.version, name: r.name || r.id, ...(r.text ? { text: r.text.slice(0, 4000) } : {}), ids };
      if (isEmptyScript(r.script)) {
        const suggestion = r.text ? suggestRule(r.text, fieldIdOf) : undefined;
        this.report({ ...base, reason: 'rule-prose', ...(suggestion ? { suggestion } : {}) });
        continue;
      }
      const translation = translateScript(r.script, fieldIdOf);
      if (!translation) {
        this.report({ ...base, reason: 'rule-script', detail: r.script.slice(0, 500) });
        continue;
      }
      const ruleId = this.uniqueId(r.id, 'regel');
      const fields = translation.fimIds.map((f) => fieldIdOf(f)).filter((id): id is string => id !== undefined);
      rules.push({
        id: ruleId, assert: translation.expression, message: text((r.text || r.name || r.id).slice(0, 1000)),
        fields, source: sourceOf(r.id, r.version),
      });
      translated.push({ fimId: r.id, version: r.version, name: r.name || r.id, ruleId, expression: translation.expression });
    }
    return { rules, translated, total: seen.size };
  }
}

/** Builds the definition (not yet validated: the caller checks it with the zod schema). */
export function buildDefinition(schema: XdfSchema, lists: GenericodeList[]): BuildResult {
  const b = new DefinitionBuilder(schema, lists);
  let steps = b.steps();
  if (steps.length === 0) {
    b.report({ kind: 'schema', fimId: schema.id, version: schema.version, name: schema.name || schema.id, reason: 'no-fields' });
    steps = [{
      id: b.uniqueId('schritt_1'), title: text(b.schemaTitle()),
      items: [{ kind: 'text', id: b.uniqueId('hinweis'), text: text('Dieses FIM-Schema enthält keine Datenfelder.') }],
    }];
  }
  const { rules, translated, total } = b.rules();
  const versionLabel = schema.xdfVersion === '2.0' ? '2.0' : '3.0';
  const definition: FormDefinition = {
    format: 1,
    title: text(b.schemaTitle()),
    ...(schema.help ? { intro: text(schema.help) } : {}),
    steps,
    codeLists: b.codeLists,
    rules,
    source: `FIM ${schema.id || '?'}${schema.version ? ` V${schema.version}` : ''} (XDatenfelder ${versionLabel})`.slice(0, 300),
  };
  const untranslatedRules = b.untranslated.filter((u) => u.kind === 'rule').length;
  return {
    definition,
    untranslated: b.untranslated,
    translatedRules: translated,
    usedCodeLists: b.usedCodeLists,
    summary: {
      steps: steps.length, ...b.counts, codeLists: Object.keys(b.codeLists).length,
      rules: total, translatedRules: translated.length, untranslatedRules,
    },
  };
}
