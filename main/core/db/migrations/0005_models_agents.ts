/**
 * Language-model providers, tiers (with canaries), prices, and agents with versioned
 * instructions (DESIGN.md §1, §5). Secrets (API keys) are not here: see the secrets table. An
 * agent's budget is a kernel budget (scope 'agent'), so the kernel's cap check is the only one.
 */
export default /* sql */ `
CREATE TABLE model_providers (
  id         text PRIMARY KEY,
  kind       text NOT NULL CHECK (kind IN ('builtin', 'openai-compatible', 'local-gguf')),
  config     jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE model_tiers (
  tier       text PRIMARY KEY CHECK (tier IN ('fast', 'strong')),
  provider   text NOT NULL,
  model      text NOT NULL,
  canary     jsonb,
  updated_at timestamptz NOT NULL
);

CREATE TABLE model_prices (
  provider        text NOT NULL,
  model           text NOT NULL,
  input_per_mtok  double precision NOT NULL CHECK (input_per_mtok >= 0),
  output_per_mtok double precision NOT NULL CHECK (output_per_mtok >= 0),
  PRIMARY KEY (provider, model)
);

CREATE TABLE agents (
  name            text PRIMARY KEY,
  role            text NOT NULL,
  tier            text NOT NULL CHECK (tier IN ('fast', 'strong')),
  memory_scope    jsonb NOT NULL,
  permissions     text[] NOT NULL DEFAULT '{}',
  approvals       text[] NOT NULL DEFAULT '{}',
  concurrency     integer NOT NULL DEFAULT 1 CHECK (concurrency BETWEEN 1 AND 16),
  enabled         boolean NOT NULL DEFAULT true,
  builtin         boolean NOT NULL DEFAULT false,
  current_version integer NOT NULL,
  updated_at      timestamptz NOT NULL
);

CREATE TABLE agent_versions (
  name         text NOT NULL REFERENCES agents(name) ON DELETE CASCADE,
  version      integer NOT NULL,
  instructions text NOT NULL,
  note         text,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (name, version)
);
`;
