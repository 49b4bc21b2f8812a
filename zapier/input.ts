import { InvalidPayloadError } from '../src/calendly/errors';

/** `bundle.inputData` as Zapier hands it over: mapped values arrive as strings more often than not. */
export type InputData = Readonly<Record<string, unknown>>;

/** A field's value as text, or null when the user left it empty. */
export function optionalText(input: InputData, key: string): string | null {
  const value = input[key];
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return text === '' ? null : text;
}

export function requiredText(input: InputData, key: string, label: string): string {
  const text = optionalText(input, key);
  if (text === null) throw invalid(key, label, 'is required');
  return text;
}

/** Zapier sends boolean fields as booleans, mapped ones as "true"/"false" (or "yes"/"no"). */
export function optionalBoolean(input: InputData, key: string, label: string): boolean | null {
  const text = optionalText(input, key)?.toLowerCase() ?? null;
  if (text === null) return null;
  if (['true', 'yes', '1'].includes(text)) return true;
  if (['false', 'no', '0'].includes(text)) return false;
  throw invalid(key, label, `must be true or false, not "${text}"`);
}

export function optionalPositiveInteger(
  input: InputData,
  key: string,
  label: string,
): number | null {
  const text = optionalText(input, key);
  if (text === null) return null;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw invalid(key, label, `must be a whole number above 0, not "${text}"`);
  }
  return value;
}

/** A date-time with its zone, as UTC to the second: the form Zoom and the store use. */
export function optionalUtcTime(input: InputData, key: string, label: string): string | null {
  const text = optionalText(input, key);
  if (text === null) return null;
  const ms = Date.parse(text);
  // Without a zone the instant is unknowable: the user's zone and Zapier's need not agree.
  if (Number.isNaN(ms) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(text)) {
    throw invalid(
      key,
      label,
      `must be a date and time with a time zone (2026-03-10T14:00:00Z), not "${text}"`,
    );
  }
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function choice<T extends string>(
  input: InputData,
  key: string,
  label: string,
  options: readonly T[],
  fallback: T,
): T {
  const text = optionalText(input, key);
  if (text === null) return fallback;
  if (!(options as readonly string[]).includes(text)) {
    throw invalid(key, label, `must be one of ${options.join(', ')}, not "${text}"`);
  }
  return text as T;
}

/** Says which field is wrong in the words the user sees in the Zap editor. */
export function invalid(key: string, label: string, problem: string): InvalidPayloadError {
  return new InvalidPayloadError(key, `${label} (${key}) ${problem}.`);
}
