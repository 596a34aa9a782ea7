-- Preservation copies made by convert (or the original kept as its own), PREMIS-style events for
-- every preservation action, and the four-properties report of each document.

CREATE TABLE preservation_copies (
  ingest_id     text        NOT NULL,
  ordinal       integer     NOT NULL,
  action        text        NOT NULL CHECK (action IN ('keep', 'convert')),
  target        text,
  staging_key   text        NOT NULL,
  file_name     text        NOT NULL,
  size          bigint      NOT NULL,
  sha256        text        NOT NULL,
  sm3           text        NOT NULL,
  format_name   text        NOT NULL,
  puid          text,
  technical     jsonb       NOT NULL,
  findings      jsonb       NOT NULL,
  archive_key   text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ingest_id, ordinal),
  FOREIGN KEY (ingest_id, ordinal) REFERENCES components (ingest_id, ordinal)
);

CREATE TABLE preservation_events (
  id              bigserial   PRIMARY KEY,
  ingest_id       text        NOT NULL REFERENCES ingests (ingest_id),
  ordinal         integer,
  event_type      text        NOT NULL,
  event_at        timestamptz NOT NULL,
  detail          text        NOT NULL,
  outcome         text        NOT NULL CHECK (outcome IN ('success', 'failure', 'warning')),
  outcome_detail  text,
  agent_name      text        NOT NULL,
  agent_version   text,
  options         jsonb       NOT NULL DEFAULT '[]',
  source_sha256   text,
  outcome_sha256  text
);
CREATE INDEX preservation_events_ingest_idx ON preservation_events (ingest_id, id);

CREATE TABLE validation_reports (
  ingest_id     text        PRIMARY KEY REFERENCES ingests (ingest_id),
  passed        boolean     NOT NULL,
  report        jsonb       NOT NULL,
  validated_at  timestamptz NOT NULL DEFAULT now()
);
