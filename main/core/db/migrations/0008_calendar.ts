/**
 * The calendar adapter's own records (DESIGN.md §6), never a password.
 *
 * calendar_events: every event Keel created or changed, by UID: where it lives (a URL on the
 * CalDAV server or a file in the workspace), the ETag Keel last saw, SEQUENCE and status, so
 * a move or a cancel finds it again even after the chosen calendar changed.
 * calendar_effects: one row per finished action by idempotency key, so a replay returns what
 * the action did the first time instead of acting again on a calendar that has moved on.
 */
export default /* sql */ `
CREATE TABLE calendar_events (
  uid         text PRIMARY KEY,
  backend     text NOT NULL CHECK (backend IN ('caldav', 'ics')),
  ref         text NOT NULL,
  etag        text,
  sequence    integer NOT NULL,
  status      text NOT NULL,
  summary     text NOT NULL,
  starts      text,
  ends        text,
  all_day     boolean NOT NULL,
  created_key text,
  updated_at  timestamptz NOT NULL
);

CREATE TABLE calendar_effects (
  idempotency_key text PRIMARY KEY,
  action          text NOT NULL,
  uid             text NOT NULL,
  result          jsonb NOT NULL,
  done_at         timestamptz NOT NULL
);
CREATE INDEX calendar_effects_uid ON calendar_effects (uid);
`;
