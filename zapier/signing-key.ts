import { randomBytes } from 'node:crypto';

/**
 * A fresh key for each subscription: 32 random bytes, 43 characters in base64url. Calendly keeps
 * it write-only, so the subscription's own record (bundle.subscribeData) is where it lives.
 */
export function generateSigningKey(): string {
  return randomBytes(32).toString('base64url');
}
