import { randomBytes } from 'node:crypto';

/** Standard Webhooks' marker for a symmetric (HMAC-SHA256) signing secret. */
export const SECRET_PREFIX = 'whsec_';
/** The specification asks for 24 to 64 random bytes; a new secret takes 32. */
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;
const NEW_SECRET_BYTES = 32;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A new `whsec_…` secret: base64 of 32 random bytes, as every Standard Webhooks library reads it. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(NEW_SECRET_BYTES).toString('base64')}`;
}

/** Why `secret` cannot sign, or null when it can. Never repeats the secret. */
export function webhookSecretProblem(secret: string): string | null {
  if (!secret.startsWith(SECRET_PREFIX)) {
    return `must start with "${SECRET_PREFIX}" (make one with \`calendly-zoom notify secret\`)`;
  }
  const encoded = secret.slice(SECRET_PREFIX.length);
  // Padded standard base64 only: the reference libraries decode nothing else.
  if (encoded === '' || !BASE64.test(encoded)) {
    return `must be "${SECRET_PREFIX}" followed by standard base64`;
  }
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    return `must encode ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes, this one encodes ${bytes}`;
  }
  return null;
}
