-- The review queue teaches the schedule: rules proposed from settled review items, and the schedule
-- versions an admin made by accepting them. The agency's schedule file stays the root; a stored
-- version is that file (root_version) with accepted rules added, kept whole as YAML.
CREATE TABLE schedule_versions (
  seq           bigserial   PRIMARY KEY,
  version       text        NOT NULL UNIQUE,
  root_version  text        NOT NULL,
  base_version  text        NOT NULL,
  yaml          text        NOT NULL,
  created_by    text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schedule_versions_root_idx ON schedule_versions (root_version, seq DESC);

CREATE TABLE rule_proposals (
  id                bigserial   PRIMARY KEY,
  rule_key          text        NOT NULL,
  rule              jsonb       NOT NULL,
  settlement        jsonb       NOT NULL,
  basis             jsonb       NOT NULL,
  ingest_ids        text[]      NOT NULL,
  -- The schedule version the rule was proposed against.
  schedule_version  text        NOT NULL,
  status            text        NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'accepted', 'rejected')),
  proposed_at       timestamptz NOT NULL DEFAULT now(),
  decided_by        text,
  decided_at        timestamptz,
  reason            text,
  accepted_version  text        REFERENCES schedule_versions (version),
  CHECK ((status = 'proposed') = (decided_by IS NULL))
);
-- One open proposal per rule: a second refresh updates it rather than adding another.
CREATE UNIQUE INDEX rule_proposals_open_idx ON rule_proposals (rule_key) WHERE status = 'proposed';
CREATE INDEX rule_proposals_status_idx ON rule_proposals (status, id DESC);
