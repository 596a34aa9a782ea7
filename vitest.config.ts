import { defineConfig } from 'vitest/config';

// One run over every workspace project; integration and e2e tests talk to the
// real Kafka, Redis, PostgreSQL and S3 server brought up by infra/local/up.sh.
export default defineConfig({
  test: {
    projects: ['packages/*', 'services/*', 'test/e2e', 'test/chaos', 'test/infra'],
  },
});
