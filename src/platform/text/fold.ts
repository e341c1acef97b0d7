/**
 * Folding of German text for search: lower case, umlauts and ß spelled out (ä -> ae, ß -> ss, as
 * people type them on keyboards without umlauts), other diacritics dropped, punctuation to spaces.
 */
export function foldGerman(text: string): string {
  return text
    .toLowerCase()
    .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The words of a folded text. */
export function words(text: string): string[] {
  const folded = foldGerman(text);
  return folded === '' ? [] : folded.split(' ');
}
