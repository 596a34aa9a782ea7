-- Search a records officer can use (docs/search.md): titles, 文号, issuers and the text of the
-- preservation copies, matched as substrings through a pg_trgm GIN index. Chinese has no spaces, so
-- a word-based configuration ('simple', the only one here without zhparser) cannot find a word inside
-- a sentence; trigrams can, on a database whose ctype calls CJK characters alphanumeric (C.UTF-8 does).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE search_documents (
  ingest_id        text        PRIMARY KEY REFERENCES ingests (ingest_id),
  title            text        NOT NULL,
  document_number  text,
  issuer           text,
  department_code  text        NOT NULL,
  -- The text of the preservation copies (and of text-bearing originals kept as they are), in
  -- component order, bounded per component; '' until convert extracted it.
  body             text        NOT NULL DEFAULT '',
  -- Per component: { ordinal, outcome: extracted | empty | failed | not-text, chars, truncated, reason }.
  -- NULL until convert ran: "not extracted yet" is not "nothing to extract".
  extraction       jsonb,
  extracted_at     timestamptz,
  -- Everything one search box matches, in one indexed column.
  searchable       text GENERATED ALWAYS AS (
                     title || E'\n' || coalesce(document_number, '') || E'\n' || coalesce(issuer, '') || E'\n' || body
                   ) STORED
);
CREATE INDEX search_documents_trgm_idx ON search_documents USING gin (searchable gin_trgm_ops);

-- Every ingest is searchable by its metadata from the moment it is recorded, whichever code path
-- records it (intake, a catalog rebuild): the row follows the insert.
CREATE FUNCTION search_documents_from_ingest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_documents (ingest_id, title, document_number, issuer, department_code)
  VALUES (NEW.ingest_id, NEW.title, NEW.event -> 'data' ->> 'documentNumber', NEW.event -> 'data' -> 'issuer' ->> 'name', NEW.department_code)
  ON CONFLICT (ingest_id) DO NOTHING;
  RETURN NEW;
END $$;
CREATE TRIGGER ingests_search_documents AFTER INSERT ON ingests FOR EACH ROW EXECUTE FUNCTION search_documents_from_ingest();

INSERT INTO search_documents (ingest_id, title, document_number, issuer, department_code)
SELECT ingest_id, title, event -> 'data' ->> 'documentNumber', event -> 'data' -> 'issuer' ->> 'name', department_code FROM ingests
ON CONFLICT (ingest_id) DO NOTHING;
