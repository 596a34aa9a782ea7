-- The middle table (中间表) in the OA's own MySQL 8 / MariaDB 10.6+ database (both have
-- FOR UPDATE SKIP LOCKED): the OA inserts one row per finished document with status 'ready'; the
-- archive gateway claims rows, publishes them and writes the outcome back.
--   ready → claimed → published    (ingest_id and result filled in)
--   ready → claimed → rejected     (result says why; fix the row and set status back to 'ready')
-- payload holds the document in the OA's own JSON or XML, read by the source's mapping file.
CREATE TABLE oa_archive_outbox (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  doc_id       VARCHAR(200)    NOT NULL,
  doc_version  INT             NOT NULL DEFAULT 1,
  payload      LONGTEXT        NOT NULL,
  status       VARCHAR(16)     NOT NULL DEFAULT 'ready',
  claimed_by   VARCHAR(100)    NULL,
  claimed_at   DATETIME(3)     NULL,
  attempts     INT             NOT NULL DEFAULT 0,
  ingest_id    VARCHAR(64)     NULL,
  result       TEXT            NULL,
  created_at   DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at   DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY oa_archive_outbox_doc_key (doc_id, doc_version),
  KEY oa_archive_outbox_status_idx (status, id),
  CONSTRAINT oa_archive_outbox_status_chk CHECK (status IN ('ready', 'claimed', 'published', 'rejected'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
