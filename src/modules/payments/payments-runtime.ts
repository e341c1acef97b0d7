/**
 * What the payments module needs at run time besides the database: the two platform adapters, the
 * default platform, this portal's base URL for the platforms' callbacks, the cipher and a logger.
 * Built once in app.ts and shared by the routes, the jobs and other modules (AppDeps.payments).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { PaymentProviderName } from '../../platform/db/schema.ts';
import { createEPayBlProvider } from './epaybl.ts';
import { createPmPaymentProvider } from './pmpayment.ts';
import type { PaymentProvider } from './provider.ts';

/** Paths of the embedded simulator's machine interface (demo only). */
export const SIMULATOR_API = { pmpayment: '/api/demo-zahlung/pmpayment', epaybl: '/api/demo-zahlung/epaybl' } as const;

export interface PaymentsRuntime {
  providers: Record<PaymentProviderName, PaymentProvider>;
  defaultProvider: PaymentProviderName;
  /** This portal's base URL as the platforms reach it: PUBLIC_URL, else the address it listens on. @throws Error before it listens. */
  selfUrl(): string;
  /** The base URL a request was sent to (PUBLIC_URL when set): for URLs the payer's browser follows. */
  baseUrlOf(req: FastifyRequest): string;
  /** Origins the payer's browser is sent to (for the CSP form-action of pages with a pay button). */
  providerOrigins(): string[];
  /** Lets the runtime read the listening address (for `selfUrl`). */
  bindServer(server: Server): void;
  cipher: FieldCipher;
  log: Logger;
  config: Config['payments'];
}

/** Creates the runtime from the configuration. */
export function createPaymentsRuntime(config: Config, cipher: FieldCipher, log: Logger): PaymentsRuntime {
  let server: Server | undefined;
  const selfUrl = () => {
    if (config.publicUrl) return config.publicUrl;
    const address = server?.address() as AddressInfo | string | null | undefined;
    if (!address || typeof address === 'string') throw new Error('the portal does not listen yet: its URL for payment callbacks is unknown');
    const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  };
  const p = config.payments;
  // A platform URL of null means the simulator embedded in this instance.
  const base = (url: string | null, simulatorPath: string) => () => url ?? `${selfUrl()}${simulatorPath}`;
  const providers = {
    pmpayment: createPmPaymentProvider({ baseUrl: base(p.pmpayment.url, SIMULATOR_API.pmpayment), secret: p.pmpayment.secret, timeoutMs: p.timeoutMs }),
    epaybl: createEPayBlProvider({ baseUrl: base(p.epaybl.url, SIMULATOR_API.epaybl), mandantId: p.epaybl.mandantId, secret: p.epaybl.secret, timeoutMs: p.timeoutMs }),
  };
  return {
    providers,
    defaultProvider: p.defaultProvider,
    selfUrl,
    baseUrlOf: (req) => config.publicUrl ?? `${req.protocol}://${req.host}`,
    providerOrigins() {
      const origins = new Set<string>();
      for (const url of [p.pmpayment.url, p.epaybl.url]) {
        if (url) origins.add(new URL(url).origin);
        else if (p.simulator) {
          try {
            origins.add(new URL(selfUrl()).origin);
          } catch { /* not listening yet: nothing to allow */ }
        }
      }
      return [...origins];
    },
    bindServer(s) {
      server = s;
    },
    cipher,
    log,
    config: p,
  };
}

/**
 * Adds the payment platforms' origins to the CSP form-action of a page whose form leads (through a
 * 303 redirect) to a platform: browsers apply form-action to the redirect target too.
 */
export function allowPaymentFormTargets(reply: FastifyReply, runtime: PaymentsRuntime, extraOrigins: string[] = []): void {
  const csp = reply.getHeader('content-security-policy');
  const origins = [...runtime.providerOrigins(), ...extraOrigins].join(' ');
  if (typeof csp === 'string' && origins) reply.header('content-security-policy', csp.replace("form-action 'self'", `form-action 'self' ${origins}`));
}
