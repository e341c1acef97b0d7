/**
 * `npm run fim:import -- <schema.xml> [codelist.xml …] [--out definition.json] [--report report.json]`:
 * turns an XDatenfelder 2.0/3.0 schema and its genericode code lists into a form definition, prints
 * a summary, the errors and every untranslated item (rules with their text), and writes the
 * definition (default: `<schema id>.definition.json` in the current folder). A folder argument
 * stands for the XML files in it. Exit code 0 when a definition was produced, 1 otherwise.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { importFimSchema, type ImportFileInput } from '../modules/fim/index.ts';
import { isMessageKey, translator } from '../platform/i18n/i18n.ts';

const t = translator('en');
const say = (key: string, fallback: string) => (isMessageKey(key) ? t(key) : fallback);

function usage(): never {
  console.error('Usage: npm run fim:import -- <schema.xml> [codelist.xml …] [--out definition.json] [--report report.json]');
  process.exit(1);
}

const args = process.argv.slice(2);
let out: string | undefined;
let reportPath: string | undefined;
const paths: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--out') out = args[++i] ?? usage();
  else if (a === '--report') reportPath = args[++i] ?? usage();
  else if (a.startsWith('--')) usage();
  else paths.push(a);
}
if (paths.length === 0) usage();

try {
  const files: ImportFileInput[] = [];
  for (const p of paths) {
    if ((await stat(p)).isDirectory()) {
      for (const name of (await readdir(p)).filter((n) => n.toLowerCase().endsWith('.xml')).sort()) {
        files.push({ name, bytes: await readFile(path.join(p, name)) });
      }
    } else files.push({ name: path.basename(p), bytes: await readFile(p) });
  }
  const { definition, report } = importFimSchema(files);

  if (report.schema) console.log(`Schema ${report.schema.id} V${report.schema.version} (XDatenfelder ${report.schema.xdfVersion}): ${report.schema.name}`);
  for (const f of report.files) console.log(`  ${f.name}: ${f.role}`);
  if (report.summary) {
    const s = report.summary;
    console.log(`${s.steps} steps, ${s.groups} groups (${s.repeatingGroups} repeating), ${s.fields} fields, ${s.texts} texts, ` +
      `${s.codeLists} code lists; ${s.rules} rules: ${s.translatedRules} translated, ${s.untranslatedRules} untranslated`);
  }
  if (report.errors.length > 0) {
    console.log(`\n${report.errors.length} error(s):`);
    for (const e of report.errors) {
      const at = e.line !== undefined ? `:${e.line}:${e.column ?? 0}` : '';
      console.log(`  ${e.file || '(upload)'}${at}  ${e.code}: ${say(`fim.error.${e.code}`, e.code)} ${e.message}`);
    }
  }
  const rules = report.untranslated.filter((u) => u.kind === 'rule');
  if (rules.length > 0) {
    console.log(`\n${rules.length} untranslated rule(s):`);
    for (const r of rules) {
      console.log(`  ${r.fimId} V${r.version ?? ''} "${r.name}" (${say(`fim.reason.${r.reason}`, r.reason)})`);
      if (r.text) console.log(`      ${r.text.replace(/\s+/g, ' ')}`);
      if (r.ids?.length) console.log(`      fields: ${r.ids.join(', ')}`);
      const s = r.suggestion;
      if (s) {
        console.log(`      suggestion (not applied)${s.target ? ` for ${s.target}` : ''}: ${[
          s.visibleIf && `visibleIf: ${s.visibleIf}`, s.requiredIf && `requiredIf: ${s.requiredIf}`, s.assert && `assert: ${s.assert}`,
        ].filter(Boolean).join('; ')}`);
      }
    }
  }
  const others = report.untranslated.filter((u) => u.kind !== 'rule');
  if (others.length > 0) {
    console.log(`\n${others.length} other note(s):`);
    for (const u of others) console.log(`  ${u.kind} ${u.fimId} "${u.name}": ${say(`fim.reason.${u.reason}`, u.reason)}${u.detail ? ` [${u.detail}]` : ''}`);
  }
  if (reportPath) {
    await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nReport written to ${reportPath}`);
  }
  if (!definition) {
    console.log('\nNo definition produced.');
    process.exit(1);
  }
  const target = out ?? `${(report.schema?.id || 'fim').replace(/[^A-Za-z0-9_-]/g, '_')}.definition.json`;
  await writeFile(target, `${JSON.stringify(definition, null, 2)}\n`);
  console.log(`\nDefinition written to ${target}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
