import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createFieldCipher } from './field-encryption.ts';

test('encrypts so that the plaintext is not in the stored value and decrypts it back', () => {
  const cipher = createFieldCipher(randomBytes(32));
  const stored = cipher.encrypt('Erika Mustermann <erika@example.de>');
  assert.doesNotMatch(stored, /Erika|example/);
  assert.notEqual(stored, cipher.encrypt('Erika Mustermann <erika@example.de>'), 'a fresh nonce each time');
  assert.equal(cipher.decrypt(stored), 'Erika Mustermann <erika@example.de>');
});

test('refuses a tampered value and a value written with another key', () => {
  const cipher = createFieldCipher(randomBytes(32));
  const stored = cipher.encrypt('geheim');
  const tampered = stored.slice(0, -2) + (stored.endsWith('A') ? 'BB' : 'AA');
  assert.throws(() => cipher.decrypt(tampered));
  assert.throws(() => createFieldCipher(randomBytes(32)).decrypt(stored), /encrypted with key/);
});

test('keeps absent optional values absent', () => {
  const cipher = createFieldCipher(randomBytes(32));
  assert.equal(cipher.encryptOptional(''), null);
  assert.equal(cipher.decryptOptional(null), null);
});
