/**
 * Reads an XDatenfelder 2.0 or 3.0.0 message (a Stammdatenschema, or a Datenfeldgruppe on its own)
 * into a plain tree: groups and fields with their cardinality, constraints, code list references and
 * the rules found anywhere in the message. Lenient about elements it does not know (schemas it has
 * never seen), strict about depth and size.
 */
import { child, childElements, children, childText, ownText } from './xml.ts';

export const XDF2_NS = 'urn:xoev-de:fim:standard:xdatenfelder_2';
export const XDF3_NS = 'urn:xoev-de:fim:standard:xdatenfelder_3.0.0';
/** Every XDatenfelder namespace starts so; the others are versions the importer does not know. */
export const XDF_NS_PREFIX = 'urn:xoev-de:fim:standard:xdatenfelder';

/** Deepest group nesting followed, and most groups and fields read. */
export const MAX_DEPTH = 40;
export const MAX_ELEMENTS = 20_000;

export type XdfVersion = '2.0' | '3.0.0';

export interface Cardinality {
  min: number;
  /** null: unbounded (`*`). */
  max: number | null;
  /** As written, for reports. */
  raw: string;
}

export interface CodeListReference {
  /** 2.0: the FIM id of the code list (C…). */
  fimId: string;
  canonicalUri: string;
  version: string;
  canonicalVersionUri: string;
}

export interface XdfField {
  kind: 'field';
  id: string;
  version: string;
  name: string;
  label: string;
  help: string;
  feldart: string;
  datentyp: string;
  /** 2.0: the JSON string; 3.0: the attributes as strings. */
  praezisierung: { json?: string; attributes?: Record<string, string> };
  inhalt: string;
  vorbefuellung: string;
  codeList?: CodeListReference;
  /** 3.0 `werte`: a code list written into the field. */
  values: { code: string; name: string; help: string }[];
  codeKey: string;
  nameKey: string;
  maxSize: string;
  mediaTypes: string[];
}

export interface XdfGroup {
  kind: 'group';
  id: string;
  version: string;
  name: string;
  label: string;
  help: string;
  children: XdfChild[];
}

export interface XdfChild {
  cardinality: Cardinality;
  element: XdfField | XdfGroup;
}

export interface XdfRule {
  id: string;
  version: string;
  name: string;
  /** The prose: 2.0 `definition`, 3.0 `freitextRegel`, else `beschreibung`. */
  text: string;
  script: string;
  /** 3.0 `typ` code (K, M, V, B), '' in 2.0. */
  type: string;
  /** The FIM id of the element the rule is attached to. */
  attachedTo: string;
}

export interface XdfSchema {
  xdfVersion: XdfVersion;
  message: 'stammdatenschema' | 'datenfeldgruppe';
  id: string;
  version: string;
  name: string;
  label: string;
  help: string;
  children: XdfChild[];
  rules: XdfRule[];
}

export type ReadSchemaResult =
  | { ok: true; schema: XdfSchema }
  | { ok: false; code: 'not-a-schema' | 'too-deep' | 'too-many-elements'; message: string };

class ReadLimit extends Error {
  readonly code: 'too-deep' | 'too-many-elements';
  constructor(code: 'too-deep' | 'too-many-elements', message: string) {
    super(message);
    this.code = code;
  }
}

/** `1:1`, `0:*`, `2:5`; anything else reads as 0:1 (lenient: the report names the element). */
export function parseCardinality(raw: string): Cardinality {
  const m = /^\s*(\d{1,6})\s*:\s*(\d{1,6}|\*)\s*$/.exec(raw);
  if (!m) return { min: 0, max: 1, raw };
  const min = Number(m[1]);
  const max = m[2] === '*' ? null : Number(m[2]);
  return max !== null && max < min ? { min: max, max: Math.max(max, 1), raw } : { min, max: max === 0 ? 1 : max, raw };
}

/** Reads an XDatenfelder message's root element (namespace already checked). */
export function readXdfMessage(root: Element, ns: string): ReadSchemaResult {
  const xdfVersion: XdfVersion = ns === XDF3_NS ? '3.0.0' : '2.0';
  const reader = new Reader(ns);
  try {
    const schemaElement = child(root, ns, 'stammdatenschema');
    if (schemaElement) {
      const { id, version } = reader.identification(schemaElement);
      return {
        ok: true,
        schema: {
          xdfVersion, message: 'stammdatenschema', id, version,
          name: childText(schemaElement, ns, 'name'),
          label: childText(schemaElement, ns, 'bezeichnung') || childText(schemaElement, ns, 'bezeichnungEingabe'),
          help: childText(schemaElement, ns, 'hilfetext') || childText(schemaElement, ns, 'hilfetextEingabe'),
          children: reader.structure(schemaElement, 0),
          rules: [...reader.rulesOf(schemaElement, id), ...reader.rules.values()],
        },
      };
    }
    const groupElement = child(root, ns, 'datenfeldgruppe');
    if (groupElement) {
      const group = reader.group(groupElement, 0);
      return {
        ok: true,
        schema: {
          xdfVersion, message: 'datenfeldgruppe', id: group.id, version: group.version, name: group.name, label: group.label, help: '',
          children: [{ cardinality: { min: 1, max: 1, raw: '1:1' }, element: group }],
          rules: [...reader.rules.values()],
        },
      };
    }
    return { ok: false, code: 'not-a-schema', message: `message ${root.localName} holds neither a stammdatenschema nor a datenfeldgruppe` };
  } catch (error) {
    if (error instanceof ReadLimit) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

class Reader {
  readonly ns: string;
  /** Rules attached to groups and fields, once each (by id and version). */
  readonly rules = new Map<string, XdfRule>();
  private elements = 0;
  constructor(ns: string) {
    this.ns = ns;
  }

  identification(element: Element): { id: string; version: string } {
    const ident = child(element, this.ns, 'identifikation');
    return { id: childText(ident, this.ns, 'id'), version: childText(ident, this.ns, 'version') };
  }

  /** The `struktur` children of a schema or group. */
  structure(parent: Element, depth: number): XdfChild[] {
    if (depth > MAX_DEPTH) throw new ReadLimit('too-deep', `groups are nested deeper than ${MAX_DEPTH} levels`);
    const out: XdfChild[] = [];
    for (const struktur of children(parent, this.ns, 'struktur')) {
      const cardinality = parseCardinality(childText(struktur, this.ns, 'anzahl'));
      const enthaelt = child(struktur, this.ns, 'enthaelt');
      if (!enthaelt) continue;
      for (const e of childElements(enthaelt)) {
        if (e.namespaceURI !== this.ns) continue;
        if (e.localName === 'datenfeldgruppe') out.push({ cardinality, element: this.group(e, depth + 1) });
        else if (e.localName === 'datenfeld') out.push({ cardinality, element: this.field(e) });
      }
    }
    return out;
  }

  private count(): void {
    if (++this.elements > MAX_ELEMENTS) throw new ReadLimit('too-many-elements', `more than ${MAX_ELEMENTS} groups and fields`);
  }

  group(element: Element, depth: number): XdfGroup {
    this.count();
    const { id, version } = this.identification(element);
    for (const rule of this.rulesOf(element, id)) this.rules.set(`${rule.id} ${rule.version}`, rule);
    return {
      kind: 'group', id, version,
      name: childText(element, this.ns, 'name'),
      label: childText(element, this.ns, 'bezeichnungEingabe'),
      help: childText(element, this.ns, 'hilfetextEingabe'),
      children: this.structure(element, depth),
    };
  }

  field(element: Element): XdfField {
    this.count();
    const ns = this.ns;
    const { id, version } = this.identification(element);
    for (const rule of this.rulesOf(element, id)) this.rules.set(`${rule.id} ${rule.version}`, rule);
    const praezisierungElement = child(element, ns, 'praezisierung');
    const attributes: Record<string, string> = {};
    if (praezisierungElement) {
      for (const a of Array.from(praezisierungElement.attributes)) attributes[a.localName ?? a.name] = a.value;
    }
    const werte = child(element, ns, 'werte');
    return {
      kind: 'field', id, version,
      name: childText(element, ns, 'name'),
      label: childText(element, ns, 'bezeichnungEingabe'),
      help: childText(element, ns, 'hilfetextEingabe'),
      feldart: this.code(child(element, ns, 'feldart')),
      datentyp: this.code(child(element, ns, 'datentyp')),
      praezisierung: ns === XDF3_NS ? { attributes } : { json: ownText(praezisierungElement) },
      inhalt: childText(element, ns, 'inhalt'),
      vorbefuellung: this.code(child(element, ns, 'vorbefuellung')),
      ...this.codeListReference(child(element, ns, 'codelisteReferenz')),
      values: werte
        ? children(werte, ns, 'wert').map((w) => ({ code: childText(w, ns, 'code'), name: childText(w, ns, 'name'), help: childText(w, ns, 'hilfe') }))
        : [],
      codeKey: childText(element, ns, 'codeKey'),
      nameKey: childText(element, ns, 'nameKey'),
      maxSize: childText(element, ns, 'maxSize'),
      mediaTypes: children(element, ns, 'mediaType').map((m) => ownText(m)).filter((m) => m !== ''),
    };
  }

  /** A code element's value: `<code>` child (without namespace in 2.0 and 3.0), else the text. */
  private code(element: Element | undefined): string {
    if (!element) return '';
    const code = childElements(element).find((e) => e.localName === 'code');
    return (code ? ownText(code) : ownText(element)).toLowerCase();
  }

  /** 2.0: `identifikation/id` + `genericodeIdentification/*`; 3.0: the identification elements directly. */
  private codeListReference(element: Element | undefined): { codeList?: CodeListReference } {
    if (!element) return {};
    const ns = this.ns;
    const ident = child(element, ns, 'genericodeIdentification') ?? element;
    const reference: CodeListReference = {
      fimId: childText(child(element, ns, 'identifikation'), ns, 'id'),
      canonicalUri: childText(ident, ns, 'canonicalIdentification'),
      version: childText(ident, ns, 'version'),
      canonicalVersionUri: childText(ident, ns, 'canonicalVersionUri'),
    };
    if (!reference.canonicalUri && !reference.canonicalVersionUri && !reference.fimId) return {};
    return { codeList: reference };
  }

  /** The rules written into an element. */
  rulesOf(element: Element, attachedTo: string): XdfRule[] {
    const ns = this.ns;
    return children(element, ns, 'regel').map((r) => {
      const { id, version } = this.identification(r);
      return {
        id, version,
        name: childText(r, ns, 'name'),
        text: childText(r, ns, 'freitextRegel') || childText(r, ns, 'definition') || childText(r, ns, 'beschreibung'),
        script: childText(r, ns, 'skript') || childText(r, ns, 'script'),
        type: this.code(child(r, ns, 'typ')).toUpperCase(),
        attachedTo,
      };
    });
  }
}
