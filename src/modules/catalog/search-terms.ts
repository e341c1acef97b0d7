/**
 * What a service is found by. Index side: the words of its name, their stems and compound parts,
 * its OZG service and life event, and curated synonyms, each with a weight. Query side: the same
 * folding and stemming, compound splitting against the vocabulary, and typo matching.
 * Pure functions; stemming (PostgreSQL's German Snowball stemmer) is passed in.
 */
import { words } from '../../platform/text/fold.ts';

/** Words that carry no meaning for finding a service. */
export const STOPWORDS = new Set([
  'der', 'die', 'das', 'den', 'dem', 'des', 'ein', 'eine', 'einer', 'eines', 'einem', 'einen', 'und', 'oder', 'fuer',
  'von', 'vom', 'zu', 'zum', 'zur', 'im', 'in', 'an', 'am', 'auf', 'aus', 'bei', 'mit', 'nach', 'ueber', 'unter', 'als',
  'ich', 'mein', 'meine', 'meinen', 'wie', 'was', 'wo', 'beantragen', 'antrag', 'online', 'bitte', 'nicht', 'sich',
]);

export type Stemmer = (words: string[]) => Promise<Map<string, string>>;

export interface IndexSource {
  leikaKey: string;
  name: string;
  ozgServiceName?: string | null;
  lifeEventName?: string | null;
}

export type Synonyms = Map<string, string[]>;

const WEIGHT = { name: 1, stem: 0.9, synonym: 0.95, compound: 0.7, ozg: 0.5, lifeEvent: 0.3 } as const;
const MIN_PART = 3;

/** Meaningful words of a text (folded, without stopwords and one-letter words). */
export function contentWords(text: string): string[] {
  return words(text).filter((w) => w.length > 1 && !STOPWORDS.has(w));
}

/**
 * Splits a compound into known words: "wohnsitzanmeldung" -> ["wohnsitz", "anmeldung"],
 * allowing the linking elements s, es, n, en, e ("hundesteuer" -> ["hund", "steuer"]).
 * Returns [] when the word is not a compound of known words.
 */
export function splitCompound(word: string, isKnown: (w: string) => boolean, depth = 2): string[] {
  if (depth === 0 || word.length < MIN_PART * 2) return [];
  for (let i = word.length - MIN_PART; i >= MIN_PART; i--) {
    const head = word.slice(0, i);
    const tail = word.slice(i);
    const heads = [head, ...['s', 'es', 'n', 'en', 'e'].filter((l) => head.endsWith(l) && head.length - l.length >= MIN_PART).map((l) => head.slice(0, -l.length))];
    const knownHead = heads.find(isKnown);
    if (!knownHead) continue;
    if (isKnown(tail)) return [knownHead, tail];
    const rest = splitCompound(tail, isKnown, depth - 1);
    if (rest.length > 0) return [knownHead, ...rest];
  }
  return [];
}

/** The weighted terms of each service. `known` is the set of words and stems of all service names. */
export async function buildServiceTerms(
  sources: IndexSource[],
  synonyms: Synonyms,
  stem: Stemmer,
): Promise<Map<string, Map<string, number>>> {
  const all = new Set<string>();
  for (const s of sources) for (const w of [...contentWords(s.name), ...contentWords(s.ozgServiceName ?? ''), ...contentWords(s.lifeEventName ?? '')]) all.add(w);
  const stems = await stem([...all]);
  const known = new Set<string>([...all].filter((w) => w.length >= 4));
  for (const st of stems.values()) if (st.length >= 4) known.add(st);
  const isKnown = (w: string) => known.has(w);

  const result = new Map<string, Map<string, number>>();
  for (const s of sources) {
    const terms = new Map<string, number>();
    const add = (term: string, weight: number) => {
      if (term.length < 2 || STOPWORDS.has(term)) return;
      if ((terms.get(term) ?? 0) < weight) terms.set(term, weight);
    };
    const addWord = (w: string, base: number) => {
      add(w, base);
      const st = stems.get(w);
      if (st) add(st, base * WEIGHT.stem);
      for (const part of splitCompound(w, isKnown)) {
        add(part, base * WEIGHT.compound);
        const partStem = stems.get(part);
        if (partStem) add(partStem, base * WEIGHT.compound * WEIGHT.stem);
      }
    };
    for (const w of contentWords(s.name)) addWord(w, WEIGHT.name);
    for (const w of contentWords(s.ozgServiceName ?? '')) addWord(w, WEIGHT.ozg);
    for (const w of contentWords(s.lifeEventName ?? '')) addWord(w, WEIGHT.lifeEvent);
    // Synonyms of any word (or compound part) in the name.
    for (const [term, weight] of [...terms]) {
      for (const syn of synonyms.get(term) ?? []) {
        for (const sw of contentWords(syn)) add(sw, Math.min(weight, WEIGHT.name) * WEIGHT.synonym);
      }
    }
    result.set(s.leikaKey, terms);
  }
  // Synonym words get stems too, so that "ummelden" and "ummeldung" meet.
  const synonymWords = new Set<string>();
  for (const terms of result.values()) for (const t of terms.keys()) if (!stems.has(t)) synonymWords.add(t);
  const synonymStems = await stem([...synonymWords]);
  for (const terms of result.values()) {
    for (const [t, w] of [...terms]) {
      const st = synonymStems.get(t);
      if (st && (terms.get(st) ?? 0) < w * WEIGHT.stem) terms.set(st, w * WEIGHT.stem);
    }
  }
  return result;
}
