import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAddressAllowed, parseCidr } from './networks.ts';
import { checkNewPassword } from './passwords.ts';
import { currentTotpCode, generateRecoveryCodes, generateTotpSecret, hashRecoveryCode, looksLikeRecoveryCode, matchTotpStep, totpUri } from './second-factor.ts';

test('TOTP: the RFC 6238 test vector (SHA-1, 59 s) and one step of drift either way, not two', () => {
  // RFC 6238 appendix B: secret "12345678901234567890", T = 59 s -> 94287082 (8 digits); 6 digits: 287082.
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.equal(currentTotpCode(secret, 59_000), '287082');
  const now = 1_700_000_000_000;
  const code = currentTotpCode(secret, now);
  const step = Math.floor(now / 30_000);
  assert.equal(matchTotpStep(secret, code, now), step);
  assert.equal(matchTotpStep(secret, code, now + 30_000), step, 'a code from the previous step still counts');
  assert.equal(matchTotpStep(secret, code, now - 30_000), step);
  assert.equal(matchTotpStep(secret, code, now + 60_000), null);
  assert.equal(matchTotpStep(secret, ' 12 34 ', now), null);
  assert.equal(matchTotpStep(secret, 'abcdef', now), null);
});

test('TOTP secrets are 160 random bits; the URI names the issuer and account', () => {
  const a = generateTotpSecret();
  assert.match(a, /^[A-Z2-7]{32}$/);
  assert.notEqual(a, generateTotpSecret());
  const uri = new URL(totpUri(a, 'anna@example.de'));
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.searchParams.get('secret'), a);
  assert.equal(uri.searchParams.get('issuer'), 'Digitales Amt');
  assert.equal(uri.searchParams.get('period'), '30');
});

test('recovery codes: ten distinct, compared without case or dashes', () => {
  const codes = generateRecoveryCodes();
  assert.equal(new Set(codes).size, 10);
  const code = codes[0]!;
  assert.ok(looksLikeRecoveryCode(code) && !looksLikeRecoveryCode('123456'));
  assert.equal(hashRecoveryCode(code.toUpperCase().replaceAll('-', ' ')), hashRecoveryCode(code));
  assert.notEqual(hashRecoveryCode(codes[1]!), hashRecoveryCode(code));
});

test('CIDR allowlists: IPv4, IPv6, single hosts, IPv4-mapped IPv6, invalid entries; empty allows all', () => {
  assert.deepEqual(parseCidr(' 10.1.0.0/16 '), { address: '10.1.0.0', prefix: 16, family: 'ipv4' });
  assert.deepEqual(parseCidr('2001:DB8::/32'), { address: '2001:db8::', prefix: 32, family: 'ipv6' });
  assert.deepEqual(parseCidr('192.0.2.1'), { address: '192.0.2.1', prefix: 32, family: 'ipv4' });
  for (const bad of ['10.0.0.0/33', '2001:db8::/129', '10.0.0/8', 'localhost', '10.0.0.0/8/1', '10.0.0.0/-1', '']) assert.equal(parseCidr(bad), null, bad);
  const list = ['10.1.0.0/16', '2001:db8::/32'];
  assert.ok(isAddressAllowed('10.1.200.3', list));
  assert.ok(!isAddressAllowed('10.2.0.1', list));
  assert.ok(isAddressAllowed('2001:db8:ffff::1', list));
  assert.ok(!isAddressAllowed('2001:db9::1', list));
  assert.ok(isAddressAllowed('::ffff:10.1.0.9', list));
  assert.ok(!isAddressAllowed('not-an-ip', list));
  assert.ok(isAddressAllowed('203.0.113.1', []));
});

test('new passwords: at least 12 characters (code points), no breached ones, not the e-mail', async () => {
  assert.equal(await checkNewPassword('elf Zeichen'), 'staff.password.tooShort');
  assert.equal(await checkNewPassword('ääääääääääää'), null, 'twelve umlauts count as twelve');
  assert.equal(await checkNewPassword('x'.repeat(257)), 'staff.password.tooLong');
  for (const breached of ['password1234', 'Qwerty123456', '1q2w3e4r5t6y']) assert.equal(await checkNewPassword(breached), 'staff.password.breached', breached);
  assert.equal(await checkNewPassword('anna.schmidt@example.de!', 'anna.schmidt@example.de'), 'staff.password.containsEmail');
  assert.equal(await checkNewPassword('Kirschbaum im Hofgarten', 'anna@example.de'), null);
});
