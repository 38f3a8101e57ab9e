/**
 * Versioned adapters, MCP servers and apps (DESIGN.md §6).
 *
 * kernel_adapter_versions remembers every version of every adapter this data folder has seen,
 * with a fingerprint of each action's argument schema, so an upgrade that changes a schema is
 * detected. kernel_adapter_current is what is registered now: a run records it when it starts
 * (kernel_runs.adapter_versions) and keeps those versions while it is in flight.
 * kernel_adapter_health keeps each adapter's last success and last error.
 *
 * mcp_servers are the operator's MCP servers (secrets are in keel_secrets, never here).
 * apps are installed declarative packages; app_versions keeps every manifest installed, so
 * runs started on an older version go on with that version's workflows; app_records holds
 * the apps' entities (JSON validated by the manifest's schemas, migrated on upgrade).
 */
export default /* sql */ `
CREATE TABLE kernel_adapter_versions (
  name         text NOT NULL,
  version      text NOT NULL,
  fingerprints jsonb NOT NULL,
  first_seen   timestamptz NOT NULL,
  PRIMARY KEY (name, version)
);

CREATE TABLE kernel_adapter_current (
  name    text PRIMARY KEY,
  version text NOT NULL
);

ALTER TABLE kernel_runs ADD COLUMN adapter_versions jsonb;

CREATE TABLE kernel_adapter_health (
  name            text PRIMARY KEY,
  last_success_at timestamptz,
  last_error_at   timestamptz,
  last_error      jsonb,
  auth_expired    boolean NOT NULL DEFAULT false,
  calls           bigint NOT NULL DEFAULT 0,
  failures        bigint NOT NULL DEFAULT 0
);

CREATE TABLE mcp_servers (
  name       text PRIMARY KEY,
  config     jsonb NOT NULL,
  enabled    boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE apps (
  id           text PRIMARY KEY,
  version      text NOT NULL,
  manifest     jsonb NOT NULL,
  source       text NOT NULL,
  consent      jsonb NOT NULL,
  settings     jsonb NOT NULL DEFAULT '{}',
  installed_at timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);

CREATE TABLE app_versions (
  app_id       text NOT NULL,
  version      text NOT NULL,
  manifest     jsonb NOT NULL,
  installed_at timestamptz NOT NULL,
  PRIMARY KEY (app_id, version)
);

CREATE TABLE app_records (
  app_id         text NOT NULL,
  entity         text NOT NULL,
  id             text NOT NULL,
  data           jsonb NOT NULL,
  schema_version integer NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  PRIMARY KEY (app_id, entity, id)
);

UPDATE kernel_schedules SET trigger = trigger || '{"where": {"partOf": null}}'::jsonb
  WHERE name = 'Triage new documents' AND trigger->>'kind' = 'event' AND trigger->>'event' = 'document.ingested' AND NOT trigger ? 'where';
`;
