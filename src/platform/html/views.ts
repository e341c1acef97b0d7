/**
 * Server-rendered HTML with Nunjucks: autoescaping on, templates named by their path below `src/`
 * (`modules/<module>/views/<page>.njk`, `platform/html/templates/layout.njk`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';

const SRC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type Renderer = (template: string, context: Record<string, unknown>) => string;

/** Creates the renderer; templates are cached unless `watch` (development) is on. */
export function createRenderer(options: { watch?: boolean } = {}): Renderer {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(SRC_DIR, { noCache: options.watch ?? false }), {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
  env.addFilter('date', (value: Date | string, locale: string) =>
    new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'de-DE', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Berlin' })
      .format(new Date(value)));
  env.addFilter('day', (value: Date | string, locale: string) =>
    new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'de-DE', { dateStyle: 'long', timeZone: 'Europe/Berlin' }).format(new Date(value)));
  env.addFilter('number', (value: number, locale: string) => new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'de-DE').format(value));
  return (template, context) => env.render(template, context);
}
