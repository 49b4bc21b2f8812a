import { createHmac, timingSafeEqual } from 'node:crypto';
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

const HEX_DIGEST = /^[0-9a-f]{64}$/i;
const UNIX_SECONDS = /^\d{1,12}$/;

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
    const expected = hmac(key, prefix, input.rawBody);
    for (const candidate of signatures) {
      // Lengths are equal by construction (64 hex chars -> 32 bytes), so timingSafeEqual never throws.
      if (timingSafeEqual(expected, candidate)) return { timestamp };
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
  return `t=${t},v1=${hmac(key, `${t}.`, rawBody).toString('hex')}`;
}

function hmac(key: string, prefix: string, body: Buffer | Uint8Array | string): Buffer {
  // Two updates instead of concatenating: a 1 MB body is never copied.
  return createHmac('sha256', key).update(prefix).update(body).digest();
}

function normaliseKeys(keys: string | readonly string[]): string[] {
  const list = (typeof keys === 'string' ? keys.split(',') : [...keys])
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
    // Accept a whole header line as people paste it from logs.
    const colon = header.indexOf(':');
    if (colon > 0 && header.slice(0, colon).trim().toLowerCase() === CALENDLY_SIGNATURE_HEADER) {
      return header.slice(colon + 1);
    }
    return header;
  }
  for (const [name, value] of Object.entries(header)) {
    const lower = name.toLowerCase();
    if (lower === CALENDLY_SIGNATURE_HEADER || lower === `http-${CALENDLY_SIGNATURE_HEADER}`) {
      if (value === undefined) return undefined;
      return typeof value === 'string' ? value : value.join(',');
    }
  }
  return undefined;
}

function parseHeader(value: string): { timestamp: number; signatures: Buffer[] } {
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    const v = part.slice(eq + 1).trim();
    if (name === 't') {
      if (!UNIX_SECONDS.test(v)) {
        throw new WebhookVerificationError(
          'malformed_header',
          'The signature header\'s "t" is not a Unix timestamp in seconds.',
        );
      }
      timestamp = Number(v);
    } else if (name === 'v1') {
      if (!HEX_DIGEST.test(v)) {
        throw new WebhookVerificationError(
          'malformed_header',
          'A "v1" value in the signature header is not a 64-character hex digest.',
        );
      }
      signatures.push(Buffer.from(v, 'hex'));
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
