-- The gateway's memory of what OA systems pushed (services/gateway): one row per (source, document,
-- version) it published to Kafka, written in the same transaction that waited for Kafka's
-- acknowledgement, so that the same version sent again gets the same answer and a changed one is
-- refused; and the nonces of signed requests, so that a captured request cannot be replayed.

CREATE TABLE gateway_submissions (
  source          text        NOT NULL,
  document_id     text        NOT NULL,
  version         integer     NOT NULL,
  ingest_id       text        NOT NULL UNIQUE,
  event_id        text        NOT NULL,
  -- push (HTTP) or middle-table (a row of the OA's own table)
  channel         text        NOT NULL CHECK (channel IN ('push', 'middle-table')),
  -- SHA-256 of the canonical JSON of the event's data: the same document sent again has the same digest.
  content_sha256  text        NOT NULL,
  -- What the OA declared about each file (name, url, size, sha256, md5), to say what changed.
  files           jsonb       NOT NULL,
  event           jsonb       NOT NULL,
  accepted_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, document_id, version)
);

CREATE TABLE gateway_nonces (
  app_id   text        NOT NULL,
  nonce    text        NOT NULL,
  seen_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (app_id, nonce)
);
CREATE INDEX gateway_nonces_seen_idx ON gateway_nonces (seen_at);
