/**
 * Finding cases by applicant name without storing names in the clear: the name is stored
 * encrypted, and beside it a blind index — a keyed hash (HMAC-SHA256, key derived from the data
 * encryption key) of each normalised word. A search hashes its words the same way and asks for
 * cases whose terms contain all of them. Equal words give equal hashes, so the index reveals only
 * that two cases share a name word, and nothing without the key.
 */
import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';

/**
 * The key for name hashes, derived from the data encryption key (HKDF, own label); a KeyObject,
 * which Node does not have to check again on every use as it does a Buffer.
 */
export function deriveApplicantTermKey(encryptionKey: Buffer): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'digitales-amt/case-applicant-terms/v1', 32)));
}

/** Lower case, umlauts and ß folded, accents dropped: "Müller" and "Mueller" find each other. */
export function normaliseNameWord(word: string): string {
  return word.toLowerCase()
    .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]/g, '');
}

/** The words of a name or search text, normalised, without duplicates and one-letter words. */
export function nameWords(text: string): string[] {
  return [...new Set(text.split(/[\s,;.\-/]+/).map(normaliseNameWord).filter((w) => w.length >= 2))];
}

/** The blind-index terms of a name or search text (hex, shortened: a short tag is enough to find). */
export function applicantTerms(key: KeyObject, text: string): string[] {
  return nameWords(text).map((w) => createHmac('sha256', key).update(w, 'utf8').digest('hex').slice(0, 24));
}
