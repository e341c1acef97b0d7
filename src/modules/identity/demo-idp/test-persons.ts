/**
 * The BundID test persons (reference-data/bundid/users.yml, from the BundID simulator) that the demo
 * identity provider offers. Synthetic data only.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const FILE = path.resolve(import.meta.dirname, '../../../../reference-data/bundid/users.yml');

const personSchema = z.object({
  id: z.string().regex(/^U\d{2}$/),
  surname: z.string().min(1),
  givenname: z.string().min(1),
  mail: z.string().optional(),
  postalAddress: z.string().optional(),
  postalCode: z.string().optional(),
  localityName: z.string().optional(),
  country: z.string().optional(),
  personalTitle: z.string().optional(),
  gender: z.string().optional(),
  birthdate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  placeOfBirth: z.string().optional(),
  birthName: z.string().optional(),
  bpk2: z.string().min(1),
});

export type TestPerson = z.infer<typeof personSchema>;

let cached: TestPerson[] | undefined;

/** The test persons, read once. @throws when the file is missing or malformed. */
export function listTestPersons(): TestPerson[] {
  return (cached ??= z.object({ users: z.array(personSchema).min(1) }).parse(parse(readFileSync(FILE, 'utf8'))).users);
}

/** One test person by id (U01 …), or undefined. */
export function findTestPerson(id: string): TestPerson | undefined {
  return listTestPersons().find((p) => p.id === id);
}

const ORG_FILE = path.resolve(import.meta.dirname, '../../../../reference-data/bundid/organisations.yml');

const organisationSchema = z.object({
  id: z.string().regex(/^ORG-DEMO-\d{4}$/),
  name: z.string().min(1),
  street: z.string().optional(),
  postalCode: z.string().optional(),
  locality: z.string().optional(),
  country: z.string().optional(),
});

/** A fictitious test organisation (business account) the demo identity provider can assert. */
export type TestOrganisation = z.infer<typeof organisationSchema>;

let cachedOrganisations: TestOrganisation[] | undefined;

/** The fictitious test organisations, read once. @throws when the file is missing or malformed. */
export function listTestOrganisations(): TestOrganisation[] {
  return (cachedOrganisations ??= z.object({ organisations: z.array(organisationSchema).min(1) }).parse(parse(readFileSync(ORG_FILE, 'utf8'))).organisations);
}

/** One test organisation by id, or undefined. */
export function findTestOrganisation(id: string): TestOrganisation | undefined {
  return listTestOrganisations().find((o) => o.id === id);
}
