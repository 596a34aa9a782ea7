import { z } from 'zod';
import { ConfigError } from './load.ts';
import { bool, int, serverSideEncryptionOf } from './fragments.ts';

/**
 * Custody of deposited AIPs: fixity audits on a cycle, and a second copy in another bucket or store.
 * Replication is on when REPLICA_S3_BUCKET is set; the replica's endpoint and credentials default to
 * the archive's (another bucket on the same store), and should name another store in production.
 */
export const custodyEnv = z.object({
  /** Every AIP is read back and checked once per cycle; audits are spread evenly over it. */
  FIXITY_CYCLE_DAYS: z.coerce.number().positive().default(90),
  /** Read-back rate of audits, per worker process (bytes per second). */
  FIXITY_MAX_BYTES_PER_SECOND: int(20 * 1024 * 1024, 1),
  /** How often a worker looks for AIPs due for audit; 0 turns audits off in this process. */
  FIXITY_INTERVAL_MS: int(60_000, 0),
  /** How often a worker copies new AIPs to the replica; 0 turns it off in this process. */
  REPLICATION_INTERVAL_MS: int(30_000, 0),
  REPLICA_S3_BUCKET: z.string().min(3).optional(),
  REPLICA_S3_ENDPOINT: z.url().optional(),
  REPLICA_S3_REGION: z.string().optional(),
  REPLICA_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  REPLICA_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  REPLICA_S3_FORCE_PATH_STYLE: bool(true),
  REPLICA_S3_SDK_CHECKSUMS: z.enum(['when_required', 'when_supported']).default('when_supported'),
  /**
   * Encryption at rest asked of the replica's store, as S3_SSE for the archive's; unset, the replica is
   * asked for what the archive is (with its KMS key id). Another store may need another key or mode.
   */
  REPLICA_S3_SSE: z.enum(['none', 'AES256', 'aws:kms']).optional(),
  REPLICA_S3_SSE_KMS_KEY_ID: z.string().min(1).optional(),
});

type CustodyEnv = z.infer<typeof custodyEnv>;

/** The replica's S3 client settings, falling back to the archive's own store; undefined when replication is off. */
export function replicaS3SettingsOf(
  env: CustodyEnv & { S3_ENDPOINT?: string | undefined; S3_REGION: string; S3_ACCESS_KEY_ID: string; S3_SECRET_ACCESS_KEY: string; S3_SSE: 'none' | 'AES256' | 'aws:kms'; S3_SSE_KMS_KEY_ID?: string | undefined },
) {
  if (!env.REPLICA_S3_BUCKET) return undefined;
  const endpoint = env.REPLICA_S3_ENDPOINT ?? env.S3_ENDPOINT;
  if (env.REPLICA_S3_SSE_KMS_KEY_ID && !env.REPLICA_S3_SSE) throw new ConfigError(['REPLICA_S3_SSE_KMS_KEY_ID: set, but REPLICA_S3_SSE is not: set REPLICA_S3_SSE=aws:kms with it']);
  const encryption = env.REPLICA_S3_SSE
    ? serverSideEncryptionOf({ S3_SSE: env.REPLICA_S3_SSE, S3_SSE_KMS_KEY_ID: env.REPLICA_S3_SSE_KMS_KEY_ID }, 'REPLICA_')
    : serverSideEncryptionOf({ S3_SSE: env.S3_SSE, S3_SSE_KMS_KEY_ID: env.S3_SSE_KMS_KEY_ID });
  return {
    bucket: env.REPLICA_S3_BUCKET,
    s3: {
      ...(endpoint ? { endpoint } : {}),
      region: env.REPLICA_S3_REGION ?? env.S3_REGION,
      accessKeyId: env.REPLICA_S3_ACCESS_KEY_ID ?? env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.REPLICA_S3_SECRET_ACCESS_KEY ?? env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: env.REPLICA_S3_FORCE_PATH_STYLE,
      sdkChecksums: env.REPLICA_S3_SDK_CHECKSUMS,
      serverSideEncryption: encryption,
    },
  };
}

/** Settings of the fixity audits, in the units the pipeline takes. */
export function fixitySettingsOf(env: CustodyEnv) {
  return { cycleMs: Math.round(env.FIXITY_CYCLE_DAYS * 86_400_000), maxBytesPerSecond: env.FIXITY_MAX_BYTES_PER_SECOND };
}
