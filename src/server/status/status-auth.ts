import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const SESSION_COOKIE = 'cz_status';
/** A browser's login lasts a working day; the token itself never expires. */
const SESSION_MAX_AGE_SECONDS = 12 * 3600;

export interface StatusAuth {
  /** The request carries the token: `Authorization: Bearer <token>`, or the login's cookie. */
  allows(req: IncomingMessage): boolean;
  /** `/login?token=…`: whether the given token is the right one. */
  accepts(given: string): boolean;
  /** Set-Cookie for a browser that logged in. `secure` behind https. */
  sessionCookie(secure: boolean): string;
  clearCookie(): string;
}

/**
 * STATUS_TOKEN checks. Everything is compared in constant time over SHA-256 digests, so neither
 * the content nor the length of the token leaks through timing. The cookie holds an HMAC of the
 * token, not the token: it opens the page until STATUS_TOKEN changes, and reveals nothing else.
 */
export function createStatusAuth(token: string): StatusAuth {
  const tokenDigest = digest(token);
  const session = createHmac('sha256', token)
    .update('calendly-zoom status session v1')
    .digest('hex');
  const sessionDigest = digest(session);
  const same = (given: string, expected: Buffer): boolean =>
    timingSafeEqual(digest(given), expected);
  return {
    allows(req) {
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
      if (bearer !== undefined) return same(bearer, tokenDigest);
      const cookie = cookieValue(req.headers.cookie, SESSION_COOKIE);
      return cookie !== null && same(cookie, sessionDigest);
    },
    accepts: (given) => same(given, tokenDigest),
    sessionCookie: (secure) =>
      `${SESSION_COOKIE}=${session}; Path=/; Max-Age=${SESSION_MAX_AGE_SECONDS}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`,
    clearCookie: () => `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`,
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const pair of (header ?? '').split(';')) {
    const [key, ...rest] = pair.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}
