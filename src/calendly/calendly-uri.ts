/**
 * Calendly's ids: UUIDs today, 16-character tokens in older accounts. Anything else (a slash, a
 * dot, a query) cannot be an id, and would let a URI smuggle a path or a token into our keys.
 */
const CALENDLY_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isCalendlyId(value: string): boolean {
  return CALENDLY_ID.test(value);
}

/**
 * The event id of `<apiUrl>/scheduled_events/<id>`, or null for anything else: another host or
 * scheme, a query, a trailing slash, another resource. `apiUrl` has no trailing slash.
 */
export function scheduledEventId(uri: string, apiUrl: string): string | null {
  const ids = idsUnder(uri, apiUrl);
  return ids?.length === 1 ? (ids[0] ?? null) : null;
}

/** Both ids of `<apiUrl>/scheduled_events/<event id>/invitees/<invitee id>`, or null. */
export function inviteeIds(
  uri: string,
  apiUrl: string,
): { eventUuid: string; inviteeUuid: string } | null {
  const ids = idsUnder(uri, apiUrl);
  if (ids?.length !== 3 || ids[1] !== 'invitees') return null;
  const [eventUuid, , inviteeUuid] = ids as [string, string, string];
  return isCalendlyId(inviteeUuid) ? { eventUuid, inviteeUuid } : null;
}

/** The path segments after `<apiUrl>/scheduled_events/`, the first checked as an id. */
function idsUnder(uri: string, apiUrl: string): string[] | null {
  const prefix = `${apiUrl}/scheduled_events/`;
  if (!uri.startsWith(prefix)) return null;
  const segments = uri.slice(prefix.length).split('/');
  return isCalendlyId(segments[0] ?? '') ? segments : null;
}

/**
 * The API base a scheduled event URI was issued under, for data read from that API with our own
 * token (reconcile): its URIs are trusted as the API names them, whatever CALENDLY_API_URL is.
 */
export function apiUrlOf(scheduledEventUri: string): string | undefined {
  const at = scheduledEventUri.lastIndexOf('/scheduled_events/');
  return at > 0 ? scheduledEventUri.slice(0, at) : undefined;
}
