-- Callbacks to the OA (packages/catalog/src/callbacks.ts): every receipt of a source that has a callback
-- URL (OA_SOURCES) is POSTed there, signed, retried with backoff and dead-lettered after the last
-- attempt. One delivery row per receipt and callback target (one per source), planned from the receipt
-- outbox; workers claim due rows with FOR UPDATE SKIP LOCKED and hold them by a lease while the POST is
-- under way, so several workers deliver and none delivers a row another holds.

-- When the receipt's callback deliveries were planned. Receipts written before callbacks existed are
-- marked planned now: they were answered on Kafka (and by the status API), not called back.
ALTER TABLE receipt_outbox ADD COLUMN callbacks_planned_at timestamptz;
UPDATE receipt_outbox SET callbacks_planned_at = now();
CREATE INDEX receipt_outbox_unplanned_idx ON receipt_outbox (created_at) WHERE callbacks_planned_at IS NULL;

CREATE TABLE callback_deliveries (
  id               bigserial   PRIMARY KEY,
  receipt_id       text        NOT NULL REFERENCES receipt_outbox (receipt_id),
  ingest_id        text        NOT NULL,
  seq              integer     NOT NULL,
  -- The callback target: the source's URL, as configured in OA_SOURCES.
  source           text        NOT NULL,
  -- Where it was last sent (each attempt goes to the source's URL of the moment).
  url              text        NOT NULL,
  state            text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  -- A worker's POST is under way until then; after it lapses (the worker died) another takes the row.
  lease_until      timestamptz,
  claimed_by       text,
  last_attempt_at  timestamptz,
  last_status      integer,
  last_error       text,
  delivered_at     timestamptz,
  dead_at          timestamptz,
  -- Times an operator sent a dead letter back to be tried again (each one audited).
  redrives         integer     NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (receipt_id, source),
  FOREIGN KEY (ingest_id, seq) REFERENCES receipt_outbox (ingest_id, seq)
);
CREATE INDEX callback_deliveries_due_idx ON callback_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX callback_deliveries_order_idx ON callback_deliveries (ingest_id, source, seq) WHERE state = 'pending';
CREATE INDEX callback_deliveries_dead_idx ON callback_deliveries (dead_at) WHERE state = 'dead';
