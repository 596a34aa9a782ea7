import path from 'node:path';
import { z } from 'zod';
import { bool, databaseEnv, int, kafkaEnv, loadConfig, logEnv, oaSourcesEnv, refineKafkaEnv, s3Env } from '@oa-archive/config';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** The sources of the local demo: the simulator as four OA systems (see sources.local.yaml). */
export const LOCAL_SOURCES_FILE = path.join(import.meta.dirname, '..', 'sources.local.yaml');

export const gatewayEnv = z
  .object({
    ...logEnv.shape,
    ...kafkaEnv.shape,
    ...databaseEnv.shape,
    ...oaSourcesEnv.shape,
    /** The store of package drops (an S3 packageDrop) and of the package files the gateway stages for the fetch stage. */
    ...s3Env.shape,
    /** Loopback by default: put a TLS-terminating proxy in front to serve OA systems on other hosts. */
    GATEWAY_HOST: z.string().default('127.0.0.1'),
    GATEWAY_PORT: int(8090, 0),
    /** The OA systems, their credentials, mappings and middle tables (YAML; see docs/oa-integration.md). */
    GATEWAY_SOURCES_FILE: z.string().min(1).default(LOCAL_SOURCES_FILE),
    /** How far a signed request's timestamp may be from the gateway's clock. */
    GATEWAY_CLOCK_SKEW_SECONDS: int(300, 1),
    /** Largest request body accepted. */
    GATEWAY_BODY_LIMIT_BYTES: int(2 * MiB, 1 * KiB),
    /** Largest event published: keep at or below intake's INTAKE_MAX_MESSAGE_BYTES. */
    GATEWAY_MAX_EVENT_BYTES: int(MiB, 1 * KiB),
    /** Files one document may declare: keep at or below intake's INTAKE_MAX_COMPONENTS. */
    GATEWAY_MAX_COMPONENTS: int(200, 1).pipe(z.number().max(500)),
    /** Sum of the sizes the files declare: keep at or below intake's INTAKE_MAX_DECLARED_BYTES. */
    GATEWAY_MAX_DECLARED_BYTES: int(16 * GiB, 1),
    /** How long to wait for Kafka's acknowledgement before answering 503. */
    GATEWAY_KAFKA_ACK_TIMEOUT_MS: int(30_000, 100),
    /** Run the middle-table pollers of the sources that have one. */
    GATEWAY_POLLERS: bool(true),
    /** Names this process's claims in the middle tables and on packages; defaults to host and pid. */
    GATEWAY_POLLER_ID: z.string().min(1).max(100).optional(),
    /** Watch the package drops of the sources that have one. */
    GATEWAY_PACKAGES: bool(true),
    /**
     * Where in S3_STAGING_BUCKET a package's files are staged, as <prefix><source>/sha256/<digest>: each
     * source's OA_SOURCES entry must list s3://<S3_STAGING_BUCKET>/<prefix><source>/ in allowedS3Prefixes.
     */
    GATEWAY_PACKAGE_PREFIX: z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/$/, 'a key prefix ending in "/"').default('oa-packages/'),
  })
  .superRefine(refineKafkaEnv);

export type GatewayConfig = z.infer<typeof gatewayEnv>;

export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return loadConfig(gatewayEnv, env);
}
