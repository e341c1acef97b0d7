/** A form definition with every field type, rule kind and a nested repeating group (used by the engine's tests). */
import { checkFormDefinition } from './check-form-definition.ts';
import type { FormDefinition } from './form-definition.ts';

export const everyTypeJson = {
  format: 1,
  title: { de: 'Testformular', en: 'Test form' },
  codeLists: {
    farben: { title: { de: 'Farben' }, entries: [{ code: 'rot', label: { de: 'Rot', en: 'Red' } }, { code: 'gruen', label: { de: 'Grün', en: 'Green' } }, { code: 'blau', label: { de: 'Blau', en: 'Blue' } }] },
    laender: {
      title: { de: 'Länder' },
      entries: ['DE', 'AT', 'CH', 'FR', 'IT', 'NL', 'PL', 'CZ'].map((code) => ({ code, label: { de: `Land ${code}`, en: `Country ${code}` } })),
    },
  },
  steps: [
    {
      id: 'person', title: { de: 'Person', en: 'Person' }, intro: { de: 'Angaben zu Ihnen.' },
      items: [
        { kind: 'text', id: 'hinweis', text: { de: 'Bitte füllen Sie alles aus.\n\nDanke.', en: 'Please fill in everything.' } },
        { kind: 'field', id: 'vorname', type: 'text', label: { de: 'Vorname', en: 'Given name' }, required: true, prefill: 'givenName', constraints: { maxLength: 50 } },
        { kind: 'field', id: 'bemerkung', type: 'textarea', label: { de: 'Bemerkung' }, help: { de: 'Was Sie uns sagen möchten.' }, constraints: { minLength: 5, maxLength: 500 } },
        { kind: 'field', id: 'kinder', type: 'integer', label: { de: 'Anzahl Kinder' }, constraints: { min: 0, max: 20 } },
        { kind: 'field', id: 'groesse', type: 'number', label: { de: 'Wohnfläche in m²' }, constraints: { min: 1, max: 10000 } },
        { kind: 'field', id: 'betrag', type: 'currency', label: { de: 'Betrag' }, constraints: { min: 0, max: 1000 } },
        { kind: 'field', id: 'geburt', type: 'date', label: { de: 'Geburtsdatum', en: 'Date of birth' }, required: true, prefill: 'birthDate', constraints: { min: '1900-01-01', max: 'today' } },
        { kind: 'field', id: 'uhrzeit', type: 'time', label: { de: 'Uhrzeit' }, constraints: { min: '08:00', max: '18:00' } },
        { kind: 'field', id: 'farbe', type: 'choice', codeList: 'farben', label: { de: 'Lieblingsfarbe' }, required: true },
        { kind: 'field', id: 'land', type: 'choice', codeList: 'laender', label: { de: 'Staatsangehörigkeit' } },
        { kind: 'field', id: 'farben', type: 'multi-choice', codeList: 'farben', label: { de: 'Weitere Farben' }, constraints: { maxItems: 2 } },
        { kind: 'field', id: 'verheiratet', type: 'yes-no', label: { de: 'Verheiratet?' }, required: true },
        { kind: 'field', id: 'heirat', type: 'date', label: { de: 'Tag der Eheschließung' }, visibleIf: 'verheiratet', required: true },
        { kind: 'field', id: 'anschrift', type: 'address', label: { de: 'Anschrift' }, required: true, prefill: 'address' },
        { kind: 'field', id: 'iban', type: 'iban', label: { de: 'IBAN' }, requiredIf: 'betrag > 0' },
        { kind: 'field', id: 'email', type: 'email', label: { de: 'E-Mail-Adresse' } },
        { kind: 'field', id: 'telefon', type: 'phone', label: { de: 'Telefon' } },
        { kind: 'field', id: 'kennzeichen', type: 'text', label: { de: 'Kennzeichen' }, constraints: { pattern: '[A-ZÄÖÜ]{1,3}-[A-Z]{1,2} [1-9][0-9]{0,3}', patternMessage: { de: 'Geben Sie ein Kennzeichen wie M-AB 123 ein', en: 'Enter a plate like M-AB 123' } } },
        { kind: 'field', id: 'nachweis', type: 'file', label: { de: 'Nachweis' }, requiredIf: 'verheiratet', constraints: { maxFiles: 3, mediaTypes: ['application/pdf', 'image/png'], maxSizeBytes: 1000000 } },
      ],
    },
    {
      id: 'tiere', title: { de: 'Tiere' },
      items: [
        {
          kind: 'group', id: 'halter', label: { de: 'Halter' }, help: { de: 'Wer hält die Tiere?' },
          items: [{ kind: 'field', id: 'halter_name', type: 'text', label: { de: 'Name des Halters' }, required: true }],
        },
        {
          kind: 'group', id: 'hunde', label: { de: 'Hund', en: 'Dog' }, repeat: { min: 1, max: 3 },
          items: [
            { kind: 'field', id: 'rasse', type: 'text', label: { de: 'Rasse' }, required: true },
            { kind: 'field', id: 'hund_geburt', type: 'date', label: { de: 'Geboren am' }, constraints: { max: 'today' } },
            { kind: 'field', id: 'seit', type: 'date', label: { de: 'Gehalten seit' } },
            { kind: 'field', id: 'listenhund', type: 'yes-no', label: { de: 'Listenhund?' }, required: true },
            { kind: 'field', id: 'gutachten', type: 'file', label: { de: 'Negativzeugnis' }, requiredIf: 'listenhund', visibleIf: 'listenhund' },
            { kind: 'field', id: 'gewicht', type: 'number', label: { de: 'Gewicht in kg' } },
            {
              kind: 'group', id: 'impfungen', label: { de: 'Impfung' }, repeat: { min: 0, max: 5 },
              items: [{ kind: 'field', id: 'impfung_datum', type: 'date', label: { de: 'Impfdatum' }, required: true }],
            },
          ],
        },
        { kind: 'field', id: 'gesamtgewicht_ok', type: 'yes-no', label: { de: 'Gesamtgewicht bestätigt' }, visibleIf: 'sum(hunde.gewicht) > 50 and count(hunde) > 1' },
      ],
    },
  ],
  rules: [
    { id: 'seit_nach_geburt', when: 'filled(seit) and filled(hund_geburt)', assert: 'seit >= hund_geburt', message: { de: 'Der Hund kann nicht vor seiner Geburt gehalten werden', en: 'The dog cannot be kept before it was born' }, fields: ['seit'] },
    { id: 'heirat_nach_geburt', when: 'filled(heirat)', assert: 'years_between(geburt, heirat) >= 16', message: { de: 'Die Eheschließung muss nach dem 16. Geburtstag liegen' }, fields: ['heirat', 'geburt'] },
  ],
};

/** The checked definition (throws when the fixture itself is invalid). */
export function everyTypeDefinition(): FormDefinition {
  const result = checkFormDefinition(everyTypeJson);
  if (!result.ok) throw new Error(`fixture invalid: ${JSON.stringify(result.problems)}`);
  return result.definition;
}
