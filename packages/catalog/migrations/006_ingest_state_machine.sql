-- One state machine for an ingest's status (packages/catalog/src/ingestState.ts), with the database as
-- its second line; receipts through an outbox written with the outcome they report; the reconciler's
-- count of recoveries; and voided 档号 kept on the record.

-- How often the reconciler has put the ingest back at its current stage; reset when it moves on.
ALTER TABLE ingests ADD COLUMN recoveries integer NOT NULL DEFAULT 0;
-- The reconciler's scan: ingests still on their way, oldest change first.
CREATE INDEX ingests_active_idx ON ingests (updated_at) WHERE status IN ('RECEIVED', 'IN_PROGRESS');

-- Refuses a status change the state machine does not allow, or one that did not come through it
-- (applyTransition names its event in oa_archive.ingest_event for the statement). The pairs are those
-- of TRANSITIONS in ingestState.ts; a test checks that both say the same.
CREATE FUNCTION ingests_status_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  via text := current_setting('oa_archive.ingest_event', true);
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'RECEIVED' THEN
      RAISE EXCEPTION 'ingest %: a new ingest is RECEIVED, not %', NEW.ingest_id, NEW.status USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.status IS NOT DISTINCT FROM OLD.status THEN
    RETURN NEW;
  END IF;
  IF via IS NULL OR via = '' THEN
    RAISE EXCEPTION 'ingest %: status % → % refused: a status changes only through the ingest state machine', OLD.ingest_id, OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  IF (OLD.status, NEW.status) NOT IN (
    ('RECEIVED', 'IN_PROGRESS'), ('RECEIVED', 'FAILED'),
    ('IN_PROGRESS', 'FILED'), ('IN_PROGRESS', 'EXCLUDED'), ('IN_PROGRESS', 'QUARANTINED'), ('IN_PROGRESS', 'REVIEW'), ('IN_PROGRESS', 'FAILED'),
    ('REVIEW', 'IN_PROGRESS'), ('REVIEW', 'EXCLUDED'),
    ('FAILED', 'IN_PROGRESS')
  ) THEN
    RAISE EXCEPTION 'ingest %: % → % (event %) is not a transition of an ingest', OLD.ingest_id, OLD.status, NEW.status, via USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER ingests_status_guard BEFORE INSERT OR UPDATE OF status ON ingests
  FOR EACH ROW EXECUTE FUNCTION ingests_status_guard();

-- One receipt per outcome an ingest reaches, in the order reached. receipt_id = <ingest id>-r<seq> is
-- what consumers dedupe on: a crash between publishing and marking sends it again, unchanged.
CREATE TABLE receipt_outbox (
  ingest_id    text        NOT NULL REFERENCES ingests (ingest_id),
  seq          integer     NOT NULL CHECK (seq > 0),
  receipt_id   text        NOT NULL UNIQUE,
  outcome      text        NOT NULL,
  document_id  text        NOT NULL,
  receipt      jsonb       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  attempts     integer     NOT NULL DEFAULT 0,
  last_error   text,
  sent_at      timestamptz,
  PRIMARY KEY (ingest_id, seq)
);
CREATE INDEX receipt_outbox_pending_idx ON receipt_outbox (created_at) WHERE sent_at IS NULL;

-- 作废: a 档号 taken back from a document (re-classified into another class, excluded, quarantined),
-- with who, when and why. Numbers are never reissued, so a class's numbers stay 1..N: held or voided.
CREATE TABLE voided_reference_codes (
  reference_code     text        PRIMARY KEY,
  ingest_id          text        NOT NULL REFERENCES ingests (ingest_id),
  category           text        NOT NULL,
  year               integer     NOT NULL,
  retention          text        NOT NULL,
  organisation_code  text        NOT NULL,
  item_number        integer     NOT NULL,
  voided_at          timestamptz NOT NULL DEFAULT now(),
  voided_by          text        NOT NULL,
  reason             text        NOT NULL
);
CREATE INDEX voided_reference_codes_class_idx ON voided_reference_codes (category, year, retention, organisation_code);
