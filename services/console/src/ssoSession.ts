import { z } from 'zod';
import { ROLES } from '@oa-archive/catalog';

/** A person logged in through the identity provider, as the session cookie carries it. */
export const ssoSessionShape = z.object({
  sub: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  /** When the login happened and when the person was last seen, epoch seconds. */
  iat: z.number(),
  seen: z.number(),
  /** The ID token, kept for the provider's logout (id_token_hint). */
  idToken: z.string().optional(),
});
export type SsoSession = z.infer<typeof ssoSessionShape>;

export interface SessionLimits {
  /** Seconds a session lasts at most from login, however active. */
  maxSeconds: number;
  /** Seconds without a request after which a session ends. */
  idleSeconds: number;
}

export type SessionCheck = { valid: true; session: SsoSession } | { valid: false; reason: 'absent' | 'malformed' | 'expired' | 'idle' };

/** Whether a (verified) cookie value is a session still in force at `now` (epoch seconds). */
export function checkSession(value: unknown, now: number, limits: SessionLimits): SessionCheck {
  if (value === undefined) return { valid: false, reason: 'absent' };
  const parsed = ssoSessionShape.safeParse(value);
  if (!parsed.success) return { valid: false, reason: 'malformed' };
  if (now >= parsed.data.iat + limits.maxSeconds) return { valid: false, reason: 'expired' };
  if (now >= parsed.data.seen + limits.idleSeconds) return { valid: false, reason: 'idle' };
  return { valid: true, session: parsed.data };
}

/**
 * Whether to re-issue the cookie with a fresh `seen`: not on every request (each would carry a
 * Set-Cookie), but often enough that idle time is measured to within a minute or a tenth of the limit.
 */
export function shouldTouch(session: SsoSession, now: number, limits: SessionLimits): boolean {
  return now - session.seen >= Math.min(60, Math.max(1, Math.floor(limits.idleSeconds / 10)));
}
