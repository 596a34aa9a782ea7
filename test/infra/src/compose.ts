import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ManifestError, readYaml, REPO_ROOT } from './yamlFiles.ts';

export const COMPOSE_FILE = path.join(REPO_ROOT, 'infra', 'compose', 'compose.yaml');
export const DOCKERFILE = path.join(REPO_ROOT, 'infra', 'compose', 'Dockerfile');

const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Compose's interpolation of one string: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?message}`, `${VAR:+replacement}`. A default ends at the first `}`, as in Compose before 2.25:
 * a default holding braces is what `nestedDefaults` reports. Pure.
 */
export function interpolate(text: string, environment: Record<string, string | undefined>): string {
  return text.replace(VARIABLE, (whole, braced: string | undefined, operator: string | undefined, operand: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    const name = (braced ?? bare)!;
    const value = environment[name];
    switch (operator) {
      case ':-':
        return value ? value : operand!;
      case '-':
        return value ?? operand!;
      case ':?':
      case '?':
        if (value === undefined || (operator === ':?' && value === '')) throw new ManifestError(`compose needs ${name}: ${operand}`);
        return value;
      case ':+':
        return value ? operand! : '';
      case '+':
        return value === undefined ? '' : operand!;
      default:
        return value ?? '';
    }
  });
}

/** `${VAR:-…}` defaults that hold a brace: Compose before 2.25 ends the default at the first `}`. Pure. */
export function nestedDefaults(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/\$\{[A-Za-z_][A-Za-z0-9_]*:?[-?+]/g)) {
    let depth = 1;
    let i = match.index + match[0].length;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}') depth--;
    }
    const expression = text.slice(match.index, i);
    if (expression.slice(match[0].length, -1).includes('{')) found.push(expression);
  }
  return found;
}

function interpolateAll(value: unknown, environment: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return interpolate(value, environment);
  if (Array.isArray(value)) return value.map((v) => interpolateAll(v, environment));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, environment)]));
  return value;
}

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test?: string[] | string };
  stop_grace_period?: string;
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  deploy?: { replicas?: number };
  profiles?: string[];
}
export interface ComposeProject {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The compose file as `docker compose config` sees it with no variable set: merge keys applied, defaults interpolated. */
export function loadCompose(file = COMPOSE_FILE, environment: Record<string, string | undefined> = {}): ComposeProject {
  return interpolateAll(readYaml(file), environment) as ComposeProject;
}

export function composeRawText(file = COMPOSE_FILE): string {
  return readFileSync(file, 'utf8');
}

/** A service's environment as strings (Compose passes numbers and booleans as their text). */
export function serviceEnv(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((line) => [line.split('=')[0]!, line.slice(line.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== null).map(([k, v]) => [k, String(v)]));
}

/** `1m30s`, `31m`, `60s`, `500ms` (Compose's durations) in milliseconds; Compose's default is 10 s. Pure. */
export function composeDurationMs(text: string | undefined, fallbackMs = 10_000): number {
  if (text === undefined) return fallbackMs;
  const units: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...String(text).matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== String(text)) throw new ManifestError(`"${text}" is not a Compose duration`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0);
}
