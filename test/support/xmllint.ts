/**
 * Validates an XML document against an XML Schema with xmllint (Debian: libxml2-utils; .ci/run
 * installs it). The document is written to a temporary file, since xmllint reads files.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Runs `xmllint --noout --schema <xsd> <file>`; resolves with whether it is valid and xmllint's messages. */
export async function validateXml(xml: string, xsdPath: string): Promise<{ valid: boolean; errors: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'xmllint-'));
  const file = path.join(dir, 'document.xml');
  try {
    await writeFile(file, xml, 'utf8');
    return await new Promise((resolve, reject) => {
      execFile('xmllint', ['--noout', '--nonet', '--schema', xsdPath, file], (error, _stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new Error('xmllint is not installed (Debian: apt-get install libxml2-utils)'));
          return;
        }
        // xmllint reports "<file> validates" on stderr when valid, errors otherwise (exit 3 invalid, 1 not well-formed).
        resolve({ valid: !error, errors: error ? stderr.replaceAll(file, 'document.xml') : '' });
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
