import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The fault-injection run starts its own PostgreSQL, Redis, Kafka and S3 server and takes minutes.
export default mergeConfig(shared, defineConfig({ test: { testTimeout: 15 * 60_000, hookTimeout: 5 * 60_000 } }));
