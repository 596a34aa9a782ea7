-- Package drops (services/gateway/src/packages): an OA puts one folder (or one EEP file) per document
-- into a watched S3 prefix or directory. One row per package the gateway has taken up, so that several
-- gateways watching the same drop never process one package twice (the claim is this row), and so that
-- what became of each package (published as which ingest, or rejected and why) outlives the move of
-- its files to done/ or rejected/.
--   claimed → done | rejected  (decided: outcome recorded before the files are moved)
--   moved_to set               (the package's files are out of incoming/)
-- A row whose claim is older than the lease and not yet moved is taken again by the next scan. A package
-- is one instance of a name: the same name dropped again later is another row (its metadata file has
-- another modification time), so a gateway that listed incoming/ just before another moved the package
-- out finds the row moved and leaves it.

CREATE TABLE gateway_packages (
  source        text        NOT NULL,
  -- The package's name in incoming/ (a folder, or a single EEP/metadata file).
  package       text        NOT NULL,
  -- Which drop of that name: the modification time of its metadata file, as the drop reports it.
  instance      text        NOT NULL,
  state         text        NOT NULL CHECK (state IN ('claimed', 'done', 'rejected')),
  claimed_by    text        NOT NULL,
  claimed_at    timestamptz NOT NULL DEFAULT now(),
  attempts      integer     NOT NULL DEFAULT 1,
  ingest_id     text,
  document_id   text,
  version       integer,
  -- Why it was rejected: { summary, problems: [{ code, file?, message }] }.
  reason        jsonb,
  decided_at    timestamptz,
  -- Where its files went (done/<name>/ or rejected/<name>/), once they are there.
  moved_to      text,
  moved_at      timestamptz,
  PRIMARY KEY (source, package, instance)
);
CREATE INDEX gateway_packages_decided_idx ON gateway_packages (source, decided_at);
CREATE INDEX gateway_packages_name_idx ON gateway_packages (source, package, claimed_at);

-- A document that came in a package is a submission like a push or a middle-table row.
ALTER TABLE gateway_submissions DROP CONSTRAINT gateway_submissions_channel_check;
ALTER TABLE gateway_submissions ADD CONSTRAINT gateway_submissions_channel_check CHECK (channel IN ('push', 'middle-table', 'package'));
