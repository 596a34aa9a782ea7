-- New versions of a filed document (docs/oa-integration.md, "New versions of a document"): a later
-- version that is filed is a new AIP version of the same archival item, under the same 档号, and names
-- the version it follows. The 档号 stays one document's: only the item's first version holds it in its
-- own right, and a later version holds exactly the number of the version it follows.
ALTER TABLE classifications DROP CONSTRAINT classifications_reference_code_key;
ALTER TABLE classifications ADD COLUMN version_of text REFERENCES ingests (ingest_id);
ALTER TABLE classifications ADD CONSTRAINT classifications_item_key UNIQUE (ingest_id, reference_code);
ALTER TABLE classifications ADD CONSTRAINT classifications_version_of_item_fkey
  FOREIGN KEY (version_of, reference_code) REFERENCES classifications (ingest_id, reference_code);
ALTER TABLE classifications ADD CONSTRAINT classifications_version_holds_code_chk CHECK (version_of IS NULL OR reference_code IS NOT NULL);
CREATE UNIQUE INDEX classifications_reference_code_key ON classifications (reference_code) WHERE version_of IS NULL;
CREATE INDEX classifications_version_of_idx ON classifications (version_of) WHERE version_of IS NOT NULL;
