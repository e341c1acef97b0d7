-- Payments: fees paid online through a payment platform (pmPayment or ePayBL style), their status
-- history, refunds, and the embedded payment platform simulator (demo mode only).

-- Kassenzeichen (payment references) are numbered from one sequence, so that they are unique
-- across tenants and instances; a check digit is appended in code.
CREATE SEQUENCE payment_reference_seq START 1;

CREATE TABLE payments (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  -- What is paid for, e.g. ('application', <uuid>); the owning module reacts to outcomes.
  payable_kind   text NOT NULL CHECK (payable_kind ~ '^[a-z][a-z0-9_-]{0,39}$'),
  payable_id     uuid NOT NULL,
  amount_cents   integer NOT NULL CHECK (amount_cents > 0),
  currency       char(3) NOT NULL DEFAULT 'EUR' CHECK (currency = 'EUR'),
  kassenzeichen  text NOT NULL UNIQUE CHECK (kassenzeichen ~ '^[0-9]{12}$'),
  -- Verwendungszweck: at most 27 characters, upper case (ePayBL/bank transfer rules).
  purpose        text NOT NULL CHECK (char_length(purpose) BETWEEN 1 AND 27 AND purpose = upper(purpose)),
  provider       text NOT NULL CHECK (provider IN ('pmpayment', 'epaybl')),
  provider_txid  text,
  -- Where the payer is sent to at the provider (kept to resume an abandoned payment).
  redirect_url   text,
  -- The payable's page the payer returns to (a path on this site).
  return_path    text NOT NULL,
  status         text NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'pending', 'paid', 'failed', 'cancelled', 'refunded', 'partially_refunded')),
  refunded_cents integer NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0 AND refunded_cents <= amount_cents),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  paid_at        timestamptz,
  -- When the provider was last asked (reconciliation spreads its queries).
  checked_at     timestamptz,
  UNIQUE (provider, provider_txid)
);
-- At most one unfinished payment per payable: a second start resumes it (also under concurrency).
CREATE UNIQUE INDEX payments_one_open_idx ON payments (tenant_id, payable_kind, payable_id) WHERE status IN ('open', 'pending');
CREATE INDEX payments_tenant_created_idx ON payments (tenant_id, created_at DESC);
CREATE INDEX payments_payable_idx ON payments (tenant_id, payable_kind, payable_id);
CREATE INDEX payments_unsettled_idx ON payments (checked_at NULLS FIRST) WHERE status IN ('open', 'pending');

-- Every status change, with when and what caused it (no personal data).
CREATE TABLE payment_status_changes (
  id          bigserial PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  payment_id  uuid NOT NULL REFERENCES payments (id),
  from_status text,
  to_status   text NOT NULL,
  source      text NOT NULL CHECK (source IN ('start', 'notification', 'return', 'reconciliation', 'staff')),
  changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_status_changes_payment_idx ON payment_status_changes (payment_id, id);

-- Refunds recorded by staff. The reason is free text and may name people: encrypted.
CREATE TABLE payment_refunds (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  payment_id   uuid NOT NULL REFERENCES payments (id),
  amount_cents integer NOT NULL CHECK (amount_cents > 0),
  reason_enc   text NOT NULL,
  staff_id     uuid REFERENCES staff_accounts (id),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_refunds_payment_idx ON payment_refunds (payment_id, created_at);

-- The embedded payment platform simulator (demo mode only): its transactions, as a real platform
-- would keep them. Not tenant data of the portal; keyed by the merchant (AGS / mandant).
CREATE TABLE payment_simulator_transactions (
  id            text PRIMARY KEY,
  protocol      text NOT NULL CHECK (protocol IN ('pmpayment', 'epaybl')),
  merchant      text NOT NULL,
  reference     text NOT NULL,
  amount_cents  integer NOT NULL CHECK (amount_cents > 0),
  currency      char(3) NOT NULL DEFAULT 'EUR',
  description   text NOT NULL,
  procedure     text,
  notify_url    text,
  success_url   text NOT NULL,
  cancel_url    text NOT NULL,
  error_url     text NOT NULL,
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'paid', 'failed', 'cancelled')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  -- A second create for the same merchant and reference answers the same transaction.
  UNIQUE (protocol, merchant, reference)
);
