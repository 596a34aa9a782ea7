-- Ingests, their components, the history of every stage run, and the hash-chained audit log.

CREATE TABLE ingests (
  ingest_id          text PRIMARY KEY,
  source             text        NOT NULL,
  document_id        text        NOT NULL,
  version            integer     NOT NULL,
  event_id           text        NOT NULL,
  title              text        NOT NULL,
  document_type      text        NOT NULL,
  department_code    text        NOT NULL,
  security_level     text        NOT NULL,
  finalized_at       timestamptz NOT NULL,
  event              jsonb       NOT NULL,
  status             text        NOT NULL
    CHECK (status IN ('RECEIVED', 'IN_PROGRESS', 'FILED', 'EXCLUDED', 'QUARANTINED', 'REVIEW', 'FAILED')),
  current_stage      text,
  failed_stage       text,
  failure_reason     text,
  failure_retryable  boolean,
  received_at        timestamptz NOT NULL DEFAULT now(),
  enqueued_at        timestamptz,
  completed_at       timestamptz,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, document_id, version)
);
CREATE INDEX ingests_status_idx ON ingests (status, updated_at);
CREATE INDEX ingests_department_idx ON ingests (department_code, finalized_at);

CREATE TABLE components (
  ingest_id            text    NOT NULL REFERENCES ingests (ingest_id),
  ordinal              integer NOT NULL,
  role                 text    NOT NULL,
  file_name            text    NOT NULL,
  declared_media_type  text,
  declared_size        bigint,
  declared_sha256      text,
  source_url           text    NOT NULL,
  staging_key          text,
  size                 bigint,
  sha256               text,
  fetched_at           timestamptz,
  archive_bucket       text,
  archive_key          text,
  deposited_at         timestamptz,
  PRIMARY KEY (ingest_id, ordinal)
);

CREATE TABLE stage_runs (
  id           bigserial PRIMARY KEY,
  ingest_id    text        NOT NULL REFERENCES ingests (ingest_id),
  stage        text        NOT NULL,
  attempt      integer     NOT NULL,
  status       text        NOT NULL CHECK (status IN ('SUCCEEDED', 'FAILED')),
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz NOT NULL,
  detail       jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX stage_runs_ingest_idx ON stage_runs (ingest_id, id);

-- hash = SHA-256(prev_hash || canonical JSON of {seq, at, ingestId, type, actor, payload}).
CREATE TABLE audit_events (
  seq        bigint      PRIMARY KEY,
  at         timestamptz NOT NULL,
  ingest_id  text,
  type       text        NOT NULL,
  actor      text        NOT NULL,
  payload    jsonb       NOT NULL,
  prev_hash  text        NOT NULL,
  hash       text        NOT NULL UNIQUE
);
CREATE INDEX audit_events_ingest_idx ON audit_events (ingest_id, seq);

-- Append-only: the database itself refuses to change or remove an audit event.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
