/**
 * Safe XML reading for uploaded FIM files: bytes are decoded by BOM or XML declaration, a document
 * type declaration is refused before parsing (no DTD processing at all: no external entities, no
 * entity expansion bombs), size is limited, and the parser's every warning counts as an error (the
 * parser, @xmldom/xmldom, is lenient: it would otherwise repair an unclosed tag). Also small DOM
 * helpers that walk children by namespace and local name without recursion over the whole tree.
 */
import { DOMParser } from '@xmldom/xmldom';

/** The largest XML file the importer reads (a Stammdatenschema with many groups is a few MB). */
export const MAX_XML_BYTES = 10 * 1024 * 1024;

/** Why a file could not be read as XML. */
export type XmlProblemCode = 'empty-file' | 'too-large' | 'encoding' | 'doctype' | 'malformed-xml';

export interface XmlProblem {
  code: XmlProblemCode;
  /** The parser's words (English), without the file's content. */
  message: string;
  line?: number;
  column?: number;
}

export type XmlResult = { ok: true; root: Element } | { ok: false; problem: XmlProblem };

/** Decodes the bytes: BOM first, then the encoding named in the XML declaration, UTF-8 by default. */
function decode(bytes: Uint8Array): { ok: true; text: string } | { ok: false; problem: XmlProblem } {
  let label = 'utf-8';
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) { label = 'utf-16le'; start = 2; }
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) { label = 'utf-16be'; start = 2; }
  else {
    // The declaration is ASCII; look only at its first bytes.
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
    const declared = /^<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
    if (declared) label = declared.toLowerCase();
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    return { ok: false, problem: { code: 'encoding', message: `unsupported encoding ${label.slice(0, 40)}` } };
  }
  try {
    return { ok: true, text: decoder.decode(bytes.subarray(start)) };
  } catch {
    return { ok: false, problem: { code: 'encoding', message: `the bytes are not valid ${decoder.encoding}` } };
  }
}

/** Line and column of an offset in the text (1-based). */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * Parses XML bytes into a DOM. Never throws: malformed, oversized, undecodable input or a document
 * type declaration gives a problem with line and column where the parser tells them.
 */
export function parseXml(bytes: Uint8Array): XmlResult {
  if (bytes.length === 0) return { ok: false, problem: { code: 'empty-file', message: 'the file is empty' } };
  if (bytes.length > MAX_XML_BYTES) return { ok: false, problem: { code: 'too-large', message: `larger than ${MAX_XML_BYTES} bytes` } };
  const decoded = decode(bytes);
  if (!decoded.ok) return decoded;
  const text = decoded.text;
  if (text.trim() === '') return { ok: false, problem: { code: 'empty-file', message: 'the file holds only white space' } };
  // No DTD processing at all: a DOCTYPE (internal subset, entities, external references) is refused.
  const doctype = /<!DOCTYPE|<!ENTITY/i.exec(text);
  if (doctype) return { ok: false, problem: { code: 'doctype', message: 'document type declarations are not accepted', ...position(text, doctype.index) } };

  const messages: string[] = [];
  const collect = (m: string) => { messages.push(m); };
  let doc: Document | undefined;
  try {
    doc = new DOMParser({ locator: {}, errorHandler: { warning: collect, error: collect, fatalError: collect } }).parseFromString(text, 'text/xml');
  } catch (error) {
    messages.push(error instanceof Error ? error.message : String(error));
  }
  const first = messages[0];
  if (first !== undefined) {
    const at = /@#\[line:(\d+),col:(\d+)\]/.exec(first);
    const message = first.replace(/\n?@#\[line:[^\]]*\]/, '').replace(/^\[xmldom [a-zA-Z]+\]\s*/, '').trim().slice(0, 300);
    return {
      ok: false,
      problem: { code: 'malformed-xml', message, ...(at ? { line: Number(at[1]), column: Number(at[2]) } : {}) },
    };
  }
  const root = doc?.documentElement;
  if (!root) return { ok: false, problem: { code: 'malformed-xml', message: 'no root element' } };
  return { ok: true, root };
}

/** The element children of `parent` (in document order). */
export function childElements(parent: Element): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

/** Element children with the given local name in the namespace. */
export function children(parent: Element, ns: string, localName: string): Element[] {
  return childElements(parent).filter((e) => e.localName === localName && e.namespaceURI === ns);
}

/** The first element child with the given local name in the namespace. */
export function child(parent: Element | undefined, ns: string, localName: string): Element | undefined {
  if (!parent) return undefined;
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).localName === localName && (n as Element).namespaceURI === ns) return n as Element;
  }
  return undefined;
}

/** The direct text of an element (its text and CDATA children), with line ends normalised and trimmed. */
export function ownText(element: Element | undefined): string {
  if (!element) return '';
  let text = '';
  for (let n = element.firstChild; n; n = n.nextSibling) if (n.nodeType === 3 || n.nodeType === 4) text += n.nodeValue ?? '';
  return text.replace(/\r\n?/g, '\n').trim();
}

/** The text of the named child, or '' when it is absent. */
export function childText(parent: Element | undefined, ns: string, localName: string): string {
  return ownText(child(parent, ns, localName));
}
