-- The AIP (a BagIt bag) of each filed document: every file of the bag, where its bytes are staged
-- and their digests. Built once; a replayed deposit writes exactly the same bag.
CREATE TABLE aips (
  ingest_id   text        PRIMARY KEY REFERENCES ingests (ingest_id),
  prefix      text        NOT NULL,
  files       jsonb       NOT NULL,
  built_at    timestamptz NOT NULL DEFAULT now()
);
