/**
 * E-mail intake over IMAP (DESIGN.md §6; main/core/adapters/imap/CONTEXT.md).
 *
 * imap_folders is each watched folder's high-water mark: the UIDVALIDITY it was read under and
 * the highest UID taken in. imap_messages has one row per message taken in, keyed by account,
 * folder, UIDVALIDITY and UID: the row, the message's documents and the folder's new mark are
 * written in one transaction, so a message is taken in exactly once across restarts and
 * reconnects. `fingerprint` (the Message-ID, else a hash of the envelope) recognises messages
 * again after the server renumbered a folder (a new UIDVALIDITY).
 */
export default /* sql */ `
CREATE TABLE imap_folders (
  account_id            text NOT NULL,
  folder                text NOT NULL,
  uid_validity          bigint NOT NULL,
  highest_uid           bigint NOT NULL,
  previous_uid_validity bigint,
  updated_at            timestamptz NOT NULL,
  PRIMARY KEY (account_id, folder)
);

CREATE TABLE imap_messages (
  account_id   text NOT NULL,
  folder       text NOT NULL,
  uid_validity bigint NOT NULL,
  uid          bigint NOT NULL,
  message_id   text,
  fingerprint  text NOT NULL,
  subject      text,
  size         bigint NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('taken', 'headers_only', 'seen_before')),
  document_id  text,
  attachments  jsonb NOT NULL DEFAULT '[]',
  taken_at     timestamptz NOT NULL,
  PRIMARY KEY (account_id, folder, uid_validity, uid)
);
CREATE INDEX imap_messages_fingerprint ON imap_messages (account_id, folder, fingerprint);
CREATE INDEX imap_messages_taken ON imap_messages (taken_at DESC);
`;
