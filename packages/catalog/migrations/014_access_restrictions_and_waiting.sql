-- 限制利用: a document filed with its use restricted (e.g. 内部, which is no 密级). DA/T 46 权限管理 ·
-- 控制标识 控制; everyone sees its metadata, only minimum_role and above its content. Written when the
-- schedule decides the document, whatever the outcome, so a person filing it from review keeps it.
CREATE TABLE access_restrictions (
  ingest_id         text        PRIMARY KEY REFERENCES ingests (ingest_id),
  security_level    text        NOT NULL,
  control_mark      text        NOT NULL CHECK (control_mark IN ('控制')),
  minimum_role      text        NOT NULL CHECK (minimum_role IN ('viewer', 'operator', 'admin')),
  schedule_version  text        NOT NULL,
  basis             text        NOT NULL,
  recorded_at       timestamptz NOT NULL DEFAULT now()
);

-- An ingest held back by something it needs that is down (the virus scanner): what, since when, why.
-- Cleared once that answers again; the console and the status API show it.
ALTER TABLE ingests ADD COLUMN waiting_for text CHECK (waiting_for IN ('virus-scanner'));
ALTER TABLE ingests ADD COLUMN waiting_since timestamptz;
ALTER TABLE ingests ADD COLUMN waiting_reason text;
CREATE INDEX ingests_waiting_idx ON ingests (waiting_for) WHERE waiting_for IS NOT NULL;
