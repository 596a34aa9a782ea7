-- Rebuilding the catalog from the archive bucket (docs/custody.md, "Rebuilding the catalog").

-- Every audit anchor written to the store, as the catalog knows it: the next anchor carries the chain's
-- events since the latest one (from_seq + 1 .. seq), so the store holds the whole trail, segment by
-- segment. from_seq is NULL for an anchor that carries no events (written before anchors did).
CREATE TABLE audit_anchors (
  seq          bigint      PRIMARY KEY,
  hash         text        NOT NULL,
  at           timestamptz NOT NULL,
  from_seq     bigint,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);

-- A rebuild of this catalog from the store: started, resumed, finished, and what it restored and what
-- it could not (summary), for `archive audit verify` to say.
CREATE TABLE catalog_rebuilds (
  id            bigserial   PRIMARY KEY,
  bucket        text        NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  summary       jsonb       NOT NULL DEFAULT '{}'
);
