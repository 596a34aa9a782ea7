import { ROLES, type Role } from '@oa-archive/catalog';

/** Identity-provider group (or role) name → console role, e.g. `archive-admins=admin`. */
export type RoleMap = ReadonlyMap<string, Role>;

export class RoleMapError extends Error {
  constructor(reason: string) {
    super(`OIDC_ROLE_MAP: ${reason}; write it as group=role pairs separated by commas, e.g. archive-admins=admin,archive-ops=operator,staff=viewer`);
    this.name = 'RoleMapError';
  }
}

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** Parses `group=role,group=role`; a group named twice or an unknown role is refused rather than guessed. */
export function parseRoleMap(text: string): RoleMap {
  const map = new Map<string, Role>();
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const at = entry.lastIndexOf('=');
    const group = entry.slice(0, at).trim();
    const role = entry.slice(at + 1).trim();
    if (at <= 0 || !group) throw new RoleMapError(`"${entry}" is not group=role`);
    if (!isRole(role)) throw new RoleMapError(`"${role}" (for ${group}) is not one of ${ROLES.join(', ')}`);
    if (map.has(group)) throw new RoleMapError(`${group} is mapped twice`);
    map.set(group, role);
  }
  if (map.size === 0) throw new RoleMapError('no group is mapped, so nobody could log in');
  return map;
}

/**
 * The values a claim holds, as strings: providers send groups as an array, some as one string
 * (space- or comma-separated). Anything else (numbers, objects) is not a group name and is dropped.
 */
export function claimValues(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((v): v is string => typeof v === 'string');
  if (typeof claim === 'string') return claim.split(/[\s,]+/).filter(Boolean);
  return [];
}

/** A dotted path (`realm_access.roles`, as Keycloak nests them) into the claims. */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  let value: unknown = claims;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The highest role any of the person's groups maps to; undefined when none is mapped. */
export function roleFor(values: readonly string[], map: RoleMap): Role | undefined {
  let best: Role | undefined;
  for (const value of values) {
    const role = map.get(value);
    if (role && (best === undefined || ROLES.indexOf(role) > ROLES.indexOf(best))) best = role;
  }
  return best;
}
