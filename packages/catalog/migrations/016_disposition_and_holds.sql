-- Disposition (到期鉴定) and holds (docs/custody.md, "Disposition and holds"). An item is a filed 档号
-- (its first version's classification); when its D10/D30 retention has run out an admin decides what
-- becomes of it, and a destruction removes its objects from the store while the catalog keeps the
-- record, marked destroyed. Holds stop disposition for the items they name until they are lifted.

-- Every decision on an item, in order; the latest one is in force. Never updated.
CREATE TABLE disposition_decisions (
  id              bigserial   PRIMARY KEY,
  ingest_id       text        NOT NULL REFERENCES ingests (ingest_id),
  reference_code  text        NOT NULL,
  decision        text        NOT NULL CHECK (decision IN ('retain', 'permanent', 'transfer', 'destroy')),
  reason          text        NOT NULL CHECK (length(btrim(reason)) > 0),
  -- retain: the item comes up for review again on this date (its retention extended).
  review_on       date,
  -- The date the item was due when the decision was taken (what the admin saw).
  due_on          date        NOT NULL,
  decided_by      text        NOT NULL,
  decided_at      timestamptz NOT NULL DEFAULT now(),
  CHECK ((decision = 'retain') = (review_on IS NOT NULL))
);
CREATE INDEX disposition_decisions_item_idx ON disposition_decisions (ingest_id, id DESC);

-- One row per destroyed item (销毁清册): what was removed, from where, on whose decision.
CREATE TABLE destructions (
  id              bigserial   PRIMARY KEY,
  ingest_id       text        NOT NULL UNIQUE REFERENCES ingests (ingest_id),
  reference_code  text        NOT NULL,
  title           text        NOT NULL,
  retention       text        NOT NULL,
  year            integer     NOT NULL,
  decision_id     bigint      NOT NULL REFERENCES disposition_decisions (id),
  destroyed_by    text        NOT NULL,
  destroyed_at    timestamptz NOT NULL DEFAULT now(),
  -- Every AIP (document version) of the item and every object version removed: copy, bucket, key, versionId.
  aips            text[]      NOT NULL,
  objects         jsonb       NOT NULL,
  bytes           bigint      NOT NULL
);
CREATE INDEX destructions_at_idx ON destructions (destroyed_at);

CREATE TABLE holds (
  id           bigserial   PRIMARY KEY,
  name         text        NOT NULL,
  reason       text        NOT NULL CHECK (length(btrim(reason)) > 0),
  created_by   text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  lifted_by    text,
  lifted_at    timestamptz,
  lift_reason  text,
  CHECK ((lifted_at IS NULL) = (lifted_by IS NULL))
);
-- One name for one active hold, so a hold is named unambiguously when it is lifted.
CREATE UNIQUE INDEX holds_active_name_key ON holds (name) WHERE lifted_at IS NULL;

-- What a hold names: an ingest, a 档号, or a class (category, optionally year and retention).
CREATE TABLE hold_items (
  hold_id    bigint  NOT NULL REFERENCES holds (id),
  kind       text    NOT NULL CHECK (kind IN ('ingest', 'reference-code', 'class')),
  value      text    NOT NULL,
  category   text,
  year       integer,
  retention  text,
  PRIMARY KEY (hold_id, kind, value)
);
