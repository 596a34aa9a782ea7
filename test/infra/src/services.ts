import type { z } from 'zod';
import { createPool } from '@oa-archive/catalog';
import { CONSOLE_POOL_SIZE, consoleEnv } from '@oa-archive/console';
import { intakeEnv } from '@oa-archive/intake';
import { simulatorEnv } from '@oa-archive/oa-simulator';
import { catalogPoolSize, workerEnv, type WorkerConfig } from '@oa-archive/worker';

/** What the deployment checks need to know of each service, read from the service itself. */
export interface ServiceModel {
  schema: z.ZodObject;
  /** The variables naming where its ops or HTTP endpoints listen, if it serves any. */
  listen?: { host: string; port: string };
  /** PostgreSQL connections one process holds at most, from its parsed configuration. */
  poolSize?: (config: Record<string, unknown>) => number;
  /**
   * A demonstration tool, not part of a deployment: its variables must still exist and parse, but its
   * other commands' loopback defaults (push, table) need not be set where it only serves files.
   */
  demo?: boolean;
}

// Intake opens its catalog with createPool's default size; the pool object connects only when used.
const intakePool = createPool('postgres://nobody@127.0.0.1:1/none');
const INTAKE_POOL_SIZE = intakePool.options.max;
await intakePool.end();

export const SERVICES: Record<string, ServiceModel> = {
  worker: { schema: workerEnv, listen: { host: 'WORKER_OPS_HOST', port: 'WORKER_OPS_PORT' }, poolSize: (c) => catalogPoolSize(c as unknown as WorkerConfig) },
  intake: { schema: intakeEnv, listen: { host: 'INTAKE_OPS_HOST', port: 'INTAKE_OPS_PORT' }, poolSize: () => INTAKE_POOL_SIZE },
  console: { schema: consoleEnv, listen: { host: 'CONSOLE_HOST', port: 'CONSOLE_PORT' }, poolSize: () => CONSOLE_POOL_SIZE },
  'oa-simulator': { schema: simulatorEnv, listen: { host: 'SIMULATOR_HOST', port: 'SIMULATOR_PORT' }, demo: true },
};

/** Variables the image itself reads (its CMD picks the service by SERVICE); no service schema has them. */
export const IMAGE_VARIABLES = new Set(['SERVICE']);

const LOOPBACK = /127\.0\.0\.1|localhost|\[::1\]/;
const CREDENTIAL = /SECRET|PASSWORD|TOKEN|ACCESS_KEY/;

/**
 * The variables a deployment must set: those without a default, and those whose default only makes sense
 * on a developer's machine: it points at loopback (the stores, the ops listeners, the simulator's origin),
 * or it is the local set-up's credential. Read from the schema's own defaults. Pure.
 */
export function requiredInDeployment(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape).flatMap(([name, field]) => {
    const result = (field as z.ZodType).safeParse(undefined);
    if (!result.success) return [name];
    if (result.data === undefined) return [];
    return LOOPBACK.test(JSON.stringify(result.data)) || CREDENTIAL.test(name) ? [name] : [];
  });
}

/** Which service a container runs: the path in its command, else SERVICE, else the image's default. */
export function serviceOf(env: Record<string, string>, command: string[] | string | undefined, imageDefault: string): string {
  const text = Array.isArray(command) ? command.join(' ') : (command ?? '');
  return /services\/([a-z-]+)\//.exec(text)?.[1] ?? env.SERVICE ?? imageDefault;
}

/** The image's default SERVICE, from the Dockerfile's ENV. */
export function imageDefaultService(dockerfile: string): string {
  const match = /^ENV\b.*\bSERVICE=([a-z-]+)/m.exec(dockerfile);
  if (!match) throw new Error('the Dockerfile sets no default SERVICE');
  return match[1]!;
}

export const isLoopback = (host: string) => LOOPBACK.test(host) || host === '::1';
