/**
 * Renders the README's configuration table from the config schema (`npm run docs:config` rewrites
 * it in place; a test fails when the README is out of date).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { configSchema } from '../src/config.ts';

export const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../README.md');
export const BEGIN = '<!-- config-table:begin -->';
export const END = '<!-- config-table:end -->';

export function renderConfigTable(): string {
  const rows = Object.entries(configSchema.shape).map(([key, schema]) => {
    const def = (schema as z.ZodType & { def: { defaultValue?: unknown } }).def.defaultValue;
    const shown = def === undefined ? '' : `\`${String(def)}\``;
    return `| \`${key}\` | ${shown} | ${(schema as z.ZodType).description ?? ''} |`;
  });
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}

/** The README with its table replaced by the current one. */
export function readmeWithCurrentTable(readme: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${BEGIN} … ${END} markers`);
  return `${readme.slice(0, start + BEGIN.length)}\n${renderConfigTable()}\n${readme.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(README, readmeWithCurrentTable(readFileSync(README, 'utf8')));
  console.log('README.md configuration table updated.');
}
