/**
 * What the schedule's `security` section makes of a document's 密级 field. Only 秘密, 机密 and 绝密 are
 * state-secret levels (《保守国家秘密法》); 内部 (internal use) is not one: such a document is filed,
 * with its use restricted, not quarantined out of the archive. Which levels go where is the agency's
 * configuration; a level the schedule does not list is quarantined, so a value nobody thought of
 * never reaches the open archive.
 */

/** Console and API roles, least first (the catalog's ROLES). */
export const ACCESS_ROLES = ['viewer', 'operator', 'admin'] as const;
export type AccessRole = (typeof ACCESS_ROLES)[number];

/** The schedule's `security` section, as far as access is concerned (schedule.ts validates it). */
export interface SecurityLevels {
  openLevels: readonly string[];
  restrictedLevels: readonly string[];
  quarantinedLevels: readonly string[];
  restrictedAccessRole: AccessRole;
}

export type SecurityDisposition = { kind: 'open' } | { kind: 'restricted'; minimumRole: AccessRole } | { kind: 'quarantine'; listed: boolean };

export function securityDispositionOf(security: SecurityLevels, securityLevel: string): SecurityDisposition {
  if (security.openLevels.includes(securityLevel)) return { kind: 'open' };
  if (security.restrictedLevels.includes(securityLevel)) return { kind: 'restricted', minimumRole: security.restrictedAccessRole };
  return { kind: 'quarantine', listed: security.quarantinedLevels.includes(securityLevel) };
}

/**
 * The access restriction a filed document carries: DA/T 46 权限管理 with 控制标识 控制 (not a 密级),
 * the least role that may use its content, and why. Everyone may see its metadata.
 */
export interface AccessRestriction {
  /** The document's 密级 field as the OA sent it, e.g. 内部. */
  securityLevel: string;
  /** DA/T 46 权限管理 · 控制标识. */
  controlMark: '控制';
  /** The least role that may open, preview or download the content. */
  minimumRole: AccessRole;
  scheduleVersion: string;
  /** One line a person reads. */
  basis: string;
}

export function accessRestrictionOf(schedule: { security: SecurityLevels; version: string }, securityLevel: string): AccessRestriction | undefined {
  const disposition = securityDispositionOf(schedule.security, securityLevel);
  if (disposition.kind !== 'restricted') return undefined;
  return {
    securityLevel,
    controlMark: '控制',
    minimumRole: disposition.minimumRole,
    scheduleVersion: schedule.version,
    basis: `${securityLevel}文件限制利用：仅${disposition.minimumRole}及以上角色可利用全文，其他角色只见元数据（保管期限表${schedule.version}）`,
  };
}

/** Whether a role may use (open, preview, download) the content of a document with this restriction. */
export function mayUseContent(role: AccessRole, restriction: Pick<AccessRestriction, 'minimumRole'> | null | undefined): boolean {
  return !restriction || ACCESS_ROLES.indexOf(role) >= ACCESS_ROLES.indexOf(restriction.minimumRole);
}
