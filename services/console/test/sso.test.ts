import { describe, expect, it } from 'vitest';
import { loadConsoleConfig } from '../src/config.ts';
import { claimAt, claimValues, parseRoleMap, roleFor, RoleMapError } from '../src/roleMapping.ts';
import { seal, sessionKey, unseal } from '../src/signedCookie.ts';
import { checkSession, shouldTouch, type SsoSession } from '../src/ssoSession.ts';

const map = parseRoleMap('archive-admins=admin, archive-ops=operator,staff=viewer');

describe('the role map', () => {
  it('gives the highest role any group maps to, whatever the order', () => {
    expect(roleFor(['staff', 'archive-admins'], map)).toBe('admin');
    expect(roleFor(['archive-ops', 'staff'], map)).toBe('operator');
    expect(roleFor(['staff'], map)).toBe('viewer');
  });

  it('gives no role when no group is mapped (names match exactly)', () => {
    expect(roleFor(['visitors', 'Staff', 'archive-admin'], map)).toBeUndefined();
    expect(roleFor([], map)).toBeUndefined();
  });

  it('refuses a map with an unknown role, a bare name, a group twice, or nothing', () => {
    expect(() => parseRoleMap('staff=superuser')).toThrow(/"superuser" \(for staff\) is not one of viewer, operator, admin/);
    expect(() => parseRoleMap('staff')).toThrow(RoleMapError);
    expect(() => parseRoleMap('staff=viewer,staff=admin')).toThrow(/staff is mapped twice/);
    expect(() => parseRoleMap(' , ')).toThrow(/nobody could log in/);
  });

  it('splits at the last =, so a group name may hold one', () => {
    expect(roleFor(['cn=archivists'], parseRoleMap('cn=archivists=admin'))).toBe('admin');
  });

  it('reads the claim as an array, a space- or comma-separated string, or a nested path', () => {
    expect(claimValues(['a', 'b', 3])).toEqual(['a', 'b']);
    expect(claimValues('a b,c')).toEqual(['a', 'b', 'c']);
    expect(claimValues(undefined)).toEqual([]);
    expect(claimAt({ realm_access: { roles: ['archive-ops'] } }, 'realm_access.roles')).toEqual(['archive-ops']);
    expect(claimAt({ realm_access: 'x' }, 'realm_access.roles')).toBeUndefined();
  });
});

describe('signed cookies', () => {
  const { key } = sessionKey('s'.repeat(32), undefined);
  it('give back what was sealed, and nothing once changed or sealed with another key', () => {
    const text = seal(key, { role: 'viewer' });
    expect(unseal(key, text)).toEqual({ role: 'viewer' });
    const [body, mac] = text.split('.');
    const forged = Buffer.from(JSON.stringify({ role: 'admin' })).toString('base64url');
    expect(unseal(key, `${forged}.${mac}`)).toBeUndefined();
    expect(unseal(sessionKey('t'.repeat(32), undefined).key, text)).toBeUndefined();
    expect(unseal(key, body)).toBeUndefined();
  });

  it('derive the same key on every replica from the same secret, a random one without', () => {
    expect(sessionKey(undefined, 'client-secret').key).toEqual(sessionKey(undefined, 'client-secret').key);
    expect(sessionKey(undefined, undefined).ephemeral).toBe(true);
  });
});

describe('SSO session lifetime', () => {
  const limits = { maxSeconds: 8 * 3600, idleSeconds: 1800 };
  const session: SsoSession = { sub: 's', name: 'vic', role: 'viewer', iat: 1_000_000, seen: 1_000_000 };

  it('holds while active and within the absolute lifetime', () => {
    expect(checkSession(session, 1_000_000 + 1799, limits)).toEqual({ valid: true, session });
  });

  it('ends after idle time, and at the absolute lifetime however active', () => {
    expect(checkSession(session, 1_000_000 + 1800, limits)).toEqual({ valid: false, reason: 'idle' });
    expect(checkSession({ ...session, seen: 1_000_000 + 8 * 3600 - 1 }, 1_000_000 + 8 * 3600, limits)).toEqual({ valid: false, reason: 'expired' });
  });

  it('treats a missing or misshapen value as no session', () => {
    expect(checkSession(undefined, 0, limits)).toEqual({ valid: false, reason: 'absent' });
    expect(checkSession({ ...session, role: 'root' }, 1_000_000, limits)).toEqual({ valid: false, reason: 'malformed' });
  });

  it('refreshes the idle clock at most once a minute', () => {
    expect(shouldTouch(session, 1_000_000 + 59, limits)).toBe(false);
    expect(shouldTouch(session, 1_000_000 + 60, limits)).toBe(true);
  });
});

describe('OIDC configuration', () => {
  const base = { OIDC_ISSUER: 'https://id.example.gov.cn/realms/agency', OIDC_CLIENT_ID: 'console', OIDC_REDIRECT_URI: 'https://archive.example.gov.cn/auth/oidc/callback', OIDC_ROLE_MAP: 'staff=viewer' };
  it('is off without an issuer, and needs client, redirect URI and role map with one', () => {
    expect(loadConsoleConfig({}).OIDC_ISSUER).toBeUndefined();
    expect(loadConsoleConfig(base).OIDC_ROLE_MAP?.get('staff')).toBe('viewer');
    expect(() => loadConsoleConfig({ OIDC_ISSUER: base.OIDC_ISSUER })).toThrow(/OIDC_CLIENT_ID is needed[\s\S]*OIDC_REDIRECT_URI is needed[\s\S]*OIDC_ROLE_MAP is needed/);
  });

  it('refuses plain http except on loopback, and a bad role map, saying how to write it', () => {
    expect(() => loadConsoleConfig({ ...base, OIDC_ISSUER: 'http://id.example.gov.cn' })).toThrow(/OIDC_ISSUER must be an https URL/);
    expect(loadConsoleConfig({ ...base, OIDC_ISSUER: 'http://localhost:9999' }).OIDC_ISSUER).toBe('http://localhost:9999');
    expect(() => loadConsoleConfig({ ...base, OIDC_ROLE_MAP: 'staff=boss' })).toThrow(/OIDC_ROLE_MAP: "boss" \(for staff\) is not one of/);
  });
});
