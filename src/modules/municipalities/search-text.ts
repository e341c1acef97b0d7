import { foldGerman } from '../../platform/text/fold.ts';

/**
 * Folding of place names for search: case, umlauts and ß, the abbreviations in official names
 * ("a.d." = an der, "i.d." = in der, "St." = Sankt) and punctuation, so that
 * "Bad Neustadt an der Saale", "bad neustadt a.d.saale" and "Bad Neustadt a. d. Saale" match.
 */
export function foldPlaceName(text: string): string {
  return foldGerman(
    text
      .toLowerCase()
      .replace(/\ba\.\s*d\.\s*/g, ' an der ')
      .replace(/\bi\.\s*d\.\s*/g, ' in der ')
      .replace(/\bst\.\s*/g, ' sankt '),
  );
}

/** The display name: the official name without the trailing type abbreviation (", M", ", St", ", GKSt"). */
export function displayName(officialName: string): string {
  return officialName.replace(/, (M|St|GKSt|Landeshauptstadt)$/, '');
}
