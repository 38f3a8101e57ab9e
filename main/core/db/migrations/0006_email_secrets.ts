/**
 * Encrypted secrets (SMTP passwords, API keys) and the e-mail outbox (DESIGN.md §6, §7).
 *
 * keel_secrets holds ciphertext only, prefixed with the cipher's kind (see main/core/secrets).
 * email_outbox is the adapter's own record of every send by idempotency key: it is written
 * before the SMTP connection opens, so a replay after a crash knows whether the message may
 * already have left. It keeps the envelope and a hash of the body, never a password.
 */
export default /* sql */ `
CREATE TABLE keel_secrets (
  id         text PRIMARY KEY,
  ciphertext text NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE email_outbox (
  idempotency_key text PRIMARY KEY,
  action          text NOT NULL,
  message_id      text NOT NULL,
  status          text NOT NULL CHECK (status IN ('sending', 'sent')),
  envelope        jsonb NOT NULL,
  body_sha256     text NOT NULL,
  smtp_response   text,
  result          jsonb,
  note            text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  sent_at         timestamptz
);
CREATE INDEX email_outbox_sending ON email_outbox (created_at) WHERE status = 'sending';
CREATE INDEX email_outbox_message ON email_outbox (message_id);
`;
