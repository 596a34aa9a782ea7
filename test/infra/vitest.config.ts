import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The probe checks start the real services against the local Kafka, Redis, PostgreSQL and S3 server.
export default mergeConfig(shared, defineConfig({ test: { testTimeout: 120_000, hookTimeout: 120_000 } }));
