-- What each component is (format, digests, technical metadata, findings), the document's DA/T 46
-- metadata record, the classification decision with its 档号, and the gap-free item counters.

-- SM3 is computed beside SHA-256 in the same streaming pass when a component is fetched.
ALTER TABLE components ADD COLUMN sm3 text;

CREATE TABLE component_characterizations (
  ingest_id         text        NOT NULL,
  ordinal           integer     NOT NULL,
  format_name       text        NOT NULL,
  media_type        text        NOT NULL,
  puid              text,
  format            jsonb       NOT NULL,
  size              bigint      NOT NULL,
  sha256            text        NOT NULL,
  sm3               text        NOT NULL,
  technical         jsonb       NOT NULL,
  findings          jsonb       NOT NULL,
  characterized_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ingest_id, ordinal),
  FOREIGN KEY (ingest_id, ordinal) REFERENCES components (ingest_id, ordinal)
);
-- 重份 detection looks components up by digest.
CREATE INDEX component_characterizations_digest_idx ON component_characterizations (sm3, sha256);

CREATE TABLE metadata_records (
  ingest_id    text        PRIMARY KEY REFERENCES ingests (ingest_id),
  record       jsonb       NOT NULL,
  missing      text[]      NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE classifications (
  ingest_id          text        PRIMARY KEY REFERENCES ingests (ingest_id),
  outcome            text        NOT NULL CHECK (outcome IN ('FILE', 'EXCLUDE', 'REVIEW', 'QUARANTINE')),
  category           text,
  retention          text CHECK (retention IN ('Y', 'D30', 'D10')),
  organisation_code  text,
  year               integer,
  rule_ids           text[]      NOT NULL,
  schedule_version   text        NOT NULL,
  explanation        text        NOT NULL,
  reference_code     text UNIQUE,
  item_number        integer,
  decided_at         timestamptz NOT NULL DEFAULT now()
);

-- One row per lowest class of DA/T 13; item numbers are taken in the transaction that records the
-- decision, so a rolled-back decision gives its number back and no two documents share one.
CREATE TABLE reference_code_counters (
  fonds      text    NOT NULL,
  category   text    NOT NULL,
  year       integer NOT NULL,
  retention  text    NOT NULL,
  org        text    NOT NULL,
  last_item  integer NOT NULL,
  PRIMARY KEY (fonds, category, year, retention, org)
);
