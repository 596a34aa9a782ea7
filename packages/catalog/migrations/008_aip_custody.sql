-- Custody of deposited AIPs: when each is next due for a fixity audit, what the last audit found, and
-- whether its second copy is made. One row per FILED AIP, enrolled by the worker's custody sweep.
CREATE TABLE aip_custody (
  ingest_id                text        PRIMARY KEY REFERENCES aips (ingest_id),
  -- The archive bucket the AIP was deposited in (its prefix is aips.prefix).
  bucket                   text        NOT NULL,
  enrolled_at              timestamptz NOT NULL DEFAULT now(),
  next_audit_at            timestamptz NOT NULL,
  -- A worker (or the CLI) auditing this AIP holds it until then; another takes over after it lapses.
  audit_lease_until        timestamptz,
  last_audit_at            timestamptz,
  last_audit_outcome       text        CHECK (last_audit_outcome IN ('intact', 'failed')),
  replication_state        text        NOT NULL DEFAULT 'pending' CHECK (replication_state IN ('pending', 'replicated', 'failed')),
  replication_reason       text,
  replication_attempts     integer     NOT NULL DEFAULT 0,
  replication_next_at      timestamptz NOT NULL DEFAULT now(),
  replication_lease_until  timestamptz,
  replica_bucket           text,
  replicated_at            timestamptz
);
CREATE INDEX aip_custody_audit_due_idx ON aip_custody (next_audit_at);
CREATE INDEX aip_custody_replication_idx ON aip_custody (replication_next_at) WHERE replication_state <> 'replicated';

-- Every fixity audit of one copy of an AIP: what was read, what did not match, what was repaired.
-- The PREMIS 'fixity check' event of the same audit is in preservation_events (the bag is write-once).
CREATE TABLE fixity_audits (
  id               bigserial   PRIMARY KEY,
  ingest_id        text        NOT NULL REFERENCES aips (ingest_id),
  audited_at       timestamptz NOT NULL,
  actor            text        NOT NULL,
  copy             text        NOT NULL CHECK (copy IN ('primary', 'replica')),
  bucket           text        NOT NULL,
  objects_checked  integer     NOT NULL,
  objects_failed   integer     NOT NULL,
  bytes_read       bigint      NOT NULL,
  outcome          text        NOT NULL CHECK (outcome IN ('intact', 'failed')),
  findings         jsonb       NOT NULL DEFAULT '[]',
  repairs          jsonb       NOT NULL DEFAULT '[]'
);
CREATE INDEX fixity_audits_ingest_idx ON fixity_audits (ingest_id, id);
CREATE INDEX fixity_audits_failed_idx ON fixity_audits (audited_at) WHERE outcome = 'failed';
