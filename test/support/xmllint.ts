/**
 * Validates an XML document against an XML Schema with xmllint (libxml2's own command-line tool,
 * built to WebAssembly by the npm package xmllint-wasm, so tests need no Debian package).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';

/** Runs xmllint's schema validation; resolves with whether the document is valid and xmllint's messages. */
export async function validateXml(xml: string, xsdPath: string): Promise<{ valid: boolean; errors: string }> {
  const result = await validateXML({
    xml: [{ fileName: 'document.xml', contents: xml }],
    schema: [{ fileName: path.basename(xsdPath), contents: await readFile(xsdPath, 'utf8') }],
  });
  return { valid: result.valid, errors: result.valid ? '' : result.rawOutput };
}
