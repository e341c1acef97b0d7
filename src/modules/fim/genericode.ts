/**
 * Reads OASIS genericode 1.0 code lists (the format FIM code lists are published in): identification
 * (canonical URI and version), columns, keys and rows. Which column is the code and which the
 * label is decided when a field uses the list (XDatenfelder 3.0 may name them per field).
 */
import { child, childElements, children, childText, ownText } from './xml.ts';

export const GENERICODE_NS = 'http://docs.oasis-open.org/codelist/ns/genericode/1.0/';

export interface GenericodeColumn {
  id: string;
  shortName: string;
  required: boolean;
}

export interface GenericodeList {
  shortName: string;
  longName: string;
  version: string;
  canonicalUri: string;
  canonicalVersionUri: string;
  columns: GenericodeColumn[];
  /** Keys by id (and short name), each naming its first column. */
  keys: { id: string; shortName: string; columnRef: string }[];
  /** Each row's values by column id. */
  rows: Map<string, string>[];
}

/** True when the root element is a genericode CodeList. */
export function isGenericode(root: Element): boolean {
  return root.localName === 'CodeList' && root.namespaceURI === GENERICODE_NS;
}

/** Reads a genericode CodeList element. Values without `ColumnRef` take the next column in order. */
export function readGenericode(root: Element): GenericodeList {
  const ns = GENERICODE_NS;
  const identification = child(root, ns, 'Identification');
  const columnSet = child(root, ns, 'ColumnSet');
  const columns: GenericodeColumn[] = columnSet
    ? children(columnSet, ns, 'Column').map((c) => ({
      id: c.getAttribute('Id') ?? '',
      shortName: childText(c, ns, 'ShortName'),
      required: c.getAttribute('Use') === 'required',
    }))
    : [];
  const keys = columnSet
    ? children(columnSet, ns, 'Key').map((k) => ({
      id: k.getAttribute('Id') ?? '',
      shortName: childText(k, ns, 'ShortName'),
      columnRef: child(k, ns, 'ColumnRef')?.getAttribute('Ref') ?? '',
    }))
    : [];
  const rows: Map<string, string>[] = [];
  const list = child(root, ns, 'SimpleCodeList');
  for (const row of list ? children(list, ns, 'Row') : []) {
    const values = new Map<string, string>();
    let position = 0;
    for (const value of childElements(row)) {
      if (value.localName !== 'Value' || value.namespaceURI !== ns) continue;
      const columnId = value.getAttribute('ColumnRef') || columns[position]?.id;
      position = columnId ? Math.max(position, columns.findIndex((c) => c.id === columnId)) + 1 : position + 1;
      if (columnId) values.set(columnId, ownText(child(value, ns, 'SimpleValue')));
    }
    rows.push(values);
  }
  return {
    shortName: childText(identification, ns, 'ShortName'),
    longName: childText(identification, ns, 'LongName'),
    version: childText(identification, ns, 'Version'),
    canonicalUri: childText(identification, ns, 'CanonicalUri'),
    canonicalVersionUri: childText(identification, ns, 'CanonicalVersionUri'),
    columns, keys, rows,
  };
}

/** A column id by a key or column named `name` (id or short name, case-insensitive). */
function columnNamed(list: GenericodeList, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const wanted = name.toLowerCase();
  const key = list.keys.find((k) => k.id.toLowerCase() === wanted || k.shortName.toLowerCase() === wanted);
  if (key?.columnRef) return key.columnRef;
  return list.columns.find((c) => c.id.toLowerCase() === wanted || c.shortName.toLowerCase() === wanted)?.id;
}

/**
 * The code column: the one a field names (XDatenfelder 3.0 `codeKey`), else the key called
 * `codeKey` (the FIM convention), else the first key, else the first required column, else the first.
 */
export function codeColumn(list: GenericodeList, requested?: string): string | undefined {
  return columnNamed(list, requested)
    ?? columnNamed(list, 'codeKey')
    ?? list.keys[0]?.columnRef
    ?? list.columns.find((c) => c.required)?.id
    ?? list.columns[0]?.id;
}

/**
 * The label column: the one a field names (`nameKey`), else the key called `codenameKey` (FIM),
 * else a column whose name says it is a name or description, else the column after the code.
 */
export function labelColumn(list: GenericodeList, code: string, requested?: string): string | undefined {
  const named = columnNamed(list, requested) ?? columnNamed(list, 'codenameKey') ?? columnNamed(list, 'nameKey');
  if (named && named !== code) return named;
  const others = list.columns.filter((c) => c.id !== code);
  return others.find((c) => /name|bezeichnung|wert|beschreibung|text/i.test(`${c.id} ${c.shortName}`))?.id ?? others[0]?.id;
}
