import { defineConfig } from 'vitest/config';

// Integration tests talk to real Kafka, PostgreSQL, Redis and S3: allow for broker rebalances.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
