/**
 * A small OpenID provider for tests (node:http + jose), listening on 127.0.0.1: discovery, JWKS,
 * an authorization endpoint that answers at once (no login page), and a token endpoint that checks
 * the client's credentials, the code (single use), the redirect URI and the PKCE verifier. It can
 * be told to answer wrongly (`mode`) to test the relying party's checks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

export type TestOpMode = 'ok' | 'nonce' | 'expired' | 'forged' | 'audience' | 'issuer' | 'acr' | 'denied';

export interface TestOpenIdProvider {
  issuer: string;
  mode: TestOpMode;
  /** Claims of the next ID tokens (besides iss, aud, iat, exp, nonce). */
  claims: Record<string, unknown>;
  close(): Promise<void>;
}

/** Starts the provider for one client. */
export async function startTestOpenIdProvider(client: { id: string; secret: string }, claims: Record<string, unknown>): Promise<TestOpenIdProvider> {
  const good = await generateKeyPair('RS256');
  const evil = await generateKeyPair('RS256');
  const publicJwk: JWK = { ...(await exportJWK(good.publicKey)), kid: 'k1', use: 'sig', alg: 'RS256' };
  const codes = new Map<string, { nonce: string; challenge: string; redirectUri: string }>();
  const op: TestOpenIdProvider = { issuer: '', mode: 'ok', claims, close: async () => undefined };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', op.issuer);
    const json = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: op.issuer, authorization_endpoint: `${op.issuer}/authorize`, token_endpoint: `${op.issuer}/token`, jwks_uri: `${op.issuer}/jwks`,
        response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'], token_endpoint_auth_methods_supported: ['client_secret_basic'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [publicJwk] });
    if (url.pathname === '/authorize') {
      const p = url.searchParams;
      const back = new URL(p.get('redirect_uri')!);
      back.searchParams.set('state', p.get('state')!);
      if (op.mode === 'denied') back.searchParams.set('error', 'access_denied');
      else {
        const code = randomBytes(16).toString('hex');
        codes.set(code, { nonce: p.get('nonce')!, challenge: p.get('code_challenge')!, redirectUri: p.get('redirect_uri')! });
        back.searchParams.set('code', code);
      }
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      // RFC 6749 2.3.1: id and secret are form-urlencoded before Basic encoding.
      const auth = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':').map((p) => decodeURIComponent(p)).join(':');
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifierOk = grant && createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') === grant.challenge;
      if (auth !== `${client.id}:${client.secret}` || !grant || !verifierOk || form.get('redirect_uri') !== grant.redirectUri) {
        return json(400, { error: 'invalid_grant' });
      }
      const now = Math.floor(Date.now() / 1000);
      const mode = op.mode;
      const idToken = await new SignJWT({ ...op.claims, ...(mode === 'acr' ? { acr: 'urn:unknown' } : {}), nonce: mode === 'nonce' ? 'another-nonce' : grant.nonce })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(mode === 'issuer' ? 'https://other-issuer.example' : op.issuer)
        .setAudience(mode === 'audience' ? 'another-client' : client.id)
        .setIssuedAt(mode === 'expired' ? now - 3600 : now).setExpirationTime(mode === 'expired' ? now - 1800 : now + 300)
        .sign(mode === 'forged' ? evil.privateKey : good.privateKey);
      return json(200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  op.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  op.close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return op;
}
