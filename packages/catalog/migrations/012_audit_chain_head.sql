-- The audit chain's head, read under the append lock in one round trip: appendAuditEvent takes the
-- transaction-scoped advisory lock and reads the last event through this function. VOLATILE, so the
-- read gets a snapshot taken after the lock was granted (READ COMMITTED): it sees the event the
-- previous holder committed, and the chain never forks. Fewer round trips under the lock also means
-- the lock is held for less time by each of the transactions that queue for it.
CREATE FUNCTION audit_chain_head(lock_key bigint) RETURNS TABLE (seq bigint, hash text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(lock_key);
  RETURN QUERY SELECT a.seq, a.hash FROM audit_events a ORDER BY a.seq DESC LIMIT 1;
END;
$$;
