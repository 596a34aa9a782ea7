-- Console and API access: tokens are stored only as SHA-256 hashes; roles viewer < operator < admin.
CREATE TABLE api_tokens (
  id            bigserial   PRIMARY KEY,
  name          text        NOT NULL,
  role          text        NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  token_hash    text        NOT NULL UNIQUE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
CREATE INDEX ingests_finalized_idx ON ingests (finalized_at);
CREATE INDEX stage_runs_finished_idx ON stage_runs (finished_at);
