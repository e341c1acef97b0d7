/**
 * Folding of place names for search: case, umlauts and ß, the abbreviations in official names
 * ("a.d." = an der, "i.d." = in der, "St." = Sankt) and punctuation, so that
 * "Bad Neustadt an der Saale", "bad neustadt a.d.saale" and "Bad Neustadt a. d. Saale" match.
 */
export function foldPlaceName(text: string): string {
  return text
    .toLowerCase()
    .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    .replace(/\ba\.\s*d\.\s*/g, ' an der ')
    .replace(/\bi\.\s*d\.\s*/g, ' in der ')
    .replace(/\bst\.\s*/g, ' sankt ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The display name: the official name without the trailing type abbreviation (", M", ", St", ", GKSt"). */
export function displayName(officialName: string): string {
  return officialName.replace(/, (M|St|GKSt|Landeshauptstadt)$/, '');
}
