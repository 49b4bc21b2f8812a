/** A JSON object as Calendly's API answers it: every field checked before use. */
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function strOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The id at the end of a Calendly URI (`…/scheduled_events/<uuid>`). */
export function lastSegment(uri: string): string {
  return uri.replace(/\/+$/, '').split('/').pop() ?? '';
}
