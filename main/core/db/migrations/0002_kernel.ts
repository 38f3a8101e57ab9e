/**
 * The durable kernel: runs and their recorded steps, approvals, escalations, dead letters,
 * schedules, budgets and the hash-chained ledger (append-only, enforced by triggers).
 */
export default /* sql */ `
CREATE TABLE kernel_runs (
  id               text PRIMARY KEY,
  workflow         text NOT NULL,
  workflow_version integer NOT NULL,
  input            jsonb NOT NULL,
  output           jsonb,
  error            jsonb,
  status           text NOT NULL,
  priority         integer NOT NULL DEFAULT 0,
  due_at           timestamptz,
  agent            text,
  app              text,
  parent_run_id    text REFERENCES kernel_runs(id),
  parent_step_no   integer,
  trace_id         text NOT NULL,
  idempotency_key  text UNIQUE,
  schedule_id      text,
  trigger          jsonb,
  lease_owner      text,
  cancel_requested boolean NOT NULL DEFAULT false,
  cancel_compensate boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  finished_at      timestamptz
);
CREATE INDEX kernel_runs_runnable ON kernel_runs (status, due_at) WHERE lease_owner IS NULL;
CREATE INDEX kernel_runs_created ON kernel_runs (created_at DESC, id DESC);
CREATE INDEX kernel_runs_parent ON kernel_runs (parent_run_id);

CREATE TABLE kernel_steps (
  run_id       text NOT NULL REFERENCES kernel_runs(id),
  step_no      integer NOT NULL,
  name         text NOT NULL,
  kind         text NOT NULL,
  status       text NOT NULL,
  output       jsonb,
  error        jsonb,
  attempts     integer NOT NULL DEFAULT 1,
  cost_usd     double precision NOT NULL DEFAULT 0,
  tokens       integer NOT NULL DEFAULT 0,
  compensation jsonb,
  compensated  boolean NOT NULL DEFAULT false,
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz,
  PRIMARY KEY (run_id, step_no)
);

CREATE TABLE kernel_approvals (
  id          text PRIMARY KEY,
  run_id      text NOT NULL REFERENCES kernel_runs(id),
  step_no     integer NOT NULL,
  title       text NOT NULL,
  kind        text NOT NULL,
  risk        text NOT NULL,
  proposal    jsonb,
  rationale   text,
  status      text NOT NULL,
  decision    jsonb,
  created_at  timestamptz NOT NULL,
  decided_at  timestamptz
);
CREATE INDEX kernel_approvals_status ON kernel_approvals (status, created_at);

CREATE TABLE kernel_escalations (
  id          text PRIMARY KEY,
  run_id      text NOT NULL REFERENCES kernel_runs(id),
  step_no     integer,
  kind        text NOT NULL,
  reason      jsonb NOT NULL,
  status      text NOT NULL,
  resolution  jsonb,
  created_at  timestamptz NOT NULL,
  resolved_at timestamptz
);
CREATE INDEX kernel_escalations_status ON kernel_escalations (status, created_at);

CREATE TABLE kernel_dead_letters (
  id          text PRIMARY KEY,
  run_id      text NOT NULL REFERENCES kernel_runs(id),
  step_no     integer,
  reason      jsonb NOT NULL,
  status      text NOT NULL,
  created_at  timestamptz NOT NULL,
  resolved_at timestamptz
);
CREATE INDEX kernel_dead_letters_status ON kernel_dead_letters (status, created_at);

CREATE TABLE kernel_schedules (
  id            text PRIMARY KEY,
  name          text NOT NULL UNIQUE,
  workflow      text NOT NULL,
  input         jsonb NOT NULL,
  trigger       jsonb NOT NULL,
  priority      integer NOT NULL DEFAULT 0,
  agent         text,
  app           text,
  paused        boolean NOT NULL DEFAULT false,
  next_fire_at  timestamptz,
  last_fired_at timestamptz,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);

CREATE TABLE kernel_budgets (
  scope      text NOT NULL,
  name       text NOT NULL,
  period     text NOT NULL,
  max_usd    double precision,
  max_tokens bigint,
  PRIMARY KEY (scope, name, period)
);

CREATE TABLE kernel_settings (
  key   text PRIMARY KEY,
  value jsonb NOT NULL
);

CREATE TABLE kernel_ledger (
  seq         bigint PRIMARY KEY,
  at          timestamptz NOT NULL,
  type        text NOT NULL,
  actor_kind  text NOT NULL,
  actor       text NOT NULL,
  run_id      text,
  step_no     integer,
  trace_id    text,
  span_id     text,
  parent_span text,
  agent       text,
  app         text,
  cost_usd    double precision NOT NULL DEFAULT 0,
  tokens      integer NOT NULL DEFAULT 0,
  data        jsonb NOT NULL,
  prev_hash   text NOT NULL,
  hash        text NOT NULL
);
CREATE INDEX kernel_ledger_run ON kernel_ledger (run_id, seq);
CREATE INDEX kernel_ledger_agent_at ON kernel_ledger (agent, at) WHERE cost_usd > 0 OR tokens > 0;
CREATE INDEX kernel_ledger_app_at ON kernel_ledger (app, at) WHERE cost_usd > 0 OR tokens > 0;

CREATE FUNCTION kernel_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only: % is refused', TG_OP;
END;
$$;
CREATE TRIGGER kernel_ledger_no_update BEFORE UPDATE OR DELETE ON kernel_ledger
  FOR EACH ROW EXECUTE FUNCTION kernel_ledger_append_only();
CREATE TRIGGER kernel_ledger_no_truncate BEFORE TRUNCATE ON kernel_ledger
  FOR EACH STATEMENT EXECUTE FUNCTION kernel_ledger_append_only();
`;
