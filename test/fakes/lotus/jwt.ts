// HS256 JWTs as lotus issues them: payload {"Allow":[...]} signed with the repo's auth-jwt-private secret.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Permission levels, lowest first. */
export const PERMISSIONS = ['read', 'write', 'sign', 'admin'] as const;
/** One permission level. */
export type Permission = (typeof PERMISSIONS)[number];

const HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');

/** Signs a token allowing exactly `allow` (Go's json.Marshal order, no spaces). */
export function signToken(secret: Buffer, allow: readonly Permission[]): string {
  const payload = Buffer.from(JSON.stringify({ Allow: allow })).toString('base64url');
  const sig = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url');
  return `${HEADER}.${payload}.${sig}`;
}

/** Returns the allowed permissions of a valid token, or undefined when it is malformed or badly signed. */
export function verifyToken(secret: Buffer, token: string): Permission[] | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, sig] = parts as [string, string, string];
  const want = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
  try {
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { Allow?: unknown };
    if (!Array.isArray(body.Allow)) return undefined;
    return body.Allow.filter((p): p is Permission => (PERMISSIONS as readonly string[]).includes(p as string));
  } catch {
    return undefined;
  }
}
