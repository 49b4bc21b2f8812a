import { createHmac } from 'node:crypto';
import { ConfigError } from '../errors';
import { WebhookVerificationError } from './errors';

/** Calendly's header name, lower-cased. Zapier re-cases it and prefixes `Http-`. */
export const CALENDLY_SIGNATURE_HEADER = 'calendly-webhook-signature';

/** The guide's figure; Calendly's own sample uses 180 s. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyCalendlySignatureInput {
  /** The exact bytes Calendly sent. Never a re-serialised object: that would not match. */
  rawBody: Buffer | Uint8Array | string;
  /**
   * The header value (`t=…,v1=…`), a whole header line (`Calendly-Webhook-Signature: t=…`), or a
   * header map in which the signature header is found whatever its case or `Http-` prefix.
   */
  header: string | HeaderBag | null | undefined;
  /** One key, or several while a key is being rotated. */
  signingKeys: string | readonly string[];
  /** Clock for the replay window: a Date or milliseconds since the epoch. Defaults to now. */
  now?: Date | number;
  toleranceSeconds?: number;
}

/**
 * Checks a Calendly webhook delivery: `hex(HMAC-SHA256(key, t + "." + rawBody))` must equal one of
 * the header's `v1=` values for one of the keys, and `t` must lie within ±tolerance of now.
 * Returns the signed timestamp; throws a WebhookVerificationError with a precise reason otherwise.
 * Pure: it never parses the body.
 */
export function verifyCalendlySignature(input: VerifyCalendlySignatureInput): {
  timestamp: number;
} {
  const keys = normaliseKeys(input.signingKeys);
  const tolerance = input.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new ConfigError(
      `Signature tolerance must be a number of seconds >= 0, got ${tolerance}.`,
    );
  }

  const value = headerValue(input.header);
  if (value === undefined || value.trim() === '') {
    throw new WebhookVerificationError(
      'missing_header',
      'The Calendly-Webhook-Signature header is missing.',
    );
  }
  const { timestamp, signatures } = parseHeader(value);

  const nowSeconds = Math.floor(toMillis(input.now) / 1000);
  // Both directions are bounded: a timestamp far in the future would let a captured delivery be
  // replayed for longer than the window promises.
  if (timestamp < nowSeconds - tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_old',
      `The signature timestamp is ${nowSeconds - timestamp} s old; at most ${tolerance} s is accepted.`,
    );
  }
  if (timestamp > nowSeconds + tolerance) {
    throw new WebhookVerificationError(
      'timestamp_in_future',
      `The signature timestamp is ${timestamp - nowSeconds} s in the future; at most ${tolerance} s is accepted.`,
    );
  }

  const prefix = `${timestamp}.`;
  for (const key of keys) {
    const expected = hmacHex(key, prefix, input.rawBody);
    for (const candidate of signatures) {
      if (constantTimeEqual(expected, candidate)) return { timestamp };
    }
  }
  throw new WebhookVerificationError(
    'signature_mismatch',
    'The signature does not match the body for any configured signing key.',
  );
}

/**
 * Produces a `Calendly-Webhook-Signature` header value for a body, exactly as Calendly does.
 * For tests and for the CLI's test-event sender.
 */
export function signCalendlyPayload(
  rawBody: Buffer | Uint8Array | string,
  key: string,
  timestamp: number,
): string {
  const t = Math.floor(timestamp);
  return `t=${t},v1=${hmacHex(key, `${t}.`, rawBody)}`;
}

function hmacHex(key: string, prefix: string, body: Buffer | Uint8Array | string): string {
  // Two updates instead of concatenating: a 1 MB body is never copied. Hex straight from the
  // digest: a Buffer digest converted afterwards costs more than the parsing around it.
  return createHmac('sha256', key).update(prefix).update(body).digest('hex');
}

function normaliseKeys(keys: string | readonly string[]): readonly string[] {
  // The common case, one plain key, allocates nothing.
  if (typeof keys === 'string' && keys.indexOf(',') < 0 && keys.trim() === keys && keys !== '') {
    return [keys];
  }
  const list = (typeof keys === 'string' ? keys.split(',') : keys)
    .map((k) => k.trim())
    .filter((k) => k !== '');
  if (list.length === 0) {
    throw new ConfigError('No Calendly signing key is configured (CALENDLY_SIGNING_KEY).');
  }
  return list;
}

function toMillis(now: Date | number | undefined): number {
  if (now === undefined) return Date.now();
  return typeof now === 'number' ? now : now.getTime();
}

function headerValue(header: VerifyCalendlySignatureInput['header']): string | undefined {
  if (header === null || header === undefined) return undefined;
  if (typeof header === 'string') {
    // Accept a whole header line as people paste it from logs (Zapier's name included).
    const colon = header.indexOf(':');
    if (colon > 0 && isSignatureHeaderName(header.slice(0, colon).trim())) {
      return header.slice(colon + 1);
    }
    return header;
  }
  for (const [name, value] of Object.entries(header)) {
    if (isSignatureHeaderName(name)) {
      if (value === undefined) return undefined;
      return typeof value === 'string' ? value : value.join(',');
    }
  }
  return undefined;
}

function isSignatureHeaderName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === CALENDLY_SIGNATURE_HEADER || lower === `http-${CALENDLY_SIGNATURE_HEADER}`;
}

function parseHeader(value: string): { timestamp: number; signatures: string[] } {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  // Hand-rolled rather than regular expressions: this runs on every delivery, before the HMAC.
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    const v = part.slice(eq + 1).trim();
    if (name === 't') {
      if (!isUnixSeconds(v)) {
        throw new WebhookVerificationError(
          'malformed_header',
          'The signature header\'s "t" is not a Unix timestamp in seconds.',
        );
      }
      timestamp = Number(v);
    } else if (name === 'v1') {
      const digest = v.toLowerCase();
      if (!isHexDigest(digest)) {
        throw new WebhookVerificationError(
          'malformed_header',
          'A "v1" value in the signature header is not a 64-character hex digest.',
        );
      }
      signatures.push(digest);
    }
    // Other schemes are ignored, as Calendly may add them beside v1.
  }
  if (timestamp === undefined) {
    throw new WebhookVerificationError(
      'malformed_header',
      'The signature header has no "t=" timestamp.',
    );
  }
  if (signatures.length === 0) {
    throw new WebhookVerificationError(
      'malformed_header',
      'The signature header has no "v1=" signature.',
    );
  }
  return { timestamp, signatures };
}

/** 64 lower-case hex characters: a SHA-256 digest. */
function isHexDigest(v: string): boolean {
  if (v.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = v.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * Compares two 64-character hex digests without an early exit, so the time taken says nothing
 * about how many leading characters of a forged signature were right. (Equivalent to
 * crypto.timingSafeEqual on the decoded bytes, without decoding every candidate.)
 */
function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function isUnixSeconds(v: string): boolean {
  if (v.length === 0 || v.length > 12) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
