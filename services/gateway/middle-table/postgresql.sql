-- The middle table (中间表) in the OA's own PostgreSQL database: the OA inserts one row per finished
-- document with status 'ready'; the archive gateway claims rows (FOR UPDATE SKIP LOCKED, so several
-- gateways can poll together), publishes them and writes the outcome back.
--   ready → claimed → published    (ingest_id and result filled in)
--   ready → claimed → rejected     (result says why; fix the row and set status back to 'ready')
-- payload holds the document in the OA's own JSON or XML, read by the source's mapping file, exactly
-- as a push of the same document would be.
CREATE TABLE oa_archive_outbox (
  id           bigserial    PRIMARY KEY,
  doc_id       varchar(200) NOT NULL,
  doc_version  integer      NOT NULL DEFAULT 1,
  payload      text         NOT NULL,
  status       varchar(16)  NOT NULL DEFAULT 'ready'
    CONSTRAINT oa_archive_outbox_status_chk CHECK (status IN ('ready', 'claimed', 'published', 'rejected')),
  claimed_by   varchar(100),
  claimed_at   timestamptz,
  attempts     integer      NOT NULL DEFAULT 0,
  ingest_id    varchar(64),
  result       text,
  created_at   timestamptz  NOT NULL DEFAULT now(),
  updated_at   timestamptz  NOT NULL DEFAULT now(),
  CONSTRAINT oa_archive_outbox_doc_key UNIQUE (doc_id, doc_version)
);
CREATE INDEX oa_archive_outbox_status_idx ON oa_archive_outbox (status, id);
