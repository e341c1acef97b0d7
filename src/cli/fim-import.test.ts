import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { checkDefinition } from '../modules/fim/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'src/cli/fim-import.ts');

function run(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT }, (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }));
  });
}

test('npm run fim:import writes the definition and the report, prints the summary and exits 0', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fim-cli-'));
  try {
    const out = path.join(dir, 'def.json');
    const reportFile = path.join(dir, 'report.json');
    const { code, stdout } = await run(['reference-data/fim/xdf2-real/S00000094V1.0_xdf2', '--out', out, '--report', reportFile]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /4 steps, 14 groups \(1 repeating\), 44 fields, 0 texts, 4 code lists; 13 rules: 0 translated, 13 untranslated/);
    assert.match(stdout, /R00000849 V1\.0 "Beschäftigungsverhältnis Frau Sonstiges"/);
    assert.deepEqual(checkDefinition(JSON.parse(await readFile(out, 'utf8'))), []);
    assert.equal(JSON.parse(await readFile(reportFile, 'utf8')).summary.fields, 44);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a file that is not a schema gives the error with its position and exit code 1', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fim-cli-'));
  try {
    const bad = path.join(dir, 'bad.xml');
    await writeFile(bad, '<?xml version="1.0"?>\n<a>\n<b></a>');
    const { code, stdout } = await run([bad, '--out', path.join(dir, 'def.json')]);
    assert.equal(code, 1);
    assert.match(stdout, /bad\.xml:3:\d+ {2}malformed-xml/);
    assert.match(stdout, /No definition produced/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
